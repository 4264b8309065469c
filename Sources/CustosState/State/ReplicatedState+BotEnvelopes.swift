import CustosCore
import CustosIdentity
import CustosLedger

extension ReplicatedState {
    /// The bot that signed `entry`'s envelope (a price or a watch report), verified against the
    /// committed registry: it is registered (`unknownBot`), active (`inactiveBot`) and holds
    /// `role` (`refusal`, naming it as `what`); the envelope's timestamp is within
    /// `RequestBook.requestClockSkew` of the block time, it is signed for this cluster, and its
    /// signature verifies with the bot's key (`requestRefused`, as for a request: the gateway
    /// turns such an entry away). `source` is set to the envelope's key id as soon as it is read,
    /// for the refusal record.
    func verifiedBot(
        _ entry: Entry, role: String, as what: String, refusal: GovernanceErrorCode, source: inout String?
    ) throws(GovernanceError) -> (SignedRequest, GovernedBot) {
        let signed = try RequestBook.signedRequest(in: entry)
        source = signed.keyId
        guard let bot = bots[signed.keyId] else { throw GovernanceError(.unknownBot, "no bot \"\(signed.keyId.prefix(64))\" is registered") }
        guard bot.active else { throw GovernanceError(.inactiveBot, "bot \"\(bot.id)\" has been removed") }
        guard bot.roles.contains(role) else {
            throw GovernanceError(refusal, "bot \"\(bot.id)\" is no \(what): it lacks the \(role) role")
        }
        let now = Int64(clamping: time)
        let offset = signed.timestamp.subtractingReportingOverflow(now)
        guard !offset.overflow, abs(offset.partialValue) <= RequestBook.requestClockSkew else {
            throw GovernanceError(
                .requestRefused, "the \(what)'s envelope timestamp \(signed.timestamp) is more than \(RequestBook.requestClockSkew) ms from the block time")
        }
        guard signed.cluster == genesisDigest else {
            throw GovernanceError(.requestRefused, "the entry of bot \"\(bot.id)\" is signed for another cluster (genesis digest \(signed.cluster.hexString.prefix(16))…)")
        }
        guard bot.key.isValidSignature(signed.signature, for: signed.signingInput) else {
            throw GovernanceError(.requestRefused, "the signature of bot \"\(bot.id)\" does not verify over the entry's canonical form")
        }
        return (signed, bot)
    }
}
