import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// What the console's request tests share: a policy under which people's transfers wait for
/// admins (erin, frank, grace) — over 100,000 units two of them, over 10 one — with USD prices
/// from three price bots (a request without a USD notional is never batched: review M1), and
/// people's transfer requests signed with a software credential.
enum ConsoleRequestFixture {
    /// A look-alike of the example address book's kraken-eth (0x2e6d…ba8f): the same first and
    /// last four hex digits, in no entry.
    static let lookalike = "0x2e6d" + String(repeating: "7", count: 32) + "ba8f"
    static let kraken = "0x2e6d88f471c41bd6dc54146e5eea659498ccba8f"

    /// The example policy with its transfer and message rules replaced by seven: people pay, and
    /// approve ERC-20 allowances of, up to 1,000,000 units on ethereum; over 100,000 two admins
    /// approve, over 10 one does, and one every token approval; people ask hot-trading to sign
    /// Permit2 permits (`permit`), each approved by an admin.
    static func policy() throws -> String {
        let example = try String(
            contentsOf: TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        let rules = try #require(example.range(of: "\nrules:\n"))
        let governance = try #require(example.range(of: "  # --- Governance beyond the quorum"))
        return (example[..<rules.lowerBound] + """

            rules:
              - name: allow-people-transfers
                description: People pay up to 1,000,000 units on ethereum; the require rules add approvals.
                match: {initiator: {kind: person}, chain: [ethereum], amount: {up_to: 1000000}}
                outcome: allow

              - name: allow-people-token-approvals
                description: People approve ERC-20 allowances on ethereum up to 1,000,000 units; the require rules add approvals.
                match: {initiator: {kind: person}, chain: [ethereum], call: {functions: [approve]}, amount: {up_to: 1000000}}
                outcome: allow

              - name: require-an-admin-token-approvals
                description: An admin reads every token approval.
                match: {call: {functions: [approve]}}
                outcome: {require: {group: admins, count: 1}}

              - name: require-two-admins-large
                description: Over 100,000 units two admins approve (4-eyes besides the initiator).
                match: {amount: {over: 100000}}
                outcome: {require: {group: admins, count: 2}}

              - name: require-an-admin-routine
                description: Over 10 units one admin approves.
                match: {amount: {over: 10, up_to: 100000}}
                outcome: {require: {group: admins, count: 1}}

              - name: allow-people-permits
                description: People ask hot-trading to sign Permit2 permits on Ethereum; require-an-admin-messages adds an approval.
                match:
                  initiator: {kind: person}
                  vault: [hot-trading]
                  message:
                    format: [eip712]
                    domain: {name: [Permit2], chainId: [1], verifyingContract: ["0x000000000022D473030F116dDEE9F6B43aC78BA3"]}
                    primary_type: [PermitSingle]
                outcome: allow

              - name: require-an-admin-messages
                description: An admin reads every message a person asks for.
                match: {kind: [message], initiator: {kind: person}}
                outcome: {require: {group: admins, count: 1}}

            """ + example[governance.lowerBound...])
            // Quotes stay fresh through a browser test's minutes.
            .replacingOccurrences(of: "prices: {min_sources: 3, max_age: 5m,", with: "prices: {min_sources: 3, max_age: 30m,")
    }

    /// The price bots (`PriceEntry.sourceRole`) the tests register.
    static let priceSources = ["price-1", "price-2", "price-3"]

    /// Registers `priceSources` in `state` through the quorum (erin proposes, frank and grace
    /// approve) and has each quote USDC at 1 USD, one block a second from `time` on: what
    /// `custos op propose add-bot SOURCE price` and `custos price post` do on a live cluster.
    static func price(_ state: inout ReplicatedState, _ genesis: inout TestGenesis, time: inout UInt64) throws {
        func apply(_ entry: Entry) -> GovernanceOutcome {
            time += 1000
            return state.apply(entry, blockTime: time)
        }
        func assert(_ user: String, _ challenge: [UInt8]) -> WebAuthnAssertion.Response {
            genesis.authenticators[user]!.getAssertion(relyingPartyId: TestGenesis.rpId, origin: TestGenesis.origin, challenge: challenge)
        }
        for source in priceSources {
            let key = BotSigningKey(ed25519: .init())
            let proposal = GovernanceProposal(id: "add-\(source)", proposer: "erin", change: .addBot(id: source, key: key.publicKey, roles: [PriceEntry.sourceRole], environment: .production))
            _ = apply(try GovernanceEntry.propose(proposal, assertion: assert("erin", proposal.challenge(.propose, genesisDigest: state.genesisDigest))).entry())
            for user in ["frank", "grace"] {
                let challenge = proposal.challenge(.approve, genesisDigest: state.genesisDigest)
                _ = apply(try GovernanceEntry.approve(operationId: proposal.id, user: user, assertion: assert(user, challenge), timing: nil).entry())
            }
            #expect(state.bots[source] != nil, "\(String(describing: state.operations[proposal.id]?.failure))")
            let body = PricePost(asset: "USDC", usd: FixedDecimal(1)!, time: Int64((time + 1000) / 1000)).json
            let quote = SignedRequest(body: body, cluster: state.genesisDigest, keyId: source, timestamp: Int64(time + 1000),
                                      nonce: Base64URL.encode(SecureRandom.bytes(count: 18)), key: key)
            #expect(apply(try PriceEntry.post(quote)) == .priced(asset: "USDC", source: source))
        }
    }

    /// The USDC token contract registered on ethereum by `prepareVault` (no chain runs here).
    static let usdc = "0x7777777777777777777777777777777777777777"

    /// A transfer body of `amount` USDC from hot-trading to `destination` on ethereum by
    /// `initiator`: in the policy's own request form (decided, never signed: no vault needed), or
    /// with `from` (the vault's address label, "m") a transaction request every node plans and
    /// signs once allowed (`prepareVault`).
    static func transfer(by initiator: String, amount: String, to destination: String = kraken, memo: String = "", from: String? = nil) -> JSONValue {
        .object([
            ("kind", .string("transfer")), ("initiator", .string(initiator)), ("vault", .string("hot-trading")),
            ("chain", .string("ethereum")), ("asset", .string("USDC")), ("amount", .string(amount)),
        ] + (from.map { [("from", .string($0)), ("to", .string(destination))] } ?? [("destination", .string(destination))])
            + (memo.isEmpty ? [] : [("memo", .string(memo))]))
    }

    /// A contract call by `initiator` from hot-trading's address "m" to the USDC token: ERC-20
    /// `approve(spender, units)` (`units` in the token's smallest units).
    static func approval(by initiator: String, spender: String, units: UInt64) -> JSONValue {
        let word = { (hex: String) in String(repeating: "0", count: 64 - hex.count) + hex }
        let data = "0x095ea7b3" + word(String(spender.dropFirst(2)).lowercased()) + word(String(units, radix: 16))
        return .object([
            ("kind", .string("contract_call")), ("initiator", .string(initiator)), ("vault", .string("hot-trading")),
            ("from", .string("m")), ("chain", .string("ethereum")), ("to", .string(usdc)), ("data", .string(data)),
        ])
    }

    /// The Permit2 router `VaultSigningLoopbackTests.permit` names as its spender.
    static let permitSpender = "0x0a9a15d91832ac6562b81934c847b8a31ad187b5"

    /// A request by `initiator` that hot-trading sign `VaultSigningLoopbackTests.permit`, a Permit2
    /// `PermitSingle` (EIP-712) for `permitSpender` to move 250,000 USDC.
    static func permit(by initiator: String) throws -> JSONValue {
        .object([
            ("kind", .string("message")), ("initiator", .string(initiator)), ("vault", .string("hot-trading")),
            ("message", .object([("format", .string("eip712")), ("typedData", try JSONParser().parse(Array(VaultSigningLoopbackTests.permit.utf8)))])),
        ])
    }

    /// Makes the ECDSA vault hot-trading (its key generated by the nodes) and registers ETH and
    /// USDC on ethereum (chain id 1), so that transaction requests from it are recorded, and
    /// once allowed planned for signing.
    static func prepareVault(_ cluster: LocalCluster) async throws {
        try Data("0".utf8).write(to: TransactionFixture.clockOffsetFile(cluster))
        try await VaultLoopbackTests().create(cluster, "hot-trading", "ecdsa-secp256k1", operation: "create-hot-trading")
        let quorum = ["frank", "grace", "heidi"]
        try await TransactionFixture.govern(cluster, "ethereum-eth", ["register-asset", "ethereum", "1", "ETH", "native", "18"], approvers: quorum)
        try await TransactionFixture.govern(cluster, "ethereum-usdc", ["register-asset", "ethereum", "1", "USDC", usdc, "6"], approvers: quorum)
        _ = try await cluster.waitForGovernance(seconds: 120) { g in
            g.vaults.first { $0.id == "hot-trading" }?.status == "active" && g.assets.count == 2
        }
    }

    /// Registers `priceSources` on the live `cluster` (erin proposes, frank and grace approve
    /// each) and has each post USDC at 1 USD through `custos price post`, then waits until the
    /// gateway's committed state holds the three quotes.
    static func priceLive(_ cluster: LocalCluster) async throws {
        for source in priceSources {
            try await TransactionFixture.govern(cluster, "add-\(source)", ["add-bot", source, "price"])
        }
        for source in priceSources {
            let out = try await LocalCluster.run(cluster.binary, [
                "price", "post", "--gateway", cluster.baseURL, "--bot", cluster.credentialFile("\(source).bot").path, "--asset", "USDC", "--usd", "1",
            ])
            #expect(out.contains("posted USDC"), "\(out)")
        }
        for _ in 0..<120 {
            let listed: [PriceView] = try await cluster.getJSON("/v1/prices")
            if let usdc = listed.first(where: { $0.asset == "USDC" }), usdc.usd != nil, usdc.sources == 3 { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        Issue.record("USDC was not priced in time")
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
