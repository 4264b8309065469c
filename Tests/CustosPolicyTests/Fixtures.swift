import CustosCore
import CustosPolicy
import CustosTestSupport
import Foundation
import Testing

/// Small policies for table-driven tests: a fixed cast, address book and governance, with the
/// rules under test spliced in.
enum Fixtures {
    static let header = """
        policy: test
        version: 1
        assets:
          ETH: {chains: [ethereum]}
          USDC: {chains: [ethereum]}
          BTC: {chains: [bitcoin]}
        vaults: [hot, cold]
        principals:
          alice: {kind: person, roles: [treasury]}
          bob: {kind: person, roles: [treasury]}
          carol: {kind: person, roles: [treasury, risk]}
          dan: {kind: person, roles: [risk]}
          erin: {kind: person, roles: [admin, security]}
          frank: {kind: person, roles: [admin]}
          grace: {kind: person, roles: [admin]}
          bot: {kind: bot, roles: [trading-bot]}
        groups:
          treasury: {roles: [treasury]}
          risk: {roles: [risk]}
          admins: {roles: [admin]}
          security: {roles: [security]}
        address_book:
          kraken:
            chain: ethereum
            address: "0x1111111111111111111111111111111111111111"
            counterparty: kraken
            tags: [exchange]
          binance:
            chain: ethereum
            address: "0x2222222222222222222222222222222222222222"
            counterparty: binance
            tags: [exchange]
          cold-wallet:
            chain: ethereum
            address: "0x3333333333333333333333333333333333333333"
            tags: [internal]
          router:
            chain: ethereum
            address: "0xAbCdEf4444444444444444444444444444444444"
            tags: [defi]
          kraken-btc:
            chain: bitcoin
            address: bc1qkraken
            counterparty: kraken
            tags: [exchange]
        limits:
          exchange-daily: {per: counterparty, window: 24h, max_usd: 1_000_000}
          bot-hourly: {per: initiator, window: 1h, max_count: 3}

        """

    /// Risk officers propose too: with only the three admins proposing, each could block an
    /// unfreeze alone by rejecting it, which the lockout check refuses.
    static let governance = """
        governance:
          proposers: {roles: [admin, risk]}
          quorum: {group: admins, count: 2}
          freeze: {roles: [security]}

        """

    static func yaml(rules: String, governance: String = Fixtures.governance) -> String {
        header + governance + "rules:\n" + rules
    }

    static func policy(rules: String, governance: String = Fixtures.governance) throws -> CompiledPolicy {
        try CompiledPolicy(yaml: yaml(rules: rules, governance: governance))
    }

    static let kraken = "0x1111111111111111111111111111111111111111"
    static let binance = "0x2222222222222222222222222222222222222222"
    static let coldWallet = "0x3333333333333333333333333333333333333333"
    static let router = "0xabcdef4444444444444444444444444444444444"
    static let stranger = "0x9999999999999999999999999999999999999999"

    /// Tuesday 2026-11-17 10:00:00 UTC.
    static let tuesdayMorning: Int64 = 1_794_909_600

    static func state(
        time: Int64 = tuesdayMorning, prices: [String: String] = ["ETH": "3000", "USDC": "1", "BTC": "90000"],
        frozen: Bool = false
    ) -> StateSnapshot {
        StateSnapshot(
            time: time, prices: prices.mapValues { FixedDecimal(parsing: $0)! }, frozen: frozen)
    }

    static func transfer(
        _ initiator: String = "alice", amount: String = "100", asset: String = "USDC", chain: String = "ethereum",
        to destination: String = kraken, vault: String = "hot", fee: String = "0.001", approvals: [String] = [],
        memo: String = ""
    ) -> PolicyRequest {
        PolicyRequest(
            id: "t", kind: .transfer, initiator: initiator, vault: vault, chain: chain, asset: asset,
            amount: FixedDecimal(parsing: amount)!, fee: FixedDecimal(parsing: fee)!, destination: destination,
            memo: memo, approvals: approvals)
    }

    static func examplePolicyText() throws -> String {
        let url = TestEnvironment.packageRoot.appendingPathComponent("examples/policies/trading-firm.yaml")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The error diagnostics a document produces (empty when it loads).
    static func errors(_ text: String) -> [PolicyDiagnostic] {
        PolicyValidation(yaml: text).diagnostics.filter { $0.severity == .error }
    }

    static func warnings(_ text: String) -> [PolicyDiagnostic] {
        PolicyValidation(yaml: text).diagnostics.filter { $0.severity == .warning }
    }
}

enum TestPaths {
    static let examples = TestEnvironment.packageRoot.appendingPathComponent("examples/policies").path
}
