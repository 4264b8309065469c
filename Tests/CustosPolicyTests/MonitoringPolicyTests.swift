import CustosCore
import CustosPolicy
import Foundation
import Testing

/// `monitoring`: the contracts, tokens and vault transactions watchers report, read as a policy
/// author would get it wrong, and shown in a policy diff.
@Suite struct MonitoringPolicyTests {
    static let proxy = "0x00000000000000000000000000000000000000Aa"

    static func yaml(_ monitoring: String?, alerts: String? = nil) -> String {
        Fixtures.yaml(rules: CoolingOffPolicyTests.rules).replacingOccurrences(
            of: "governance:\n", with: (monitoring.map { "monitoring: \($0)\n" } ?? "") + (alerts.map { "alerts: \($0)\n" } ?? "") + "governance:\n")
    }

    static let section = "{alert_within_blocks: 3, contracts: [{name: proxy, chain: ethereum, address: \"\(proxy)\", events: [proxy-upgraded, admin-changed]}], "
        + "large_transfers: [{chain: ethereum, token: \"\(Fixtures.kraken)\", above: \"5000\", from: [\"\(proxy)\"]}], vault_transactions: true}"

    @Test func theSectionNamesWhatIsWatchedAndNothingWithoutIt() throws {
        let none = try PolicyDocument.decode(yaml: Self.yaml(nil)).monitoring
        #expect(none.alertWithinBlocks == nil && none.contracts.isEmpty && none.largeTransfers.isEmpty && !none.vaultTransactions)
        let set = try PolicyDocument.decode(yaml: Self.yaml(Self.section)).monitoring
        #expect(set.alertWithinBlocks == 3 && set.vaultTransactions)
        #expect(set.events(chain: "ethereum", contract: Self.proxy.lowercased()) == [.proxyUpgraded, .adminChanged])
        #expect(set.events(chain: "bitcoin", contract: Self.proxy.lowercased()).isEmpty)
        #expect(set.largeTransfers(chain: "ethereum", token: Fixtures.kraken).first?.from == [Self.proxy.lowercased()])
        #expect(set.watchedAddresses(chain: "ethereum") == [Self.proxy.lowercased(), Fixtures.kraken])
        #expect(try PolicyDocument.decode(yaml: Self.yaml("{vault_transactions: true}")).monitoring.alertWithinBlocks == MonitoringPolicy.defaultAlertWithinBlocks)
        #expect(Fixtures.errors(Self.yaml(Self.section)).isEmpty)
    }

    @Test(arguments: [
        ("{alert_within_blocks: 0}", "monitoring.alert_within_blocks must be between 1 and 10000"),
        ("{contracts: [{name: p, chain: ethereum, address: \"0x12\", events: [proxy-upgraded]}]}", "monitoring.contracts.p.address must be an EVM address"),
        ("{contracts: [{name: p, chain: ethereum, address: \"\(proxy)\", events: [upgrade]}]}", "'upgrade' is not an event class"),
        ("{contracts: [{name: p, chain: ethereum, address: \"\(proxy)\", events: []}]}", "monitoring.contracts.p.events names no event class"),
        ("{contracts: [{name: p, chain: ethereum, address: \"\(proxy)\"}]}", "is missing the field 'events'"),
        ("{contracts: [{name: p, chain: ethereum, address: \"\(proxy)\", events: [role-granted]}, {name: p, chain: ethereum, address: \"\(proxy)\", events: [role-granted]}]}",
         "'p' is already used"),
        ("{large_transfers: [{chain: ethereum, token: \"\(proxy)\", above: 1.5}]}", "monitoring.large_transfers[0].above must be a whole number"),
        ("{vault_transactions: yes}", "monitoring.vault_transactions must be true or false"),
        ("{watch: all}", "unknown field 'watch' in monitoring"),
    ])
    func badSectionsAreRefusedNamingWhy(section: String, message: String) {
        let error = #expect(throws: PolicyLoadError.self) { _ = try PolicyDocument.decode(yaml: Self.yaml(section)) }
        #expect(error?.reason.contains(message) == true, "\(error?.reason ?? "no error")")
    }

    @Test func aChainOfNoAssetIsAnUnknownReference() {
        let errors = Fixtures.errors(Self.yaml("{contracts: [{name: p, chain: etherium, address: \"\(Self.proxy)\", events: [proxy-upgraded]}]}"))
        #expect(errors.map(\.code) == [.unknownReference] && errors.first?.message.contains("chain 'etherium' of monitoring.contracts entry 'p'") == true,
                "\(errors)")
    }

    @Test func freezeOnAcceptsTheMonitoringAlerts() throws {
        let alerts = try PolicyDocument.decode(yaml: Self.yaml(nil, alerts: "{freeze_on: [ownership-transferred, unsigned-vault-transaction, monitoring-lagging]}")).alerts
        #expect(alerts.freezeOn == ["ownership-transferred", "unsigned-vault-transaction", "monitoring-lagging"])
    }

    @Test func aChangedSectionIsInTheDiff() throws {
        let old = try PolicyDocument.decode(yaml: Self.yaml(nil))
        let new = try PolicyDocument.decode(yaml: Self.yaml(Self.section).replacingOccurrences(of: "version: 1\n", with: "version: 2\n"))
        let lines = PolicyDiff(old: old, new: new).changes.map { "\($0.subject): \($0.detail)" }
        #expect(lines.contains { $0.hasPrefix("monitoring: alert_within_blocks none; vault_transactions false → alert_within_blocks 3; proxy ethereum") }, "\(lines)")
        // The same section moved down a line (a comment added above it) is no change (review helper-127 M5).
        let moved = try PolicyDocument.decode(yaml: Self.yaml(Self.section).replacingOccurrences(of: "version: 1\n", with: "version: 2\n")
            .replacingOccurrences(of: "monitoring: ", with: "# watched by two watchers\nmonitoring: "))
        #expect(!PolicyDiff(old: new, new: moved).changes.contains { $0.subject == "monitoring" })
    }

    /// Review helper-127 M2: without a `poisoning` section, min_watchers is 1, so one watcher
    /// would settle every monitoring event: the check warns, and is quiet once it says 2.
    @Test func monitoringOnOneWatcherIsWarnedOf() throws {
        let one = Fixtures.warnings(Self.yaml(Self.section)).filter { $0.code == .singleWatcher }
        #expect(one.count == 1 && one.first?.message.contains("monitoring settles each event and measures its lag on poisoning.min_watchers 1") == true, "\(one)")
        // A section that only bounds the lag measures it on one watcher too (review helper-140 L5).
        #expect(Fixtures.warnings(Self.yaml("{alert_within_blocks: 3}")).contains { $0.code == .singleWatcher })
        let two = Self.yaml(Self.section).replacingOccurrences(of: "monitoring: ", with: "poisoning: {min_watchers: 2}\nmonitoring: ")
        #expect(try CompiledPolicy(yaml: two).document.poisoning.minWatchers == 2)
        #expect(Fixtures.warnings(two).allSatisfy { $0.code != .singleWatcher }, "\(Fixtures.warnings(two))")
        #expect(Fixtures.warnings(Self.yaml(nil)).allSatisfy { $0.code != .singleWatcher }, "no monitoring, no warning")
    }
}
