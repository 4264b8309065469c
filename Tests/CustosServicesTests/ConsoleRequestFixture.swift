import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// What the console's request tests share: a policy under which people's transfers wait for
/// admins (erin, frank, grace) without any price — over 100,000 units two of them, over 10 one
/// — and people's transfer requests signed with a software credential.
enum ConsoleRequestFixture {
    /// A look-alike of the example address book's kraken-eth (0x2e6d…ba8f): the same first and
    /// last four hex digits, in no entry.
    static let lookalike = "0x2e6d" + String(repeating: "7", count: 32) + "ba8f"
    static let kraken = "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f"

    /// The example policy with its transfer and message rules replaced by three: people pay up
    /// to 1,000,000 units on ethereum; over 100,000 two admins approve, over 10 one does.
    static func policy() throws -> String {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let rules = try #require(example.range(of: "\nrules:\n"))
        let governance = try #require(example.range(of: "  # --- Governance beyond the quorum"))
        return example[..<rules.lowerBound] + """

            rules:
              - name: allow-people-transfers
                description: People pay up to 1,000,000 units on ethereum; the require rules add approvals.
                match: {initiator: {kind: person}, chain: [ethereum], amount: {up_to: 1000000}}
                outcome: allow

              - name: require-two-admins-large
                description: Over 100,000 units two admins approve (4-eyes besides the initiator).
                match: {amount: {over: 100000}}
                outcome: {require: {group: admins, count: 2}}

              - name: require-an-admin-routine
                description: Over 10 units one admin approves.
                match: {amount: {over: 10, up_to: 100000}}
                outcome: {require: {group: admins, count: 1}}

            """ + example[governance.lowerBound...]
    }

    /// A transfer body of `amount` USDC from hot-trading to `destination` on ethereum by `initiator`.
    static func transfer(by initiator: String, amount: String, to destination: String = kraken, memo: String = "") -> JSONValue {
        .object([
            ("kind", .string("transfer")), ("initiator", .string(initiator)), ("vault", .string("hot-trading")),
            ("chain", .string("ethereum")), ("asset", .string("USDC")), ("amount", .string(amount)),
            ("destination", .string(destination)),
        ] + (memo.isEmpty ? [] : [("memo", .string(memo))]))
    }

    /// `body` submitted by the person `user` for the cluster `genesis` at `timestamp`, asserted
    /// with `authenticator` from `origin`: the entry and the request's id.
    static func submission(_ body: JSONValue, by user: String, genesis: [UInt8], timestamp: UInt64,
                           authenticator: inout SoftwareAuthenticator, rpId: String, origin: String) throws -> (entry: Entry, id: String) {
        let envelope = RequestEntry.personEnvelope(body: body, cluster: genesis, user: user, timestamp: Int64(timestamp),
                                                   nonce: Base64URL.encode(SecureRandom.bytes(count: 18)))
        let assertion = authenticator.getAssertion(relyingPartyId: rpId, origin: origin, challenge: RequestEntry.personChallenge(envelope))
        return (try RequestEntry.submit(envelope, assertion: assertion), Hashes.sha256(envelope.signingInput).hexString)
    }
}
