import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Testing

/// Bots for the test cluster: registration through the admin quorum, and signed requests.
extension Cluster {
    static let kraken = "0x1111111111111111111111111111111111111111"

    /// Registers `id` with `key` through governance: frank proposes, grace and erin approve.
    mutating func registerBot(
        _ id: String, key: BotPublicKey, roles: [String] = ["trading-bot"], environment: Vault.Environment = DeploymentEnvironment.unnamedBot
    ) throws {
        let (p, _) = try propose(.addBot(id: id, key: key, roles: roles, environment: environment), by: "frank")
        try approve(p, by: "grace")
        try approve(p, by: "erin")
        #expect(status(p) == .executed, "adding bot \(id): \(String(describing: state.operations[p.id]?.failure))")
    }

    /// A transfer body as a bot sends it (amounts in strings).
    static func transfer(
        by bot: String, amount: String = "5", destination: String = Cluster.kraken, extra: [(String, JSONValue)] = []
    ) -> JSONValue {
        .object([
            ("id", .string("client-1")), ("kind", .string("transfer")), ("initiator", .string(bot)), ("vault", .string("hot")),
            ("chain", .string("ethereum")), ("asset", .string("ETH")), ("amount", .string(amount)),
            ("destination", .string(destination)),
        ] + extra)
    }

    /// A fresh nonce (base64url, at least 16 characters).
    mutating func nonce() -> String {
        counter += 1
        return "request-nonce-\(String(counter).leftPadded(6))"
    }

    /// `body` signed by `key` for `keyId`, stamped `skew` ms after the current block time (the
    /// next `apply` happens one second later), with `nonce` (a fresh one when nil).
    mutating func signed(_ body: JSONValue, keyId: String, key: BotSigningKey, skew: Int64 = 0, nonce: String? = nil) -> SignedRequest {
        SignedRequest(body: body, cluster: state.genesisDigest, keyId: keyId, timestamp: Int64(now) + skew, nonce: nonce ?? self.nonce(), key: key)
    }

    /// Submits a signed request in the next block.
    @discardableResult
    mutating func submit(_ request: SignedRequest) throws -> GovernanceOutcome {
        apply(try RequestEntry.submit(request))
    }

    static func requestSigningCode(_ outcome: GovernanceOutcome) -> RequestSigningError.Code? {
        if case .refused(let e) = outcome { return e.requestSigning }
        return nil
    }

    static func decided(_ outcome: GovernanceOutcome) -> (id: String, outcome: PolicyDecision.Outcome)? {
        if case .requestDecided(let id, let o) = outcome { return (id, o) }
        return nil
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
