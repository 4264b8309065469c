import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Testing

/// A bot with a key that may make token calls tries to move funds past its limits by calling
/// the token contract instead of asking for a transfer: every node charges the call with the
/// token and amount it moves, to its recipient (or spender), exactly like a transfer; a token
/// that is not registered cannot be priced and fails USD clauses closed; a call that moves
/// tokens and native value at once is refused.
@Suite struct TokenCallChargeTests {
    let requests = TransactionRequestTests()

    /// The transaction policy with token `transfer` calls allowed too, within a count limit per
    /// destination and a USD limit per counterparty (whose deny rule covers contract calls).
    static func policy() -> String {
        Cluster.transactionPolicy(version: 3)
            .replacing("functions: [approve]}}", with: "functions: [approve, transfer]}, within: [per-destination]}")
            .replacing("rules:\n", with: """
                limits:
                  per-destination: {per: destination, window: 24h, max_count: 5}
                rules:

                """)
    }

    func cluster() throws -> Cluster {
        var c = try requests.cluster()
        try c.govern(.changePolicy(yaml: Self.policy()))
        return c
    }

    func submit(_ c: inout Cluster, _ function: String, to token: String = Cluster.usdc, _ args: [EVM.ABIValue], value: String = "0") throws
        -> GovernanceOutcome
    {
        let data = try EVM.ABI.encodeCall(function, args)
        return try c.submit(c.signed(Cluster.evmCall(to: token, data: "0x" + data.hexString, value: value), keyId: "risk-bot", key: requests.bot))
    }

    /// The policy's view of the request `outcome` decided, and its id.
    func decided(_ outcome: GovernanceOutcome, _ c: Cluster, as expected: PolicyDecision.Outcome? = nil) throws -> (id: String, request: PolicyRequest) {
        let (id, verdict) = try #require(Cluster.decided(outcome), "\(outcome)")
        if let expected { #expect(verdict == expected) }
        return (id, try #require(c.state.requestBook.requests[id]?.request))
    }

    @Test func aTokenTransferCallIsChargedToItsRecipientInTheToken() throws {
        var c = try cluster()
        let kraken = try EVM.Address(hex: Cluster.kraken)
        let (id, request) = try decided(try submit(&c, "transfer(address,uint256)", [.address(kraken), .uint(7_500_000)]), c, as: .allow)
        #expect(request.kind == .contractCall && request.asset == "USDC" && request.amount == FixedDecimal(parsing: "7.5"))
        #expect(request.destination == kraken.checksummed && request.unpriced == nil)
        #expect(request.call?.target.lowercased() == Cluster.usdc && request.call?.function == "transfer")
        // Counted against the recipient (the address book's kraken), not the token contract.
        #expect(c.state.windows.book(.development).totals["per-destination", "kraken"].count == 1)
        #expect(c.state.windows.book(.development).totals.totals(of: "per-destination").count == 1)
        // The transaction signed is the call itself: to the token, no value.
        let plan = try #require(c.state.transactions[id])
        #expect(plan.to?.checksummed.lowercased() == Cluster.usdc && plan.value == 0)
    }

    @Test func anApprovalIsChargedToItsSpender() throws {
        var c = try cluster()
        let stranger = try EVM.Address(hex: Cluster.stranger)
        let (_, request) = try decided(try submit(&c, "approve(address,uint256)", [.address(stranger), .uint(2_000_000)]), c, as: .allow)
        #expect(request.asset == "USDC" && request.amount == FixedDecimal(2)! && request.destination == stranger.checksummed)
        #expect(c.state.windows.book(.development).totals["per-destination", stranger.checksummed.lowercased()].count == 1)
    }

    @Test func aMovementOnAnUnregisteredTokenIsUnpricedNotFree() throws {
        var c = try cluster()
        let kraken = try EVM.Address(hex: Cluster.kraken)
        let token = try EVM.Address(hex: Cluster.stranger)
        let (_, request) = try decided(try submit(&c, "transfer(address,uint256)", to: Cluster.stranger, [.address(kraken), .uint(1_000_000_000)]), c)
        #expect(request.asset == token.checksummed && request.amount == FixedDecimal(1_000_000_000)!, "raw units: the decimals are unknown")
        #expect(request.unpriced?.contains("not a registered asset") == true)
        #expect(request.destination == kraken.checksummed)
        // An unlimited approval of a registered token is unpriced as well.
        let (_, approval) = try decided(try submit(&c, "approve(address,uint256)", [.address(kraken), .uint(.uint256Max)]), c)
        #expect(approval.amount == FixedDecimal(raw: .max) && approval.unpriced?.contains("beyond the policy's decimals") == true)
    }

    @Test func aTokenCallCarryingNativeValueIsRefused() throws {
        var c = try cluster()
        let kraken = try EVM.Address(hex: Cluster.kraken)
        let outcome = try submit(&c, "transfer(address,uint256)", [.address(kraken), .uint(1)], value: "1")
        #expect(Cluster.code(outcome) == .invalidRequest)
        #expect(Cluster.reason(outcome).contains("a call that moves tokens carries no native value"), "\(Cluster.reason(outcome))")
        #expect(c.state.transactions.count == 0)
    }

    /// The policy's view of a call from the vault to `target` carrying `data` (not decided here).
    func view(_ c: inout Cluster, to target: String = Cluster.usdc, _ data: [UInt8], value: String = "0") throws -> PolicyRequest {
        try decided(try c.submit(c.signed(Cluster.evmCall(to: target, data: "0x" + data.hexString, value: value), keyId: "risk-bot", key: requests.bot)), c).request
    }

    /// A bot dresses a value transfer up as calls the decoder does not read (review helper-48
    /// M1): each is unpriced, never priced at its native value (0), so a USD-bounded allow rule
    /// does not cover it; a call positively decoded as moving nothing stays priced.
    @Test func aCallTheDecoderDoesNotRecogniseIsUnpricedAndFailsUSDClausesClosed() throws {
        var c = try cluster()
        let router = "0x7777777777777777777777777777777777777777"
        try c.govern(.changePolicy(yaml: Self.policy().replacing("version: 3", with: "version: 4").replacing("rules:\n", with: """
            rules:
              - name: bot-calls-router
                match: {kind: [contract_call], initiator: {kind: bot}, call: {targets: ["\(router)"]}, amount_usd: {up_to: 1000}}
                outcome: allow

            """) + "prices: {min_sources: 3, max_age: 5m, max_move_percent: 10}\n"))
        var keys: [String: BotSigningKey] = [:]
        for source in PriceRoomTests.sources {
            keys[source] = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
            try c.registerBot(source, key: keys[source]!.publicKey, roles: [PriceEntry.sourceRole])
        }
        for source in PriceRoomTests.sources {
            let body = PricePost(asset: "ETH", usd: FixedDecimal(3000)!, time: Int64((c.now + 1000) / 1000)).json
            #expect(c.apply(try PriceEntry.post(c.signed(body, keyId: source, key: keys[source]!))) == .priced(asset: "ETH", source: source))
        }
        let vault = try EVM.Address(hex: Cluster.stranger)
        let calls: [(String, [UInt8], String)] = [
            ("an unknown selector", try EVM.ABI.encodeCall("sweep(address)", [.address(vault)]), "does not recognise the call (selector 0x01681a62)"),
            ("WETH withdraw", try EVM.ABI.encodeCall("withdraw(uint256)", [.uint(1_000_000)]), "does not recognise the call (selector 0x2e1a7d4d)"),
            ("Permit2 transferFrom", try EVM.ABI.encodeCall("transferFrom(address,address,uint160,address)",
                                                            [.address(vault), .address(vault), .uint(1_000_000), .address(vault)]),
             "does not recognise the call (selector 0x36c78516)"),
            ("multicall", try EVM.ABI.encodeCall("multicall(bytes[])", [.array([.bytes([1, 2, 3, 4])])]), "does not recognise the call (selector 0xac9650d8)"),
            ("a malformed transfer", Array(try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(vault), .uint(1)]).dropLast()),
             "the arguments of transfer(address,uint256) do not decode"),
            ("an ownership transfer", try EVM.ABI.encodeCall("transferOwnership(address)", [.address(vault)]), "hands control of"),
            // Moving no value is not harmless: a renounced ownership or a revoked role may leave
            // the firm without control of the contract for good (review helper-89 L1).
            ("an ownership renounced", try EVM.ABI.encodeCall("renounceOwnership()", []), "gives up control of"),
            ("a role revoked", try EVM.ABI.encodeCall("revokeRole(bytes32,address)", [.fixedBytes(Array(repeating: 0, count: 32)), .address(vault)]),
             "takes a role on"),
        ]
        for (what, data, reason) in calls {
            let outcome = try c.submit(c.signed(Cluster.evmCall(to: router, data: "0x" + data.hexString), keyId: "risk-bot", key: requests.bot))
            let (id, verdict) = try #require(Cluster.decided(outcome), "\(what): \(outcome)")
            let recorded = try #require(c.state.requestBook.requests[id])
            #expect(recorded.request.amount == .zero && recorded.request.unpriced?.contains(reason) == true, "\(what): \(recorded.request.unpriced ?? "priced")")
            #expect(verdict == .deny, "\(what)")
            #expect(recorded.decision.skippedAllows.first { $0.name == "bot-calls-router" }?.problem.contains(reason) == true,
                    "\(what): \(recorded.decision.skippedAllows)")
        }
        // An operator's approval withdrawn moves nothing beyond its (zero) native value: priced
        // at 0 USD, allowed.
        let withdraw = try EVM.ABI.encodeCall("setApprovalForAll(address,bool)", [.address(vault), .bool(false)])
        let (_, verdict) = try #require(Cluster.decided(try c.submit(c.signed(Cluster.evmCall(to: router, data: "0x" + withdraw.hexString),
                                                                                keyId: "risk-bot", key: requests.bot))))
        #expect(verdict == .allow)
    }

    /// A Safe multiSend is charged with what its parts move: two transfers of one token are one
    /// charge of their sum; parts the decoder does not read, delegatecalls, more than one asset or
    /// tokens and value at once are unpriced; a Safe transaction that moves the Safe's funds too.
    @Test func aMultiSendIsChargedWithItsPartsSummed() throws {
        var c = try cluster()
        let multiSend = try EVM.Address(hex: "0x4444444444444444444444444444444444444444")
        let usdc = try EVM.Address(hex: Cluster.usdc), kraken = try EVM.Address(hex: Cluster.kraken), stranger = try EVM.Address(hex: Cluster.stranger)
        func transfer(_ to: EVM.Address, _ units: BigUInt, token: EVM.Address = usdc, operation: EVM.Operation = .call, value: BigUInt = 0) throws -> EVM.MultiSend.Item {
            .init(operation: operation, to: token, value: value, data: try EVM.ABI.encodeCall("transfer(address,uint256)", [.address(to), .uint(units)]))
        }
        func batch(_ items: [EVM.MultiSend.Item]) throws -> [UInt8] { try EVM.ABI.encodeCall("multiSend(bytes)", [.bytes(EVM.MultiSend.pack(items))]) }
        let summed = try view(&c, to: multiSend.checksummed, try batch([try transfer(kraken, 1_500_000), try transfer(kraken, 2_250_000)]))
        #expect(summed.unpriced == nil && summed.asset == "USDC" && summed.amount == FixedDecimal(parsing: "3.75")! && summed.destination == kraken.checksummed)
        let split = try view(&c, to: multiSend.checksummed, try batch([try transfer(kraken, 1_000_000), try transfer(stranger, 1_000_000)]))
        #expect(split.unpriced == nil && split.amount == FixedDecimal(2)! && split.destination == multiSend.checksummed,
                "parts to two counterparties keep the MultiSend contract as destination")
        let unpriced: [([EVM.MultiSend.Item], String, String)] = [
            ([try transfer(kraken, 1), .init(operation: .call, to: usdc, value: 0, data: [0xde, 0xad, 0xbe, 0xef])], "0",
             "part 2 of the multiSend: the decoder does not recognise the call (selector 0xdeadbeef)"),
            ([try transfer(kraken, 1), try transfer(kraken, 1, operation: .delegatecall)], "0", "part 2 of the multiSend is a delegatecall"),
            ([try transfer(kraken, 1), try transfer(kraken, 1, token: stranger)], "0", "moves more than one token"),
            ([try transfer(kraken, 1), .init(operation: .call, to: kraken, value: 5, data: [])], "0", "moves native value and tokens at once"),
        ]
        for (items, value, reason) in unpriced {
            let request = try view(&c, to: multiSend.checksummed, try batch(items), value: value)
            #expect(request.unpriced?.contains(reason) == true, "\(reason): \(request.unpriced ?? "priced")")
        }
        // A batch of token movements sent with native value is refused, as a token call with value is.
        let withValue = try c.submit(c.signed(Cluster.evmCall(to: multiSend.checksummed, data: "0x" + (try batch([try transfer(kraken, 1)])).hexString,
                                                              value: "0.1"), keyId: "risk-bot", key: requests.bot))
        #expect(Cluster.reason(withValue).contains("a call that moves tokens carries no native value"), "\(withValue)")
        // Native value only: priced at the value the vault sends.
        let native = try view(&c, to: multiSend.checksummed, try batch([.init(operation: .call, to: kraken, value: 100, data: [])]), value: "0.5")
        #expect(native.unpriced == nil && native.asset == "ETH" && native.amount == FixedDecimal(parsing: "0.5")!)
        // A Safe executing that batch by delegatecall moves the Safe's funds: unpriced.
        let safe = try EVM.ABI.encodeCall("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)", [
            .address(multiSend), .uint(0), .bytes(try batch([try transfer(kraken, 1)])), .uint(1), .uint(0), .uint(0), .uint(0),
            .address(.zero), .address(.zero), .bytes([]),
        ])
        #expect(try view(&c, to: stranger.checksummed, safe).unpriced?.contains("executes a Safe transaction that moves the funds of") == true)
        // The attacker's shape (review helper-89 H1): a delegatecall to any contract whose calldata
        // merely looks like an empty or harmless multiSend runs that contract's code as the Safe.
        for items in [[], [EVM.MultiSend.Item(operation: .call, to: kraken, value: 0, data: [])]] {
            let evil = try EVM.ABI.encodeCall("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)", [
                .address(stranger), .uint(0), .bytes(try batch(items)), .uint(1), .uint(0), .uint(0), .uint(0), .address(.zero), .address(.zero), .bytes([]),
            ])
            #expect(try view(&c, to: multiSend.checksummed, evil).unpriced?.contains("executes a Safe transaction that moves the funds of, or acts as") == true,
                    "a Safe delegatecall of \(items.count) harmless parts is unpriced")
        }
    }

    /// The policy's list of the functions a call can be reported as is exactly what the EVM
    /// decoder reports, so the checker's "never decoded" warning is never wrong.
    @Test func thePolicysDecodedFunctionsAreTheDecodersOwn() {
        var decoded = Set(EVM.IntentDecoder.knownSignatures().map { String($0.prefix { $0 != "(" }) })
        decoded.formUnion(["native.transfer", "contract.create", "unknown", "malformed"])
        #expect(PolicyRequest.ContractCall.decodedFunctions == decoded)
        #expect(EVM.Action.nativeTransfer(to: try! EVM.Address(hex: Cluster.kraken), amount: 1).kind == "native.transfer")
        #expect(EVM.Action.contractCreation(initCode: []).kind == "contract.create")
    }
}
