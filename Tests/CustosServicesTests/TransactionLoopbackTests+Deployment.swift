import CustosClusterAPI
import CustosCore
import CustosTestSupport
import Foundation
import Testing

/// Issue #15 item 2 through the real processes, on the suite's shared cluster: a small Vyper
/// contract (owner set by its constructor) compiled twice by the pinned compiler to the same
/// bytes, deployed by the risk bot through the cluster; every node builds the creation, the
/// executor simulates, signs and broadcasts it, and the nodes read the code and `owner()` back
/// from the chain themselves: verified byte for byte. The init code of another build, under a
/// request naming the reviewed runtime code hash, is caught on every node.
extension TransactionLoopbackTests {
    struct VyperBuild: Codable { var initCode: String; var runtimeCode: String; var runtimeCodeHash: String; var deterministic: Bool; var version: String }
    struct VyperSource: Codable { var contract: String }

    @Test func aDeterministicVyperBuildVerifiesByteForByteAndAnotherBuildIsCaught() async throws {
        // Compiled once for the test, outside the shared cluster's time.
        let reviewed = try await PythonPeer.call("vyper_build.py", VyperSource(contract: "Owned.vy"), as: VyperBuild.self)
        let takeover = try await PythonPeer.call("vyper_build.py", VyperSource(contract: "OwnedTakeover.vy"), as: VyperBuild.self)
        #expect(reviewed.version.hasPrefix("0.4.3") && reviewed.deterministic && takeover.deterministic, "two compilations, the same bytes")
        #expect(reviewed.runtimeCodeHash != takeover.runtimeCodeHash)
        try await withCluster { f in
            // A fresh owner no other test uses.
            let owner = "00000000000000000000000000000000000d0015"
            let word = "0x" + String(repeating: "0", count: 24) + owner
            let good = try await f.deploy(initCode: "0x" + reviewed.initCode, arguments: word, runtimeCodeHash: "0x" + reviewed.runtimeCodeHash, ownerWord: word)
            let bad = try await f.deploy(initCode: "0x" + takeover.initCode, arguments: word, runtimeCodeHash: "0x" + reviewed.runtimeCodeHash, ownerWord: word)
            let statuses = try await f.cluster.waitForGovernance(seconds: 180) { g in
                [good, bad].allSatisfy { id in (g.requests.first { $0.id == id }?.transaction?.deployment?.verification ?? "unverified") != "unverified" }
            }
            let reference = try #require(statuses["node-1"]?.governance)
            let goodTx = try #require(reference.requests.first { $0.id == good }?.transaction)
            let badTx = try #require(reference.requests.first { $0.id == bad }?.transaction)
            for (node, status) in statuses {
                for (id, tx) in [(good, goodTx), (bad, badTx)] {
                    #expect(status.governance?.requests.first { $0.id == id }?.transaction == tx, "\(node) holds another plan")
                }
            }
            #expect(goodTx.status == "mined" && goodTx.to.isEmpty && goodTx.receipt?.verification == "confirmed" && goodTx.receipt?.mismatches == [])
            let deployed = try #require(goodTx.deployment)
            #expect(deployed.verification == "verified" && deployed.checks.filter(\.matches).count >= 2, "\(deployed)")
            // The address every node computed before signing is where the chain put the code.
            let address = try #require(deployed.contractAddress)
            let receipt = try await f.rpc("eth_getTransactionReceipt", #"["\#(goodTx.transactionHash!)"]"#)
            #expect((receipt["contractAddress"] as? String)?.lowercased() == address.lowercased(), "\(receipt)")
            #expect(try await f.rpcResult("eth_getCode", #"["\#(address)", "latest"]"#) as? String == "0x" + reviewed.runtimeCode)
            #expect(try await f.rpcResult("eth_call", #"[{"to": "\#(address)", "data": "0x8da5cb5b"}, "latest"]"#) as? String == word)
            // The other build was mined too, and caught: its code is not the reviewed one.
            let caught = try #require(badTx.deployment)
            #expect(badTx.status == "mined" && caught.verification == "mismatch", "\(caught)")
            #expect(caught.checks.filter { !$0.matches }.count >= 2 && caught.checks.allSatisfy { $0.matches || $0.differences.first?.contains("not the reviewed runtime code hash") == true },
                    "\(caught.checks)")
            let alerts: [AlertView] = try await f.cluster.getJSON("/v1/alerts")
            let alert = try #require(alerts.first { $0.request == bad && $0.kind == "deployment-mismatch" })
            #expect(alert.codes == ["runtime-code-mismatch"] && alert.basis == "checked" && !alerts.contains { $0.request == good }, "\(alerts)")
            for node in f.cluster.nodeIDs {
                #expect(try await f.cluster.metric(node, #"custos_node_alerts_total{kind="deployment-mismatch"}"#) >= 1, "\(node)")
            }
            let shownGood = try await LocalCluster.run(f.cluster.binary, ["request", "show", "--gateway", f.cluster.baseURL, good])
            #expect(shownGood.contains("deployed    verified") && shownGood.contains("address     \(address)"), "\(shownGood)")
            let shownBad = try await LocalCluster.run(f.cluster.binary, ["request", "show", "--gateway", f.cluster.baseURL, bad])
            #expect(shownBad.contains("deployed    MISMATCH") && !shownBad.contains("deployed    verified"), "\(shownBad)")
        }
    }
}
