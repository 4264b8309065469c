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
        #expect(c.state.windows.totals["per-destination", "kraken"].count == 1)
        #expect(c.state.windows.totals.totals(of: "per-destination").count == 1)
        // The transaction signed is the call itself: to the token, no value.
        let plan = try #require(c.state.transactions[id])
        #expect(plan.to.checksummed.lowercased() == Cluster.usdc && plan.value == 0)
    }

    @Test func anApprovalIsChargedToItsSpender() throws {
        var c = try cluster()
        let stranger = try EVM.Address(hex: Cluster.stranger)
        let (_, request) = try decided(try submit(&c, "approve(address,uint256)", [.address(stranger), .uint(2_000_000)]), c, as: .allow)
        #expect(request.asset == "USDC" && request.amount == FixedDecimal(2)! && request.destination == stranger.checksummed)
        #expect(c.state.windows.totals["per-destination", stranger.checksummed.lowercased()].count == 1)
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
