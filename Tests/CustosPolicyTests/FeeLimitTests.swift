import CustosPolicy
import Foundation
import Testing

/// `fee_limits`: per chain, the most an EVM transaction may bid for gas, which every node checks
/// an executor's parameters against. Decoded strictly and checked before a policy is accepted.
@Suite struct FeeLimitTests {
    static func text(_ limits: String) -> String {
        Fixtures.yaml(rules: "  - name: r\n    outcome: deny\n").replacingFirst("rules:\n", with: "fee_limits:\n\(limits)rules:\n")
    }

    @Test func feeLimitsAreRead() throws {
        let document = try PolicyDocument.decode(yaml: Self.text(
            "  ethereum: {max_fee_per_gas_gwei: 200, max_priority_fee_per_gas_gwei: 2.5, max_gas_limit: 500000}\n"))
        let limit = try #require(document.feeLimits.first)
        #expect(limit.chain.value == "ethereum" && limit.maxFeePerGasGwei == FixedDecimal(parsing: "200"))
        #expect(limit.maxPriorityFeePerGasGwei == FixedDecimal(parsing: "2.5") && limit.maxGasLimit == 500_000)
        let defaulted = try PolicyDocument.decode(yaml: Self.text("  ethereum: {max_fee_per_gas_gwei: 1, max_priority_fee_per_gas_gwei: 1}\n"))
        #expect(defaulted.feeLimits.first?.maxGasLimit == PolicyDocument.FeeLimit.defaultMaxGasLimit)
        #expect(Fixtures.errors(Self.text("  ethereum: {max_fee_per_gas_gwei: 1, max_priority_fee_per_gas_gwei: 1}\n")).isEmpty)
    }

    @Test(arguments: [
        ("  ethereum: {max_fee_per_gas_gwei: 1, max_priority_fee_per_gas_gwei: 2}\n", "exceeds the fee cap"),
        ("  ethereum: {max_fee_per_gas_gwei: 0.0000000001, max_priority_fee_per_gas_gwei: 0}\n", "whole wei"),
        ("  ethereum: {max_fee_per_gas_gwei: 1, max_priority_fee_per_gas_gwei: 1, max_gas_limit: 20000}\n", "max_gas_limit"),
        ("  ethereum: {max_fee_per_gas_gwei: 1}\n", "max_priority_fee_per_gas_gwei"),
        ("  ethereum: {max_fee_per_gas_gwei: 1, max_priority_fee_per_gas_gwei: 1, max_fee: 3}\n", "max_fee"),
        ("  dogechain: {max_fee_per_gas_gwei: 1, max_priority_fee_per_gas_gwei: 1}\n", "chain 'dogechain' of fee_limits is not a chain of any asset"),
    ])
    func badFeeLimitsAreRefused(limits: String, message: String) throws {
        let errors = Fixtures.errors(Self.text(limits))
        #expect(errors.contains { $0.message.contains(message) }, "\(errors.map(\.message))")
    }

    @Test func aRaisedFeeCapIsAWeakerPolicy() throws {
        let old = try PolicyDocument.decode(yaml: Self.text("  ethereum: {max_fee_per_gas_gwei: 100, max_priority_fee_per_gas_gwei: 2}\n"))
        let new = try PolicyDocument.decode(yaml: Self.text("  ethereum: {max_fee_per_gas_gwei: 300, max_priority_fee_per_gas_gwei: 2}\n"))
        #expect(PolicyDiff(old: old, new: new).lines.filter { $0.hasPrefix("fee limit") } == ["fee limit ethereum: max_fee_per_gas_gwei 100 → 300 (weaker)"])
        let none = try PolicyDocument.decode(yaml: Fixtures.yaml(rules: "  - name: r\n    outcome: deny\n"))
        #expect(PolicyDiff(old: old, new: none).lines.filter { $0.hasPrefix("fee limit") } == ["fee limit ethereum: removed (stronger)"])
    }
}
