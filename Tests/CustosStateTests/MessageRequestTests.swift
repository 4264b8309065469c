import Crypto
import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import CustosTestSupport
import Foundation
import Testing

/// Message requests (issue 10 item 4): the body a bot signs, the policy view every node derives
/// from it, the signing input every node computes from the committed body, and how the example
/// policy decides them. Digests are cross-checked with eth-account.
@Suite struct MessageRequestTests {
    static let router = "0x0A9A15D91832AC6562B81934C847B8A31AD187B5"
    static let permit2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
    static let prefix = "Meridian Capital withdrawal authorisation: "

    static func parse(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

    /// A Permit2 `PermitSingle` for `spender` of `amount` (decimal text) on chain `chainId`.
    static func permit(amount: String, spender: String = router, chainId: Int = 1) throws -> JSONValue {
        try parse("""
        {"types": {"EIP712Domain": [{"name": "name", "type": "string"}, {"name": "chainId", "type": "uint256"},
                                    {"name": "verifyingContract", "type": "address"}],
                   "PermitDetails": [{"name": "token", "type": "address"}, {"name": "amount", "type": "uint160"},
                                     {"name": "expiration", "type": "uint48"}, {"name": "nonce", "type": "uint48"}],
                   "PermitSingle": [{"name": "details", "type": "PermitDetails"}, {"name": "spender", "type": "address"},
                                    {"name": "sigDeadline", "type": "uint256"}]},
         "primaryType": "PermitSingle",
         "domain": {"name": "Permit2", "chainId": \(chainId), "verifyingContract": "\(permit2)"},
         "message": {"details": {"token": "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", "amount": "\(amount)",
                                 "expiration": 1900000000, "nonce": 7},
                     "spender": "\(spender)", "sigDeadline": "1900000000"}}
        """)
    }

    static func body(_ message: JSONValue, initiator: String = "risk-bot", vault: String = "hot-trading") -> JSONValue {
        .object([
            ("kind", .string("message")), ("id", .string("m-1")), ("initiator", .string(initiator)), ("vault", .string(vault)),
            ("message", message),
        ])
    }

    static func eip191(_ text: String) -> JSONValue { .object([("format", .string("eip191")), ("text", .string(text))]) }
    static func eip712(_ typed: JSONValue) -> JSONValue { .object([("format", .string("eip712")), ("typedData", typed)]) }
    static func hex(_ format: String, _ hex: String) -> JSONValue { .object([("format", .string(format)), ("hex", .string(hex))]) }

    // MARK: Signing input, cross-checked with eth-account

    struct Personal: Encodable { let message: String; let key: String }
    struct Request: Encodable { let typed: [EVM.TypedData]; let personal: [Personal]; let validator: [String] }
    struct Response: Decodable {
        struct Signed: Decodable { let hash: String }
        let typed: [String]
        let personal: [Signed]
    }

    @Test func signingInputsFromTheCommittedBodyMatchEthAccount() async throws {
        let texts = ["", Self.prefix + "withdraw 250000 USDC to account 7731", "Grüße 🚀\n\u{0}end", String(repeating: "x", count: 5000)]
        let hexes = ["0x", "0x00ff10", "0x" + String(repeating: "ab", count: 300)]
        let typed = [try Self.permit(amount: "1000000"), try Self.permit(amount: String(repeating: "9", count: 48), chainId: 8453)]
        var bodies: [JSONValue] = texts.map { Self.body(Self.eip191($0)) }
        bodies += hexes.map { Self.body(Self.hex("eip191", $0)) }
        bodies += typed.map { Self.body(Self.eip712($0)) }
        var inputs: [[UInt8]] = []
        for body in bodies {
            // Every node computes the input from the committed (RFC 8785) bytes, not from the body it was given.
            inputs.append(try MessageSigningInput.input(committedBody: JCS.canonicalBytes(body), scheme: .ecdsaSecp256k1))
        }
        let messages = texts.map { Array($0.utf8) } + (try hexes.map { try [UInt8](hex: $0) })
        let typedData = try typed.map { value -> EVM.TypedData in
            guard case .eip712(let data) = try MessageRequest(json: Self.body(Self.eip712(value))).message else {
                throw GovernanceError(.invalidRequest, "not typed data")
            }
            return data
        }
        let key = String(repeating: "11", count: 32)
        let response = try await PythonPeer.call(
            "evm_eip712.py",
            Request(typed: typedData, personal: messages.map { Personal(message: $0.hexString, key: key) }, validator: []),
            as: Response.self)
        #expect(response.personal.map(\.hash) == inputs.prefix(messages.count).map(\.hexString))
        #expect(response.typed == inputs.suffix(typed.count).map(\.hexString))
    }

    @Test func bip340AndRawMessagesAreSignedAsTheyAre() throws {
        let bytes: [UInt8] = Array(0..<32)
        let long: [UInt8] = Array(0..<33)
        let bip = Self.body(Self.hex("bip340", long.hexString), vault: "taproot")
        #expect(try MessageSigningInput.input(committedBody: JCS.canonicalBytes(bip), scheme: .frostTaproot) == long)
        let raw = Self.body(Self.hex("raw", "0x" + bytes.hexString), vault: "solana")
        #expect(try MessageSigningInput.input(committedBody: JCS.canonicalBytes(raw), scheme: .frostEd25519) == bytes)
        // The committed body names what the scheme signs; another scheme refuses it.
        #expect(throws: GovernanceError(.invalidRequest, "")) {
            try MessageSigningInput.input(committedBody: JCS.canonicalBytes(raw), scheme: .ecdsaSecp256k1)
        }
        #expect(throws: GovernanceError(.invalidRequest, "")) {
            try MessageSigningInput.input(committedBody: JCS.canonicalBytes(Self.body(Self.eip191("hi"))), scheme: .frostTaproot)
        }
    }

    /// Why a message request for `bytes` in `format` is refused, or nil when it is read.
    static func refusal(format: String, _ bytes: [UInt8]) -> String? {
        let body = Self.body(Self.hex(format, bytes.hexString), vault: "treasury")
        do {
            _ = try MessageRequest(json: body)
            return nil
        } catch {
            return error.code == .invalidRequest ? error.reason : "\(error.code): \(error.reason)"
        }
    }

    /// A message request must not be a way round the transfer rules: bytes that a chain would
    /// read as a transaction are refused whatever the policy says. Solana messages are built
    /// by solders (the Rust SDK's serialisation), the attacker's easiest tool.
    @Test func messagesThatATransactionWouldBeAreRefused() async throws {
        struct Request: Encodable { let lamports: Int; let memo: String }
        struct Built: Decodable { let legacy: [String]; let v0: [String] }
        let built = try await PythonPeer.call("solana_message_peer.py", Request(lamports: 5_000_000_000, memo: "rent"), as: Built.self)
        #expect(built.legacy.count == 2 && built.v0.count == 2)
        let refusal = Self.refusal(format:_:)
        for hex in built.legacy + built.v0 {
            let message = try [UInt8](hex: hex)
            #expect(SolanaMessageShape.isTransactionMessage(message))
            #expect(refusal("raw", message)?.contains("reads as a Solana transaction message") == true)
            // Bytes after the message do not hide it; a cut message is no transaction.
            #expect(refusal("raw", message + Array("padding".utf8)) != nil)
            #expect(!SolanaMessageShape.isTransactionMessage(Array(message.dropLast())))
        }
        // What venues ask for still reads as a message: text challenges, Solana off-chain messages.
        let offChain: [UInt8] = [0xff] + Array("solana offchain".utf8) + [0, 0, 0, 12, 0] + Array("login 8f2a91".utf8)
        for message in [Array("venue login challenge 8f2a91".utf8), offChain, Array(0..<32)] {
            #expect(refusal("raw", message) == nil, "\(message.hexString)")
        }
        // A 32-byte EIP-191 message is what a Safe owner's eth_sign signature or an ERC-4337
        // account signs for a transaction hash, as bytes or as text; other lengths sign.
        #expect(refusal("eip191", Array(repeating: 0xab, count: 32))?.contains("smart accounts") == true)
        #expect(refusal("eip191", Array(repeating: 0xab, count: 31)) == nil)
        let text = String(repeating: "t", count: 32)
        do {
            _ = try MessageRequest(json: Self.body(Self.eip191(text), vault: "treasury"))
            Issue.record("a 32-byte EIP-191 text was read")
        } catch { #expect(error.reason.contains("smart accounts")) }
        // A 32-byte BIP-340 message is what a Taproot signature hash is; other lengths sign.
        #expect(refusal("bip340", Array(repeating: 7, count: 32))?.contains("Taproot transaction's signature hash") == true)
        #expect(refusal("bip340", Array(repeating: 7, count: 31)) == nil)
        #expect(refusal("bip340", Array(repeating: 7, count: 33)) == nil)
    }

    // MARK: Hostile bodies

    @Test func hostileBodiesAreRefusedWithClearReasons() throws {
        let permit = try Self.permit(amount: "5")
        guard case .object(var typedMembers) = permit else { throw GovernanceError(.malformed, "") }
        typedMembers.removeAll { $0.key == "message" }
        let truncated = JSONValue.object(typedMembers)
        let cases: [(String, JSONValue, String)] = [
            ("unknown member", .object([("kind", .string("message")), ("initiator", .string("risk-bot")), ("vault", .string("hot-trading")),
                                        ("message", Self.eip191("x")), ("destination", .string("0x"))]), "unknown member \"destination\""),
            ("missing message", .object([("kind", .string("message")), ("initiator", .string("risk-bot")), ("vault", .string("hot-trading"))]),
             "missing message"),
            ("unknown format", Self.body(Self.hex("eip999", "00")), "is not one of eip191, eip712, bip340, raw"),
            ("text and hex", Self.body(.object([("format", .string("eip191")), ("text", .string("a")), ("hex", .string("0x61"))])),
             "exactly one of text and hex"),
            ("not hex", Self.body(Self.hex("raw", "0xzz")), "message.hex is not hex"),
            ("odd hex", Self.body(Self.hex("bip340", "abc")), "message.hex is not hex"),
            ("oversized text", Self.body(Self.eip191(String(repeating: "a", count: MessageRequest.maximumMessageBytes + 1))),
             "message.text is longer than"),
            ("oversized hex", Self.body(Self.hex("raw", String(repeating: "ab", count: MessageRequest.maximumMessageBytes + 1))),
             "message.hex is longer than"),
            ("text of wrong type", Self.body(.object([("format", .string("eip191")), ("text", .integer(5))])), "message.text is a number"),
            ("truncated typed data", Self.body(Self.eip712(truncated)), "message.typedData is missing message"),
            ("wrong value type", Self.body(Self.eip712(try Self.permit(amount: "five"))), "PermitDetails.amount is not an integer"),
            ("negative uint", Self.body(Self.eip712(try Self.permit(amount: "-1"))), "negative"),
            ("bad address", Self.body(Self.eip712(try Self.permit(amount: "1", spender: "0x1234"))), "message.typedData"),
            ("large JSON number", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": [], "M": [{"name": "a", "type": "uint256"}]}, "primaryType": "M", "domain": {}, "message": {"a": 9007199254740993}}"#))),
             "beyond 2^53"),
            ("fraction", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": [], "M": [{"name": "a", "type": "uint256"}]}, "primaryType": "M", "domain": {}, "message": {"a": 1.5}}"#))),
             "not an integer"),
            ("undeclared type", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": [], "M": [{"name": "a", "type": "Missing"}]}, "primaryType": "M", "domain": {}, "message": {"a": {}}}"#))),
             "message.typedData"),
            ("non-standard domain", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": [{"name": "owner", "type": "address"}], "M": []}, "primaryType": "M", "domain": {"owner": "0x0000000000000000000000000000000000000000"}, "message": {}}"#))),
             "not a standard domain member"),
            ("primary type is the domain", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": []}, "primaryType": "EIP712Domain", "domain": {}, "message": {}}"#))),
             "is not a declared struct type"),
            ("undeclared member", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": [], "M": []}, "primaryType": "M", "domain": {}, "message": {"extra": 1}}"#))),
             "has no member"),
            ("too many fields", Self.body(Self.eip712(try Self.parse(
                #"{"types": {"EIP712Domain": [], "M": [{"name": "a", "type": "uint8[]"}]}, "primaryType": "M", "domain": {}, "message": {"a": ["#
                    + Array(repeating: "1", count: MessageRequest.maximumFields + 1).joined(separator: ",") + "]}}"))),
             "more than \(MessageRequest.maximumFields) values"),
        ]
        for (name, body, reason) in cases {
            do {
                _ = try MessageRequest(json: body)
                Issue.record("\(name): accepted")
            } catch {
                #expect(error.code == .invalidRequest, "\(name)")
                #expect(error.reason.contains(reason), "\(name): \(error.reason)")
            }
        }
        // Duplicate keys never reach the reader: the envelope's JSON parser refuses them.
        #expect(throws: JSONError(.duplicateKey, "")) {
            try Self.parse(#"{"kind": "message", "kind": "transfer"}"#)
        }
        // A submitter cannot write the policy's view of a message as a transfer-style body.
        #expect(throws: PolicyLoadError.self) {
            try PolicyRequest(json: Self.parse(#"{"kind": "message", "initiator": "risk-bot"}"#))
        }
    }

    // MARK: The policy's view and the example policy's decisions

    static let example: CompiledPolicy = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let yaml = try! String(contentsOf: root.appendingPathComponent("examples/policies/trading-firm.yaml"), encoding: .utf8)
        return try! CompiledPolicy(yaml: yaml)
    }()

    static func decide(_ body: JSONValue, approvals: [String] = []) throws -> PolicyExplanation {
        var request = try MessageRequest(json: body).policyRequest()
        request.approvals = approvals
        return example.explain(request, in: StateSnapshot(time: 1_800_000_000))
    }

    @Test func theViewIsDerivedFromTheBody() throws {
        let view = try MessageRequest(json: Self.body(Self.eip712(try Self.permit(amount: "250000000")))).policyRequest()
        #expect(view.kind == .message)
        let message = try #require(view.message)
        #expect(message.format == .eip712)
        #expect(message.primaryType == "PermitSingle")
        #expect(message.domain?.name == "Permit2")
        #expect(message.domain?.chainId == "1")
        #expect(message.domain?.verifyingContract == Self.permit2.lowercased())
        #expect(message.domain?.version == nil && message.domain?.salt == nil)
        #expect(message.fields["spender"] == Self.router.lowercased())
        #expect(message.fields["details.token"] == "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48")
        #expect(message.amounts["details.amount"] == FixedDecimal(250_000_000))
        #expect(message.amounts["details.nonce"] == FixedDecimal(7))
        let text = try MessageRequest(json: Self.body(Self.eip191("hello"))).policyRequest().message
        #expect(text == .init(format: .eip191, length: 5, text: "hello"))
        let binary = try MessageRequest(json: Self.body(Self.hex("eip191", "0xff00"))).policyRequest().message
        #expect(binary == .init(format: .eip191, length: 2, text: nil))
    }

    @Test func theExamplePolicyDecidesMessages() throws {
        // The risk bot's withdrawal authorisations and permits to the router within the limit: allowed.
        let authorisation = try Self.decide(Self.body(Self.eip191(Self.prefix + "withdraw 1 BTC to account 7731")))
        #expect(authorisation.decision.outcome == .allow)
        #expect(authorisation.lines[0].contains("allow-risk-bot-withdrawal-authorisations"))
        #expect(authorisation.lines[1].contains("EIP-191 text \"Meridian Capital withdrawal authorisation: "))
        let permit = try Self.decide(Self.body(Self.eip712(try Self.permit(amount: "1000000000000"))))
        #expect(permit.decision.outcome == .allow)
        #expect(permit.lines.contains { $0.contains("EIP-712 PermitSingle (domain name Permit2") })
        // Other text, a larger permit, another spender, another chain: denied, with the near miss named.
        let other = try Self.decide(Self.body(Self.eip191("Please sign: transfer everything now")))
        #expect(other.decision.outcome == .deny)
        #expect(other.lines.contains { $0.contains("allow-risk-bot-withdrawal-authorisations (allow) did not match only because its condition") })
        #expect(try Self.decide(Self.body(Self.eip712(try Self.permit(amount: "1000000000001")))).decision.outcome == .deny)
        #expect(try Self.decide(Self.body(Self.eip712(try Self.permit(amount: "1", spender: "0x02f97e64f4827ab6ed553714ce2255b9b30fb479"))))
            .decision.outcome == .deny)
        let otherChain = try Self.decide(Self.body(Self.eip712(try Self.permit(amount: "1", chainId: 8453))))
        #expect(otherChain.decision.outcome == .deny)
        #expect(otherChain.lines.contains { $0.contains("domain chainId 8453 is not one it covers") })
        // An unlimited permit cannot be compared: the allow rule fails closed.
        let unlimited = try Self.decide(Self.body(Self.eip712(try Self.permit(amount: "1461501637330902918203684832716283019655932542975"))))
        #expect(unlimited.decision.outcome == .deny)
        #expect(unlimited.lines.contains { $0.contains("too large to compare") })
        // BIP-340 and raw messages: no rule allows the bot to sign them.
        #expect(try Self.decide(Self.body(Self.hex("bip340", "00"), vault: "hot-trading")).decision.outcome == .deny)
        // A treasury person's message needs treasury and security; cold storage never signs one.
        let person = try Self.decide(Self.body(Self.eip191("Meridian Capital attests its Kraken balance"), initiator: "alice"))
        #expect(person.decision.outcome == .needsApprovals)
        #expect(Set(person.decision.pending.map(\.group)) == ["treasury", "security"])
        #expect(try Self.decide(Self.body(Self.eip191("Meridian Capital attests its Kraken balance"), initiator: "alice"), approvals: ["bob", "heidi"])
            .decision.outcome == .allow)
        // Typed data is allowed only by type and contract: a Permit2 permit asked for by a treasury
        // person is not a CoW Protocol order, and no approvals make it one.
        let permitByPerson = try Self.decide(Self.body(Self.eip712(try Self.permit(amount: "5")), initiator: "alice"), approvals: ["bob", "heidi"])
        #expect(permitByPerson.decision.outcome == .deny && permitByPerson.decision.reason == .noRuleMatched)
        let cold = try Self.decide(Self.body(Self.eip191("hello"), initiator: "alice", vault: "cold-storage"))
        #expect(cold.decision.outcome == .deny)
        #expect(cold.lines[0].contains("deny-messages-from-cold"))
        // Transfer rules never apply to messages, and message rules never to transfers.
        #expect(!authorisation.decision.applied.contains { $0.name == "deny-bots-to-unknown" })
    }

    // MARK: In the log: vaults and every node alike

    /// The example policy's cluster with four member nodes, the risk bot, and active vaults
    /// `hot-trading` (ECDSA) and `taproot` (FROST-Taproot), and `pending` still generating.
    static func cluster() throws -> (Cluster, BotSigningKey) {
        let ceremony = VaultCeremonyTests()
        var c = try ExamplePolicyTests.cluster()
        c.state = try ReplicatedState(genesis: c.genesis, members: ceremony.nodes.map { try $0.identity.member() })
        _ = try ceremony.generate(&c, "hot-trading", .ecdsaSecp256k1)
        _ = try ceremony.generate(&c, "taproot", .frostTaproot)
        try ceremony.create(&c, "pending", .frostEd25519)
        let key = BotSigningKey(ed25519: .init())
        try c.registerBot("risk-bot", key: key.publicKey, roles: ["risk-bot"])
        return (c, key)
    }

    @Test func theLogRefusesMessagesNoActiveVaultOfTheirSchemeCanSign() throws {
        var (c, key) = try Self.cluster()
        let cases: [(JSONValue, GovernanceError.Code, String)] = [
            (Self.body(Self.eip191("hi"), vault: "nowhere"), .unknownVault, "no vault \"nowhere\""),
            (Self.body(Self.hex("raw", "00"), vault: "pending"), .invalidRequest, "vault pending is generating, not active"),
            (Self.body(Self.hex("raw", "00"), vault: "hot-trading"), .invalidRequest,
             "a raw message is signed by a frost-ed25519 vault; vault hot-trading is ecdsa-secp256k1"),
            (Self.body(Self.eip191("hi"), vault: "taproot"), .invalidRequest,
             "a eip191 message is signed by a ecdsa-secp256k1 vault; vault taproot is frost-taproot"),
        ]
        for (body, code, reason) in cases {
            let signed = c.signed(body, keyId: "risk-bot", key: key)
            let outcome = try c.submit(signed)
            guard case .refused(let error) = outcome else { Issue.record("accepted: \(outcome)"); continue }
            #expect(error.code == code)
            #expect(error.reason.contains(reason), "\(error.reason)")
        }
        #expect(c.state.requestBook.requests.isEmpty)
    }

    @Test func everyNodeDecidesTheSameMessagesAlike() throws {
        var (c, key) = try Self.cluster()
        var other = c.state
        let bodies = [
            Self.body(Self.eip191(Self.prefix + "withdraw 5 ETH")),
            Self.body(Self.eip191("something else")),
            Self.body(Self.eip712(try Self.permit(amount: "1000"))),
            Self.body(Self.hex("bip340", "0x" + String(repeating: "07", count: 33)), vault: "taproot"),
        ]
        var outcomes: [PolicyDecision.Outcome] = []
        for body in bodies {
            let signed = c.signed(body, keyId: "risk-bot", key: key)
            let entry = try RequestEntry.submit(signed)
            let outcome = c.apply(entry)
            #expect(other.apply(entry, blockTime: c.now) == outcome)
            outcomes.append(try #require(Cluster.decided(outcome)).outcome)
        }
        #expect(outcomes == [.allow, .deny, .allow, .deny])
        #expect(other.digest == c.state.digest)
        // The recorded request keeps the committed body, from which the signing input follows.
        let recorded = try #require(c.state.requestBook.order.first.flatMap { c.state.requestBook.requests[$0] })
        #expect(recorded.request.message?.text == Self.prefix + "withdraw 5 ETH")
        #expect(try MessageSigningInput.input(committedBody: recorded.body, scheme: .ecdsaSecp256k1)
            == EVM.PersonalMessage.hash(Array((Self.prefix + "withdraw 5 ETH").utf8)))
    }
}
