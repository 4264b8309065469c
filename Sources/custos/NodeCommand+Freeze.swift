import ArgumentParser
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosNode
import CustosNodeService
import CustosState
import Foundation

extension NodeCommand {
    /// `custos node freeze`: a security officer stops one node signing, on that node's host,
    /// without the gateway. Their assertion binds the cluster's genesis digest and the node's id;
    /// it is checked here against the node's committed chain, recorded in the node's database,
    /// and checked again by the running node, which then releases no key material until the
    /// quorum unfreezes in the log.
    struct Freeze: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Freeze this node's signing on its host (a security officer; no gateway involved).",
            discussion: """
                The node keeps voting but releases no key share, nonce, presignature or ceremony message until the quorum \\
                unfreezes in the log (an unfreeze committed after this freeze; if the log is not frozen, an officer freezes \\
                it there first). A running node stops within a second; the freeze survives restarts.
                """)

        @Option(help: "The node's data folder.") var data: String
        @Option(help: "The cluster file (JSON, public data).") var cluster: String
        @OptionGroup var credential: OperationCommand.Credential

        func run() async throws {
            let configuration: ClusterConfiguration
            let node: NodeConfiguration
            do {
                configuration = try ClusterFile.load(path: cluster)
                node = try NodeConfiguration.load(dataFolder: data)
            } catch { fail("\(error)") }
            let chainPath = (data as NSString).appendingPathComponent(NodeCommand.chainFile)
            let votesPath = (data as NSString).appendingPathComponent(NodeCommand.votesFile)
            let chain = try NodeChainStore(path: chainPath)
            let state: ReplicatedState
            do { state = try chain.committedState(configuration) } catch { fail("the node's committed chain: \(error)") }
            let height = try chain.head(configuration).height

            var file = CredentialStore.load(credential.credentialFile)
            let issuedAt = UInt64(Date().timeIntervalSince1970 * 1000)
            let nonce = SecureRandom.bytes(count: 16)
            let challenge = LocalFreeze.challenge(genesisDigest: state.genesisDigest, node: node.id, issuedAt: issuedAt, nonce: nonce)
            let freeze = LocalFreeze(user: file.user, node: node.id, issuedAt: issuedAt, nonce: nonce,
                                     assertion: try makeAssertion(&file, challenge: challenge, path: credential.credentialFile))
            do { try state.verify(freeze, node: node.id, now: issuedAt) } catch { fail("the freeze is refused: \(error.reason)") }
            // Verified here against the node's committed chain: recorded so, it is lifted only by the quorum.
            try NodeDatabase(path: votesPath).record(halt: SigningHaltRecord(
                cause: .localFreeze, height: height, since: issuedAt,
                reason: "frozen on its host by \(file.user) at height \(height); the quorum lifts it by unfreezing in the log",
                evidence: Array(try JSONEncoder().encode(freeze))), verifiedFreeze: freeze.digest(genesisDigest: state.genesisDigest))
            print("node \(node.id) frozen by \(file.user) at height \(height): it signs nothing until the quorum unfreezes in the log")
        }
    }
}
