import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// Transfer and contract call bodies that say what will be signed: read strictly as JSON, then
/// resolved by every node against the registered assets and the vault's addresses into the
/// transaction it will sign and the policy's view of it; the submitter supplies neither.
@Suite struct TransactionRequestTests {
    let ceremony = VaultCeremonyTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())

    /// A cluster with an active ECDSA vault `hot`, ETH and USDC registered on ethereum, the
    /// risk bot and an executor; and a FROST vault `sol`.
    func cluster(frost: Bool = false) throws -> Cluster {
        var c = try ceremony.cluster()
        _ = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        if frost { _ = try ceremony.generate(&c, "sol", .frostEd25519) }
        try c.prepareTransactions(bot: bot, executor: executor)
        return c
    }

    static func parse(_ text: String) throws -> JSONValue { try JSONParser().parse(Array(text.utf8)) }

    @Test func transfersAndCallsReadFromJSON() throws {
        let transfer = try TransactionRequest(json: Cluster.evmTransfer(extra: [("memo", .string("top-up"))]))
        #expect(transfer.kind == .transfer && transfer.asset == "ETH" && transfer.amount == "1.5" && transfer.from == "m")
        #expect(transfer.memo == "top-up" && transfer.data.isEmpty)
        let call = try TransactionRequest(json: Cluster.evmCall(data: "0x095ea7b3"))
        #expect(call.kind == .contractCall && call.data == [0x09, 0x5e, 0xa7, 0xb3] && call.amount == "0" && call.asset.isEmpty)
        #expect(TransactionRequest.isTransaction(Cluster.evmTransfer()))
        #expect(!TransactionRequest.isTransaction(Cluster.transfer(by: "risk-bot")), "the policy's own form has no from")
    }

    static let hostile: [(name: String, body: String, reason: String)] = [
        ("an array", #"[1]"#, "not an object"),
        ("no kind", #"{"initiator": "a"}"#, "kind must be"),
        ("a message kind", #"{"kind": "message", "from": "m"}"#, "kind must be"),
        ("a missing amount", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1"}"#, "the request body is missing amount"),
        ("an amount as a number", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": 1.5}"#, "amount is a number"),
        ("a negative amount", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": "-1"}"#, "not a decimal number"),
        ("an exponent", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": "1e18"}"#, "not a decimal number"),
        ("a trailing dot", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": "1."}"#, "not a decimal number"),
        ("the policy's destination", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": "1", "destination": "0x2"}"#, "unknown member \"destination\""),
        ("calldata on a transfer", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": "1", "data": "0x"}"#, "unknown member \"data\""),
        ("an asset on a call", #"{"kind": "contract_call", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "to": "0x1", "data": "0x", "asset": "ETH"}"#, "unknown member \"asset\""),
        ("calldata that is not hex", #"{"kind": "contract_call", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "to": "0x1", "data": "0xzz"}"#, "data is not hex"),
        ("calldata as an object", #"{"kind": "contract_call", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "to": "0x1", "data": {}}"#, "data is a"),
        ("an empty vault", #"{"kind": "transfer", "initiator": "a", "vault": "", "from": "m", "chain": "c", "asset": "ETH", "to": "0x1", "amount": "1"}"#, "vault is empty"),
        ("a to as a number", #"{"kind": "transfer", "initiator": "a", "vault": "v", "from": "m", "chain": "c", "asset": "ETH", "to": 1, "amount": "1"}"#, "to is a"),
    ]

    @Test(arguments: Self.hostile) func hostileBodiesAreRefusedNamingTheMember(_ vector: (name: String, body: String, reason: String)) throws {
        let error = #expect(throws: GovernanceError.self, "\(vector.name)") { try TransactionRequest(json: try Self.parse(vector.body)) }
        #expect(error?.code == .invalidRequest, "\(vector.name)")
        #expect(error?.reason.contains(vector.reason) == true, "\(vector.name): \(error?.reason ?? "")")
    }

    @Test func oversizedMembersAreRefusedNotCut() throws {
        let long = String(repeating: "1", count: TransactionRequest.maximumAmountBytes + 1)
        let huge = "0x" + String(repeating: "ab", count: TransactionRequest.maximumDataBytes + 1)
        let memo = String(repeating: "m", count: TransactionRequest.maximumMemoBytes + 1)
        for (body, reason) in [(Cluster.evmTransfer(amount: long), "amount is longer"), (Cluster.evmCall(data: huge), "data is longer"),
                               (Cluster.evmTransfer(extra: [("memo", .string(memo))]), "memo is longer")] {
            let error = #expect(throws: GovernanceError.self) { try TransactionRequest(json: body) }
            #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
        }
        // A truncated body is not JSON: the gateway and every node refuse it before this.
        #expect(throws: (any Error).self) { try Self.parse(#"{"kind": "transfer", "amount": "1"#) }
    }

    @Test func everyNodeDerivesTheSamePolicyViewAndTransaction() throws {
        var c = try cluster()
        var other = c.state
        let signed = c.signed(Cluster.evmTransfer(asset: "USDC", amount: "7.5"), keyId: "risk-bot", key: bot)
        let entry = try RequestEntry.submit(signed)
        guard case .requestDecided(let id, .allow) = c.apply(entry) else { Issue.record("not allowed"); return }
        #expect(other.apply(entry, blockTime: c.now) == .requestDecided(requestId: id, outcome: .allow))
        #expect(other.digest == c.state.digest)
        let request = try #require(c.state.requestBook.requests[id]?.request)
        #expect(request == other.requestBook.requests[id]?.request)
        #expect(request.kind == .transfer && request.asset == "USDC" && request.amount == FixedDecimal(parsing: "7.5"))
        #expect(request.destination.lowercased() == Cluster.kraken && request.chain == "ethereum" && request.vault == "hot")
        let vaultAddress = try #require(c.state.vaults["hot"]!.rootAddresses.first { $0.chain == .evm }?.address)
        #expect(request.account == vaultAddress)
        // The token transfer every node will sign: to the token, no value, transfer(kraken, 7.5 × 10⁶).
        let plan = try #require(c.state.transactions[id])
        #expect(plan == other.transactions[id])
        #expect(plan.to?.checksummed.lowercased() == Cluster.usdc && plan.value == 0 && plan.chainId == 1 && plan.status == .awaitingParameters)
        #expect(plan.from.checksummed == vaultAddress && plan.path == [])
        #expect(plan.data == (try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(try EVM.Address(hex: Cluster.kraken)), .uint(7_500_000)])))
        // The decision reads the address book as before: kraken is tagged exchange.
        #expect(c.state.requestBook.requests[id]?.decision.applied.map(\.name) == ["bot-to-exchanges"])
    }

    @Test func aContractCallIsDecodedForThePolicyByEveryNode() throws {
        var c = try cluster()
        let spender = try EVM.Address(hex: Cluster.kraken)
        let approve = try EVM.ABI.encodeCall("approve(address,uint256)", [.address(spender), .uint(1_000_000_000)])
        let outcome = try c.submit(c.signed(Cluster.evmCall(data: "0x" + approve.hexString), keyId: "risk-bot", key: bot))
        guard case .requestDecided(let id, .allow) = outcome else { Issue.record("\(outcome)"); return }
        let call = try #require(c.state.requestBook.requests[id]?.request.call)
        #expect(call.function == "approve" && call.selector == "0x095ea7b3")
        #expect(call.arguments["spender"] == spender.checksummed && call.amounts["amount"] == FixedDecimal(parsing: "1000"), "in USDC's units")
        #expect(c.state.requestBook.requests[id]?.request.kind == .contractCall)
        // An unlimited approval does not fit a decimal: rules reading it fail closed.
        let unlimited = try EVM.ABI.encodeCall("approve(address,uint256)", [.address(spender), .uint(.uint256Max)])
        guard case .requestDecided(let other, _) = try c.submit(c.signed(Cluster.evmCall(data: "0x" + unlimited.hexString), keyId: "risk-bot", key: bot))
        else { Issue.record("refused"); return }
        #expect(c.state.requestBook.requests[other]?.request.call?.oversizedAmounts == ["amount"])
    }

    @Test func whatCannotBeResolvedIsRefusedWithTheReason() throws {
        var c = try cluster(frost: true)
        let cases: [(JSONValue, String)] = [
            (Cluster.evmTransfer(asset: "DAI"), "asset DAI is not registered on ethereum"),
            (Cluster.evmTransfer(from: Cluster.stranger), "is not an EVM address of vault hot"),
            (Cluster.evmTransfer(from: "trading-7"), "from \"trading-7\" is not an EVM address of vault hot"),
            (Cluster.evmTransfer(asset: "USDC", amount: "0.0000001"), "USDC has 6 decimals"),
            (Cluster.evmTransfer(to: "0x12"), "to is not an EVM address"),
            (Cluster.evmTransfer(amount: "0"), "amount is zero"),
            (Cluster.evmTransfer(extra: []).replacing("chain", with: .string("solana")), "chain \"solana\" has no registered asset"),
            (Cluster.evmTransfer().replacing("vault", with: .string("sol")), "vault sol is frost-ed25519"),
            (Cluster.evmTransfer().replacing("vault", with: .string("cold")), "no vault \"cold\""),
        ]
        for (body, reason) in cases {
            let outcome = try c.submit(c.signed(body, keyId: "risk-bot", key: bot))
            #expect(Cluster.code(outcome) == .invalidRequest, "\(reason)")
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
        }
        #expect(c.state.transactions.count == 0)
    }

    @Test func assetsAreRegisteredUnambiguously() throws {
        var c = try cluster()
        #expect(c.state.chainId(of: "ethereum") == 1 && c.state.assets(on: "ethereum").map(\.symbol) == ["ETH", "USDC"])
        for (asset, reason) in [
            (RegisteredAsset(chain: "ethereum", chainId: 5, symbol: "DAI", contract: Cluster.stranger, decimals: 18), "chain ethereum has chain id 1"),
            (RegisteredAsset(chain: "base", chainId: 1, symbol: "USDC", contract: Cluster.usdc, decimals: 6), "chain id 1 is chain ethereum's"),
            (RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "WETH", contract: nil, decimals: 18), "already has a native asset"),
            (RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "USDC2", contract: Cluster.usdc, decimals: 6), "is already registered on ethereum as USDC"),
            (RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "BIG", contract: Cluster.stranger, decimals: 30), "at most 18 decimals"),
            (RegisteredAsset(chain: "ethereum", chainId: 1, symbol: "X", contract: "0x12", decimals: 6), "is not an EVM address"),
        ] {
            // Refused when proposed: the proposal is tried on a copy of the state.
            let (_, outcome) = try c.propose(.registerAsset(asset), by: "frank")
            #expect(Cluster.code(outcome) == .invalidChange, "\(reason)")
            #expect(Cluster.reason(outcome).contains(reason), "\(Cluster.reason(outcome))")
        }
        try c.govern(.registerAsset(RegisteredAsset(chain: "devnet", chainId: 31337, symbol: "ETH", contract: nil, decimals: 18)))
        try c.govern(.removeAsset(chain: "ethereum", symbol: "USDC"))
        #expect(c.state.assets.keys.sorted() == ["devnet/ETH", "ethereum/ETH"])
        let outcome = try c.submit(c.signed(Cluster.evmTransfer(asset: "USDC"), keyId: "risk-bot", key: bot))
        #expect(Cluster.reason(outcome).contains("asset USDC is not registered on ethereum"))
    }
}

extension JSONValue {
    /// This object with member `key` set to `value`.
    func replacing(_ key: String, with value: JSONValue) -> JSONValue {
        guard case .object(let members) = self else { return self }
        return .object(members.map { $0.key == key ? (key: key, value: value) : $0 })
    }
}
