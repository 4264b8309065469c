import BigInt
import Crypto
import CustosChains
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
@testable import CustosState
import Foundation
import Testing

/// On-chain monitoring (issue 15 item 1), as an attacker would try it: watchers report the raw
/// logs of the contracts the policy's `monitoring` section names and the transactions vault
/// addresses sent; every node decodes them itself and raises an alert only once
/// `poisoning.min_watchers` watchers reported the same event in a block their coverage holds.
/// One watcher alone, a forged or repeated event, a contract no entry names, a block past the
/// coverage, or a vault transaction the log signed raises nothing.
@Suite struct MonitoringTests {
    let ceremony = VaultCeremonyTests()
    let bot = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let executor = BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())
    let watchers = [BotSigningKey(ed25519: Curve25519.Signing.PrivateKey()), BotSigningKey(ed25519: Curve25519.Signing.PrivateKey())]

    static let admin = "0x" + String(repeating: "ad", count: 20)
    static let stranger = "0x" + String(repeating: "5e", count: 20)
    static let attacker = "0x" + String(repeating: "66", count: 20)

    static func monitoring(freezeOn: String = "") -> String {
        "{alert_within_blocks: 5, contracts: [{name: admin, chain: ethereum, address: \"\(admin)\", events: [ownership-transferred, proxy-upgraded]}], "
            + "large_transfers: [{chain: ethereum, token: \"\(Cluster.usdc)\", above: \"1000000\"}], vault_transactions: true}"
            + (freezeOn.isEmpty ? "" : "\nalerts: {freeze_on: [\(freezeOn)]}")
    }

    /// The transactions policy with two watchers needed and `monitoring()`.
    static func policy(version: Int = 3, freezeOn: String = "") -> String {
        WatchRoomTests.policy(version: version, poisoning: "{dust_usd: 1, dust: {USDC: 1}, min_watchers: 2}\nmonitoring: " + monitoring(freezeOn: freezeOn))
    }

    /// `c` under `policy()`, with watchers `watcher-1` and `watcher-2`.
    func watched(_ c: inout Cluster, version: Int = 3, freezeOn: String = "") throws {
        try c.govern(.changePolicy(yaml: Self.policy(version: version, freezeOn: freezeOn)))
        for (i, key) in watchers.enumerated() { try c.registerBot("watcher-\(i + 1)", key: key.publicKey, roles: [WatchEntry.watcherRole]) }
    }

    func cluster(freezeOn: String = "") throws -> Cluster {
        var c = try ceremony.cluster()
        _ = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        try watched(&c, freezeOn: freezeOn)
        return c
    }

    static func hash(_ block: UInt64) -> String { "0x" + String(format: "%064x", block) }
    static func word(_ address: String) -> [UInt8] { [UInt8](repeating: 0, count: 12) + (try! [UInt8](hex: address.dropFirst(2))) }
    static func topic(_ signature: String) -> [UInt8] { Keccak256.hash(Array(signature.utf8)) }

    /// `OwnershipTransferred(previous, newOwner)` emitted by `contract` in block `block`.
    static func ownershipTransferred(to newOwner: String = attacker, contract: String = admin, block: UInt64 = 90, index: UInt64 = 0) -> WatchedLog {
        WatchedLog(block: block, blockHash: hash(block), transaction: "0x" + String(repeating: "71", count: 32), logIndex: index, address: contract,
                   topics: [topic("OwnershipTransferred(address,address)"), word(stranger), word(newOwner)], data: [])
    }

    static func upgraded(to implementation: String = attacker, block: UInt64 = 90) -> WatchedLog {
        WatchedLog(block: block, blockHash: hash(block), transaction: "0x" + String(repeating: "72", count: 32), logIndex: 1, address: admin,
                   topics: [topic("Upgraded(address)"), word(implementation)], data: [])
    }

    /// Watcher `n`'s report of blocks `from` through `block`, read for the monitoring section
    /// `section` (the policy in force by default).
    func report(
        _ c: inout Cluster, by n: Int, from: UInt64 = 0, block: UInt64 = 100, logs: [WatchedLog] = [], sent: [WatchedVaultTransaction] = [],
        section: MonitoringPolicy? = nil, part: Int = 1, parts: Int = 1
    ) throws -> GovernanceOutcome {
        let body = WatchReport(chain: "ethereum", fromBlock: from, block: block, blockHash: Self.hash(block), parentHash: from > 0 ? Self.hash(from - 1) : nil,
                               blockTime: Int64(c.now / 1000), vaults: Array(c.state.vaultEVMAddresses), part: part, parts: parts, transfers: [], logs: logs,
                               vaultTransactions: sent, monitoring: section ?? c.state.policy.document.monitoring).json
        return c.apply(try WatchEntry.report(c.signed(body, keyId: "watcher-\(n)", key: watchers[n - 1])))
    }

    func monitoringAlerts(_ c: Cluster) -> [Alert] { c.state.alerts.all.filter { $0.basis == .watched } }

    @Test func anOwnershipTransferTwoWatchersReportRaisesItsAlertOnEveryNode() throws {
        var c = try cluster()
        #expect(try report(&c, by: 1, logs: [Self.ownershipTransferred()]) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(monitoringAlerts(c).isEmpty && c.state.monitoring.pending.count == 1)
        _ = try report(&c, by: 2, logs: [Self.ownershipTransferred()])
        let alert = try #require(monitoringAlerts(c).first)
        #expect(monitoringAlerts(c).count == 1 && alert.kind == .ownershipTransferred && alert.members == ["watcher-1", "watcher-2"])
        #expect(alert.event?.contract == Self.admin && alert.event?.block == 90 && alert.event?.logIndex == 0)
        #expect(alert.event?.fields == ["previous_owner": Self.stranger, "new_owner": Self.attacker])
        #expect(c.state.monitoring.pending.isEmpty && c.state.alerts.counts[.ownershipTransferred] == 1)
        // A third report of the settled event (a watcher reading its blocks again) raises nothing more.
        _ = try report(&c, by: 1, from: 101, block: 102, logs: [])
        #expect(monitoringAlerts(c).count == 1)
    }

    @Test func oneWatcherAloneOrAForgedVariantRaisesNothing() throws {
        var c = try cluster()
        // Watcher 1 forges an upgrade; watcher 2 reads the same transaction and log with another implementation.
        _ = try report(&c, by: 1, logs: [Self.upgraded(to: Self.attacker)])
        _ = try report(&c, by: 2, logs: [Self.upgraded(to: Self.stranger)])
        #expect(monitoringAlerts(c).isEmpty && c.state.monitoring.pending.count == 2)
        // The same watcher reporting its event again counts once.
        _ = try report(&c, by: 1, from: 90, block: 100, logs: [Self.upgraded(to: Self.attacker)])
        #expect(monitoringAlerts(c).isEmpty && c.state.monitoring.pending.values.allSatisfy { $0.reporters.count == 1 })
    }

    @Test func aContractOrAClassNoEntryNamesCountsForNothing() throws {
        var c = try cluster()
        let elsewhere = Self.ownershipTransferred(contract: Self.stranger)
        // RoleGranted on the admin contract, whose entry names two other classes.
        let role = WatchedLog(block: 90, blockHash: Self.hash(90), transaction: "0x" + String(repeating: "73", count: 32), logIndex: 2, address: Self.admin,
                              topics: [Self.topic("RoleGranted(bytes32,address,address)"), [UInt8](repeating: 0, count: 32), Self.word(Self.attacker),
                                       Self.word(Self.attacker)], data: [])
        // An ownership transfer whose topic is no address (its high bytes set).
        let malformed = WatchedLog(block: 90, blockHash: Self.hash(90), transaction: "0x" + String(repeating: "74", count: 32), logIndex: 3,
                                   address: Self.admin, topics: [Self.topic("OwnershipTransferred(address,address)"), [UInt8](repeating: 0xff, count: 32),
                                                                 Self.word(Self.attacker)], data: [])
        for n in 1...2 { _ = try report(&c, by: n, logs: [elsewhere, role, malformed]) }
        #expect(monitoringAlerts(c).isEmpty && c.state.monitoring.pending.isEmpty)
    }

    @Test func anEventPastTheCoverageWaitsAndALaggingCoverageRaisesItsOwnAlert() throws {
        var c = try cluster()
        for n in 1...2 { _ = try report(&c, by: n) }
        // Both watchers report blocks 150–160 past a gap: the coverage stays at block 100.
        let late = Self.upgraded(block: 155)
        for n in 1...2 { _ = try report(&c, by: n, from: 150, block: 160, logs: [late]) }
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        #expect(monitoringAlerts(c).map(\.kind) == [.monitoringLagging])
        #expect(monitoringAlerts(c).first?.event?.fields == ["reached": "160", "covered": "100", "alert_within_blocks": "5"])
        #expect(c.state.monitoring.pending.count == 1 && c.state.monitoring.lagging["ethereum"] != nil)
        // Once both cover the blocks between, the upgrade settles and the lag ends.
        for n in 1...2 { _ = try report(&c, by: n, from: 101, block: 160, logs: [late]) }
        #expect(monitoringAlerts(c).map(\.kind) == [.monitoringLagging, .proxyUpgraded])
        #expect(c.state.monitoring.lagging.isEmpty && c.state.monitoring.pending.isEmpty)
    }

    @Test func oneWatcherClaimingAFarBlockRaisesNoLag() throws {
        var c = try cluster()
        for n in 1...2 { _ = try report(&c, by: n) }
        #expect(try report(&c, by: 1, from: 4_000, block: 5_000) == .watched(chain: "ethereum", block: 5_000, flagged: 0))
        #expect(monitoringAlerts(c).isEmpty)
    }

    @Test func aVaultTransactionTheLogDidNotSignOrADeploymentRaisesItsAlert() throws {
        var c = try cluster()
        let vault = try WatchRoomTests.vaultAddress(c).lowercased()
        let sent = WatchedVaultTransaction(block: 95, blockHash: Self.hash(95), transaction: "0x" + String(repeating: "e1", count: 32), from: vault,
                                           to: Self.attacker)
        let deployed = WatchedVaultTransaction(block: 96, blockHash: Self.hash(96), transaction: "0x" + String(repeating: "e2", count: 32), from: vault, to: nil)
        // A transaction from an address that is no vault's counts for nothing.
        let other = WatchedVaultTransaction(block: 96, blockHash: Self.hash(96), transaction: "0x" + String(repeating: "e3", count: 32), from: Self.stranger,
                                            to: nil)
        for n in 1...2 { _ = try report(&c, by: n, sent: [sent, deployed, other]) }
        #expect(monitoringAlerts(c).map(\.kind.rawValue).sorted() == ["unsigned-vault-transaction", "unsigned-vault-transaction", "vault-deployment"])
        #expect(monitoringAlerts(c).allSatisfy { $0.event?.contract == vault })
        #expect(monitoringAlerts(c).last?.event?.fields == ["from": vault, "to": "creation"])
    }

    @Test func aVaultTransactionTheLogSignedRaisesNothing() throws {
        var (c, id) = try TransactionReceiptTests().signed()
        try watched(&c, version: 50)
        let plan = try #require(c.state.transactions[id])
        let hash = "0x" + (try #require(plan.transactionHash)).hexString
        let vault = try WatchRoomTests.vaultAddress(c).lowercased()
        let sent = WatchedVaultTransaction(block: 95, blockHash: Self.hash(95), transaction: hash, from: vault, to: Self.attacker)
        for n in 1...2 { _ = try report(&c, by: n, sent: [sent]) }
        #expect(monitoringAlerts(c).isEmpty && c.state.monitoring.pending.isEmpty)
        #expect(c.state.monitoring.settled.count == 1)
    }

    @Test func aLargeTransferOutOfAVaultRaisesItsAlertASmallOneDoesNot() throws {
        var c = try cluster()
        let vault = try WatchRoomTests.vaultAddress(c).lowercased()
        func transfer(_ amount: UInt8, from: String, index: UInt64) -> WatchedLog {
            WatchedLog(block: 90, blockHash: Self.hash(90), transaction: "0x" + String(repeating: "75", count: 32), logIndex: index, address: Cluster.usdc,
                       topics: [Self.topic("Transfer(address,address,uint256)"), Self.word(from), Self.word(Self.attacker)],
                       data: [UInt8](repeating: 0, count: 29) + [amount, 0, 0])
        }
        // 0x0f0000 = 983,040 base units is within the bound; 0x100000 = 1,048,576 is above it.
        let logs = [transfer(0x0f, from: vault, index: 0), transfer(0x10, from: vault, index: 1), transfer(0x10, from: Self.stranger, index: 2)]
        for n in 1...2 { _ = try report(&c, by: n, logs: logs) }
        #expect(monitoringAlerts(c).map(\.kind) == [.largeTransfer])
        #expect(monitoringAlerts(c).first?.event?.fields == ["from": vault, "to": Self.attacker, "value": "1048576"])
    }

    @Test func freezeOnAMonitoringClassFreezesSigningWhenItsAlertIsRaised() throws {
        var c = try cluster(freezeOn: "proxy-upgraded")
        #expect(!c.state.frozen)
        for n in 1...2 { _ = try report(&c, by: n, logs: [Self.upgraded()]) }
        #expect(c.state.frozen && c.state.frozenBy?.kind == .proxyUpgraded)
    }

    @Test func aReportRepeatingALogOrCarryingOneOutsideItsRangeIsRefused() throws {
        var c = try cluster()
        let log = Self.ownershipTransferred()
        for (logs, reason) in [([log, log], "repeats log 0"), ([Self.ownershipTransferred(block: 101)], "outside the report's blocks 0–100")] {
            guard case .refused(let error) = try report(&c, by: 1, logs: logs) else { Issue.record("taken: \(reason)"); continue }
            #expect(error.code == .invalidRequest && error.reason.contains(reason), "\(error.reason)")
        }
        let tooMany = (0..<UInt64(WatchEntry.maximumLogs + 1)).map { Self.ownershipTransferred(index: $0) }
        guard case .refused(let error) = try report(&c, by: 1, logs: tooMany) else { Issue.record("nine logs taken"); return }
        #expect(error.reason.contains("at most \(WatchEntry.maximumLogs)"))
        #expect(c.state.monitoring.pending.isEmpty)
    }

    /// A gateway that serves the watchers another policy than the one in force (no monitoring
    /// section, or one without the contract it wants unwatched) gets their reports refused by
    /// every node, naming both digests, and the coverage does not move (review helper-127 H1).
    @Test func aReportReadForAnotherMonitoringSectionThanThePolicyInForceIsRefused() throws {
        var c = try cluster()
        let inForce = c.state.policy.document.monitoring
        let withoutAdmin = MonitoringPolicy(alertWithinBlocks: inForce.alertWithinBlocks, contracts: [], largeTransfers: inForce.largeTransfers,
                                            vaultTransactions: inForce.vaultTransactions)
        let withoutVaults = MonitoringPolicy(alertWithinBlocks: inForce.alertWithinBlocks, contracts: inForce.contracts, largeTransfers: inForce.largeTransfers)
        for (section, what) in [(MonitoringPolicy(), "watches nothing on ethereum"), (withoutAdmin, "watches SHA-256"), (withoutVaults, "watches SHA-256")] {
            guard case .refused(let error) = try report(&c, by: 1, logs: [Self.ownershipTransferred()], section: section) else {
                Issue.record("a report read for another section was taken: \(section.text)"); continue
            }
            // Its own code: the watcher reads the range again on this code, not on the text.
            #expect(error.code == .watchSectionChanged, "\(error.code)")
            #expect(error.reason.contains("the report was read for a monitoring section that \(what)")
                    && error.reason.contains("but the policy in force (version 3) watches SHA-256 "
                                             + String(WatchReport.monitoringDigest(inForce, chain: "ethereum")!.prefix(16))), "\(error.reason)")
        }
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == nil && c.state.monitoring.pending.isEmpty)
        // The section in force, read as it is, is taken.
        #expect(try report(&c, by: 1, logs: [Self.ownershipTransferred()]) == .watched(chain: "ethereum", block: 100, flagged: 0))
    }

    /// A gateway that serves both watchers another section stalls the coverage; the refusals
    /// still show how far the chain moved, so the stall raises `monitoring-lagging` (review
    /// helper-133 M1). One watcher's refused claim alone raises nothing, as one watcher's taken
    /// claim raises nothing.
    @Test func reportsRefusedAsReadForAnotherSectionRaiseTheLagAlert() throws {
        var c = try cluster()
        for n in 1...2 { _ = try report(&c, by: n) }
        let stale = MonitoringPolicy()
        guard case .refused(let first) = try report(&c, by: 1, from: 101, block: 160, section: stale) else {
            Issue.record("a report read for another section was taken"); return
        }
        #expect(first.code == .watchSectionChanged && monitoringAlerts(c).isEmpty && c.state.monitoring.refusedReach["watcher-1/ethereum"] == 160)
        guard case .refused = try report(&c, by: 2, from: 101, block: 150, section: stale) else { Issue.record("taken"); return }
        #expect(c.state.watchCoverage(in: .development)["ethereum"]?.block == 100)
        #expect(monitoringAlerts(c).map(\.kind) == [.monitoringLagging], "\(monitoringAlerts(c))")
        #expect(monitoringAlerts(c).first?.event?.fields == ["reached": "150", "covered": "100", "alert_within_blocks": "5"])
        // Read again under the section in force, the coverage moves and the episode ends.
        for n in 1...2 { _ = try report(&c, by: n, from: 101, block: 160) }
        #expect(c.state.monitoring.lagging.isEmpty && monitoringAlerts(c).count == 1)
        // A rotated key's refused claims count no more (review helper-140 M1), nor do those of a
        // watcher whose coverage the quorum clears.
        try c.govern(.rotateBotKey(id: "watcher-1", key: BotSigningKey(ed25519: .init()).publicKey))
        #expect(c.state.monitoring.refusedReach["watcher-1/ethereum"] == nil && c.state.monitoring.refusedReach["watcher-2/ethereum"] == 150)
        try c.govern(.clearWatchFlag(chain: "ethereum", target: "coverage:watcher-2"))
        #expect(c.state.monitoring.refusedReach.isEmpty, "\(c.state.monitoring.refusedReach)")
    }

    /// The parts of one range must all be read for one section: a gateway that commits part 1
    /// read before a policy change and part 2 read after it (skipping the second posting's part
    /// 1, which would have named the new contract's event) does not get the range covered.
    @Test func partsOfOneRangeReadForTwoSectionsDoNotCoverIt() throws {
        var c = try cluster()
        #expect(try report(&c, by: 1, part: 1, parts: 2) == .watched(chain: "ethereum", block: 100, flagged: 0))
        try c.govern(.changePolicy(yaml: WatchRoomTests.policy(
            version: 4, poisoning: "{dust_usd: 1, dust: {USDC: 1}, min_watchers: 2}\nmonitoring: {alert_within_blocks: 5, vault_transactions: true}")))
        #expect(try report(&c, by: 1, part: 2, parts: 2) == .watched(chain: "ethereum", block: 100, flagged: 0))
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum") == nil, "a range of mixed sections was covered")
        // Posted again from part 1 under the section in force, it is covered.
        for part in 1...2 { _ = try report(&c, by: 1, part: part, parts: 2) }
        #expect(c.state.watch(.development).coverage(by: "watcher-1", on: "ethereum")?.block == 100)
    }

    /// Without a monitoring section, a report claiming one (a watcher told of a section the
    /// policy does not hold) is refused; and a malformed `monitoring` member is refused on its form.
    @Test func aReportClaimingASectionThePolicyDoesNotHoldOrAMalformedOneIsRefused() throws {
        var c = try ceremony.cluster()
        _ = try ceremony.generate(&c, "hot", .ecdsaSecp256k1)
        try c.prepareTransactions(bot: bot, executor: executor)
        try c.govern(.changePolicy(yaml: WatchRoomTests.policy(version: 3, poisoning: "{dust_usd: 1, dust: {USDC: 1}, min_watchers: 2}")))
        for (i, key) in watchers.enumerated() { try c.registerBot("watcher-\(i + 1)", key: key.publicKey, roles: [WatchEntry.watcherRole]) }
        let claimed = try PolicyDocument.decode(yaml: Self.policy()).monitoring
        guard case .refused(let error) = try report(&c, by: 1, section: claimed) else { Issue.record("a claimed section was taken"); return }
        #expect(error.code == .watchSectionChanged, "\(error.code)")
        #expect(error.reason.contains("but the policy in force (version 3) watches nothing there"), "\(error.reason)")
        #expect(try report(&c, by: 1) == .watched(chain: "ethereum", block: 100, flagged: 0))
        let good = WatchReport(chain: "ethereum", fromBlock: 0, block: 1, blockHash: Self.hash(1), parentHash: nil, blockTime: 1,
                               vaults: Array(c.state.vaultEVMAddresses), transfers: [], monitoring: claimed).json
        guard case .object(let members) = good else { Issue.record("not an object"); return }
        for bad: JSONValue in [.string("ab"), .object([("sha256", .string("AB"))]), .object([("sha256", .string(String(repeating: "a", count: 64))), ("extra", .integer(1))])] {
            let body = JSONValue.object(members.map { $0.key == "monitoring" ? ($0.key, bad) : $0 })
            #expect(throws: GovernanceError.self) { try WatchReport(json: body) }
        }
        #expect(try WatchReport(json: good).monitoring == WatchReport.monitoringDigest(claimed, chain: "ethereum"))
    }

    @Test func aFullReportOfTheLargestItemsFitsItsBoundAndIsTaken() throws {
        var c = try cluster()
        let v = try WatchRoomTests.vaultAddress(c)
        let transfers = (0..<WatchEntry.maximumTransfers).map { i in
            WatchRoomTests.transfer(v, from: "0x" + String(repeating: String(format: "%02x", i + 16), count: 20), amount: BigUInt(2).power(256) - 1,
                                    token: Cluster.usdc)
        }
        let logs = (0..<UInt64(WatchEntry.maximumLogs)).map { i in
            WatchedLog(block: 99_999_999_999, blockHash: Self.hash(99_999_999_999), transaction: "0x" + String(repeating: "ff", count: 32), logIndex: 9_999_999_000 + i,
                       address: Self.admin, topics: Array(repeating: [UInt8](repeating: 0xff, count: 32), count: 4),
                       data: [UInt8](repeating: 0xff, count: WatchedLog.maximumDataBytes))
        }
        let sent = (0..<WatchEntry.maximumVaultTransactions).map { i in
            WatchedVaultTransaction(block: 99_999_999_999, blockHash: Self.hash(99_999_999_999), transaction: "0x" + String(format: "%064x", i + 1),
                                    from: v, to: Self.attacker)
        }
        let body = WatchReport(chain: "ethereum", fromBlock: 0, block: 99_999_999_999, blockHash: Self.hash(99_999_999_999), parentHash: nil,
                               blockTime: Int64(c.now / 1000), vaults: Array(c.state.vaultEVMAddresses), transfers: transfers, logs: logs,
                               vaultTransactions: sent, monitoring: c.state.policy.document.monitoring).json
        let full = try WatchEntry.report(c.signed(body, keyId: "watcher-1", key: watchers[0]))
        #expect(full.payload.count + full.authorization.count <= WatchEntry.maximumBytes, "\(full.payload.count) bytes")
        guard case .watched = c.apply(full) else { Issue.record("the full report was not taken"); return }
    }
}
