import CustosClusterAPI
import CustosCore
import CustosLedger
import CustosNode
import CustosNodeService
import CustosState
import CustosTestSupport
import Foundation

extension NodeStatusView {
    /// What `custos node status --data FOLDER` prints, read in this process from the same files
    /// (the chain store and the votes database), without a process and two JSON round trips per
    /// node per round of a wait: on two cores those rounds took a core from the cluster under
    /// test. `ClusterLoopbackTests` checks that the command prints the same.
    static func read(data folder: URL) throws -> NodeStatusView {
        let chainPath = folder.appendingPathComponent("chain.sqlite").path
        guard FileManager.default.fileExists(atPath: chainPath) else { throw TestEnvironmentError("\(chainPath): no chain yet") }
        let store = try NodeChainStore(path: chainPath, readOnly: true)
        let blocks = try store.blocks()
        let governance = try store.snapshot().map { try JSONDecoder().decode(GovernanceSnapshot.self, from: $0) }
        let votesPath = folder.appendingPathComponent("votes.sqlite").path
        let halts = FileManager.default.fileExists(atPath: votesPath) ? try NodeDatabase(path: votesPath).signingHalts() : []
        return NodeStatusView(
            height: blocks.last?.block.height ?? 0,
            signingHalts: halts.map { NodeHealth.Halt(cause: $0.cause.rawValue, height: $0.height, reason: $0.reason) },
            stateDigests: try store.stateDigests().map { StateDigest(height: $0.height, digest: $0.digest.hexString) },
            governance: governance,
            blocks: blocks.map { c in
                BlockSummary(height: c.block.height, hash: c.block.hash.hex, voters: c.certificate.voters.map(\.rawValue),
                             entries: c.block.entries.map { "\($0.kind):\(Data($0.payload).base64EncodedString())" })
            })
    }

    /// What the files `read(data:)` reads look like now (size and modification time of each,
    /// their SQLite write-ahead logs included): unchanged files hold an unchanged status.
    static func stamp(data folder: URL) -> [String] {
        ["chain.sqlite", "chain.sqlite-wal", "votes.sqlite", "votes.sqlite-wal"].map { name in
            let attributes = try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\(size):\(modified)"
        }
    }
}
