import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Look-alike and poisoned destinations through the real processes, on the suite's shared
/// cluster: a dust transfer into the vault's address on the local chain, seen by `custos
/// watcher`, flags its sender, and every node denies paying it with the same explanation; a
/// look-alike of the address book's kraken is denied by every node too.
extension TransactionLoopbackTests {
    @Test func aDustTransferSeenByTheWatcherMakesEveryNodeDenyPayingItsSender() async throws {
        try await withCluster { f in
            // eth-tester's third account (private key 0x…03) sends the vault 1 wei: the poisoning pattern.
            let key = String(repeating: "0", count: 63) + "3"
            try await f.send(.init(chainId: f.chainId, to: String(f.vaultAddress.dropFirst(2)), value: "1", key: key))
            func watch(_ key: String, cursor name: String) async throws -> String {
                try await LocalCluster.run(f.cluster.binary, [
                    "watcher", "--gateway", f.cluster.baseURL, "--watcher", key, "--chain", "devnet", "--rpc", f.chain.url.absoluteString,
                    // The test chain mines a block per transaction: read up to its head.
                    "--from-block", "0", "--confirmations", "0", "--cursor", f.cluster.root.appendingPathComponent(name).path, "--once",
                ] + TransactionFixture.clockOffsetArguments(f.cluster))
            }
            // Pointed at devnet's endpoint as localnet (chain id 31337), the watcher refuses to
            // start, naming both ids, and reports nothing (review helper-63 L3).
            #expect(f.chainId != 31337)
            let wrong = try await CustosExecutable.run([
                "watcher", "--gateway", f.cluster.baseURL, "--watcher", f.watcherKey, "--chain", "localnet", "--rpc", f.chain.url.absoluteString,
                "--from-block", "0", "--confirmations", "0", "--cursor", f.cluster.root.appendingPathComponent("wrong.cursor").path, "--once",
            ] + TransactionFixture.clockOffsetArguments(f.cluster))
            #expect(wrong.status != 0 && wrong.stderr.contains("serves chain id \(f.chainId), but the cluster registers localnet with chain id 31337"),
                    "\(wrong.stdout) \(wrong.stderr)")
            #expect(!wrong.stdout.contains("reported"))
            // Two watchers (the policy's min_watchers is 2, review helper-58 M2), each with its own key.
            let out = try await watch(f.watcherKey, cursor: "watcher-devnet.cursor")
            #expect(out.contains("reported") && out.contains("flagging 1 address"), "\(out)")
            #expect(FileManager.default.contents(atPath: f.cluster.root.appendingPathComponent("watcher-devnet.cursor").path) != nil,
                    "the watcher remembers how far it read")
            let second = try await watch(f.secondWatcherKey, cursor: "watcher-2-devnet.cursor")
            #expect(second.contains("reported") && second.contains("flagging 0 addresses"), "\(second)")
            let coverage: WatchCoverageView = try await f.cluster.getJSON("/v1/watch/devnet/coverage?environment=development")
            #expect(coverage.minWatchers == 2 && coverage.watchers.map(\.watcher) == ["watcher-bot", "watcher-bot-2"], "\(coverage)")
            let head = try #require(coverage.coverage(by: "watcher-bot")?.block)
            #expect(coverage.coveredBlock == head && coverage.coveredBy == ["watcher-bot", "watcher-bot-2"], "\(coverage)")
            // The chain's mark and the default staleness bound (10m) (review of watch6 M1, L5).
            #expect(coverage.mark == head && coverage.maxStaleness == 600, "\(coverage)")
            // A path that names no chain is a 400 naming it.
            try EntryAdmissionLoopbackTests.expectProblem(try await f.cluster.get("/v1/watch/dev%20net/coverage"), status: 400, code: "watch.invalid-chain",
                                                          "a chain name with a space")
            // The sender of the dust: eth-tester's account of private key 0x…03.
            let poisoner = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
            let id = try await f.transfer(chain: "devnet", asset: "ETH", to: poisoner, amount: "1")
            let statuses = try await f.cluster.waitForGovernance { g in g.requests.contains { $0.id == id } }
            let reference = try #require(statuses["node-1"]?.governance?.requests.first { $0.id == id })
            #expect(reference.outcome == "deny" && reference.transaction == nil)
            #expect(reference.rules.first == "deny-poisoned-destination", "\(reference.explanation)")
            #expect(reference.explanation.contains { $0.hasPrefix("POISONED: 0x6813…ba69 first appeared in the vault's history") }, "\(reference.explanation)")
            for (node, status) in statuses {
                let r = status.governance?.requests.first { $0.id == id }
                #expect(r?.outcome == "deny" && r?.explanation == reference.explanation, "\(node)")
            }
        }
    }

    @Test func aLookalikeOfTheAddressBooksKrakenIsDeniedByEveryNode() async throws {
        try await withCluster { f in
            // Kraken's first 4 and last 4 hex digits around other ones, EIP-55 checksummed (mixed
            // case, as eth_utils.to_checksum_address writes it).
            let lookalike = "0x2E6d" + String(repeating: "5", count: 32) + "ba8f"
            let id = try await f.transfer(chain: "devnet", asset: "ETH", to: lookalike, amount: "1")
            let statuses = try await f.cluster.waitForGovernance { g in g.requests.contains { $0.id == id } }
            let reference = try #require(statuses["node-1"]?.governance?.requests.first { $0.id == id })
            #expect(reference.outcome == "deny" && reference.rules.first == "deny-lookalike-destination", "\(reference.explanation)")
            #expect(reference.explanation.contains { $0.hasPrefix("LOOK-ALIKE: 0x2e6d…ba8f resembles kraken-devnet") }, "\(reference.explanation)")
            for (node, status) in statuses {
                #expect(status.governance?.requests.first { $0.id == id }?.explanation == reference.explanation, "\(node)")
            }
        }
    }
}
