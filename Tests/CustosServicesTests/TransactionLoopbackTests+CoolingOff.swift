import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

extension TransactionLoopbackTests {
    /// Cooling-off with real processes (issue #17): a transfer to an address the quorum added a
    /// minute ago is refused by every node with the time it becomes usable, and goes through
    /// once block time passed it (the cluster's clocks moved forward 48 hours); an entry a
    /// security officer cancelled during its cooling-off is refused before and after.
    @Test func aTransferToAnAddressAddedAMinuteAgoWaitsItsCoolingOffAndACancelledEntryNeverBecomesUsable() async throws {
        try await withCluster { f in
            let added = "0x00000000000000000000000000000000000000c1", cancelled = "0x00000000000000000000000000000000000000c2"
            let file = f.cluster.root.appendingPathComponent("cooling-off-policy.yaml")
            try Data(try TransactionFixture.policy(
                version: 101, coolingOff: "{default: 48h}",
                entries: "  kraken-devnet-2: {chain: devnet, address: \"\(added)\", counterparty: kraken, tags: [exchange]}\n"
                    + "  kraken-devnet-3: {chain: devnet, address: \"\(cancelled)\", counterparty: kraken, tags: [exchange]}").utf8).write(to: file)
            try await TransactionFixture.govern(f.cluster, "cooling-off-policy", ["change-policy", file.path], approvers: ["frank", "grace", "heidi"])
            // heidi, a security officer, cancels one of them alone.
            try await f.cluster.op(["propose", "--as", "heidi", "--id", "cancel-kraken-devnet-3", "cancel-address-book-entry", "kraken-devnet-3"])
            _ = try await f.cluster.waitForGovernance { g in g.operations.first { $0.id == "cancel-kraken-devnet-3" }?.status == "executed" }
            let book: [AddressBookEntryView] = try await f.cluster.getJSON("/v1/address-books")
            let entry = try #require(book.first { $0.name == "kraken-devnet-2" })
            let usableFrom = try #require(entry.coolingOff?.usableFrom)
            #expect(!entry.usable && entry.coolingOff?.operation == "cooling-off-policy")
            #expect(book.first { $0.name == "kraken-devnet-3" }?.coolingOff?.cancelled?.user == "heidi")
            #expect(book.first { $0.name == "kraken-devnet" }?.usable == true, "its cooling-off passed when the fixture started")
            let expected = "kraken-devnet-2 usable from \(Self.utcText(milliseconds: usableFrom))"

            let early = try await f.transfer(chain: "devnet", asset: "ETH", to: added, amount: "1")
            let blocked = try await f.transfer(chain: "devnet", asset: "ETH", to: cancelled, amount: "1")
            let refused = try await f.cluster.waitForGovernance { g in [early, blocked].allSatisfy { id in g.requests.contains { $0.id == id } } }
            for (node, status) in refused {
                let e = status.governance?.requests.first { $0.id == early }, b = status.governance?.requests.first { $0.id == blocked }
                #expect(e?.outcome == "deny" && e?.rules == [] && e?.transaction == nil, "\(node): \(String(describing: e))")
                #expect(e?.explanation.first?.hasPrefix(expected) == true, "\(node): \(e?.explanation ?? []) vs \(expected)")
                #expect(b?.outcome == "deny" && b?.explanation.first?.hasPrefix("kraken-devnet-3 was cancelled by heidi") == true, "\(node): \(b?.explanation ?? [])")
            }

            // Block time moves 48 hours and a minute forward on every process of the cluster.
            try Data(String(2 * TransactionFixture.coolingOffPassed).utf8).write(to: f.clockOffsetFile)
            let late = try await f.transfer(chain: "devnet", asset: "ETH", to: added, amount: "1")
            let never = try await f.transfer(chain: "devnet", asset: "ETH", to: cancelled, amount: "1")
            let statuses = try await f.cluster.waitForGovernance(seconds: 120) { g in
                // The executor broadcasts it once signed: it may be mined already.
                ["signed", "mined"].contains(g.requests.first { $0.id == late }?.transaction?.status) && g.requests.contains { $0.id == never }
            }
            for (node, status) in statuses {
                let l = status.governance?.requests.first { $0.id == late }, n = status.governance?.requests.first { $0.id == never }
                #expect((l?.blockTime ?? 0) >= usableFrom && l?.outcome == "allow" && l?.rules == ["allow-risk-bot-local-topups"], "\(node)")
                #expect(n?.outcome == "deny" && n?.explanation.first?.hasPrefix("kraken-devnet-3 was cancelled by heidi") == true, "\(node): \(n?.explanation ?? [])")
            }
        }
    }

    /// `milliseconds` as an explanation writes a block time, formatted here independently:
    /// `yyyy-MM-dd HH:mm[:ss] UTC`, seconds rounded up, shown only when not zero.
    static func utcText(milliseconds: UInt64) -> String {
        let seconds = (milliseconds + 999) / 1000
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = seconds % 60 == 0 ? "yyyy-MM-dd HH:mm" : "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))) + " UTC"
    }
}
