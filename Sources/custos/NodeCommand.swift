import ArgumentParser
import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosNodeService
import CustosState
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `custos node …`: one signer node. `init` creates its identity key (sealed under a
/// development passphrase file), `run` joins the log through the gateway, `status` prints the
/// committed chain. Secrets never come from configuration or the environment.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run or inspect a signer node.",
        subcommands: [Run.self, Init.self, Status.self, Export.self, JoinRequestCommand.self], defaultSubcommand: Run.self)

    static let sealedKeyFile = "identity.sealed"
    static let votesFile = "votes.sqlite"
    static let chainFile = "chain.sqlite"

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a node's data folder and Ed25519 identity key; prints the member entry (public) as JSON.")

        @Option(help: "The node's data folder (created if missing).") var data: String
        @Option(help: "The node id (a-z 0-9 . _ -).") var id: String
        @Option(help: "DEVELOPMENT ONLY: a file holding the passphrase that seals the identity key.")
        var passphraseFile: String

        func run() async throws {
            let member = try NodeCommand.createIdentity(data: data, id: id, passphraseFile: passphraseFile)
            print(String(decoding: try JSONEncoder().encode(member), as: UTF8.self))
        }
    }

    /// Opens a node's sealed identity key.
    static func openIdentity(data: String, id: String, passphraseFile: String) throws -> NodeIdentity {
        let nodeID: NodeID
        do { nodeID = try NodeID(id) } catch { fail("--id: \(error)") }
        let keyPath = (data as NSString).appendingPathComponent(NodeCommand.sealedKeyFile)
        guard let sealed = FileManager.default.contents(atPath: keyPath) else { fail("cannot read \(keyPath); run custos node init first") }
        let secret: SecretBytes
        do { secret = try PassphraseSeal.open(Array(sealed), passphrase: try readPassphrase(passphraseFile)) } catch {
            fail("cannot open \(keyPath): \(error)")
        }
        return NodeIdentity(id: nodeID, signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: secret.unsafeCopyBytes()))
    }

    /// Creates a node's data folder and its Ed25519 identity key, sealed under the passphrase;
    /// returns the public member entry. Refuses to replace an existing key.
    static func createIdentity(data: String, id: String, passphraseFile: String) throws -> ClusterFile.MemberKey {
        let nodeID: NodeID
        do { nodeID = try NodeID(id) } catch { fail("--id: \(error)") }
        let keyPath = (data as NSString).appendingPathComponent(NodeCommand.sealedKeyFile)
        guard !FileManager.default.fileExists(atPath: keyPath) else { fail("\(keyPath) already exists; refusing to replace an identity key") }
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let passphrase = try readPassphrase(passphraseFile)
        let key = Curve25519.Signing.PrivateKey()
        let sealed = try PassphraseSeal.seal(SecretBytes(key.rawRepresentation), passphrase: passphrase, strength: .interactive)
        try writeSecretFile(keyPath, Data(sealed))
        return ClusterFile.MemberKey(id: nodeID.rawValue, publicKey: key.publicKey.rawRepresentation.hexString)
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the node: vote on proposals and commit certified blocks.")

        @Option(help: "The node's data folder.") var data: String
        @Option(help: "The node id.") var id: String
        @Option(help: "The cluster file (JSON, public data).") var cluster: String
        @Option(help: "The gateway's base URL, e.g. http://127.0.0.1:8080.") var gateway: String
        @Option(help: "DEVELOPMENT ONLY: a file holding the passphrase that seals the identity key.")
        var passphraseFile: String
        @Option(help: "Serve /health and /metrics on this port of 127.0.0.1 (0 picks a free one); off if absent.")
        var monitorPort: Int?
        @Option(help: "Write the monitor's bound port to this file once listening.") var monitorPortFile: String?
        @Option(help: .hidden) var unsafeTestExitAfterRecordingVoteAt: UInt64?
        /// Set by `custos dev up`: stop when that process is gone.
        @Option(help: .hidden) var parentPid: Int32?

        func run() async throws {
            ParentWatch.start(parent: parentPid)
            var logger = Logger(label: "custos.node")
            logger[metadataKey: "node"] = "\(id)"
            let configuration: ClusterConfiguration
            let nodeID: NodeID
            do {
                configuration = try ClusterFile.load(path: cluster)
                nodeID = try NodeID(id)
            } catch { fail("\(error)") }
            if unsafeTestExitAfterRecordingVoteAt != nil, configuration.isProduction {
                fail("fault injection is for tests; \(configuration.name) is a production cluster")
            }
            let identity = try NodeCommand.openIdentity(data: data, id: nodeID.rawValue, passphraseFile: passphraseFile)
            let votes = try NodeDatabase(path: (data as NSString).appendingPathComponent(NodeCommand.votesFile))
            let chain = try NodeChainStore(path: (data as NSString).appendingPathComponent(NodeCommand.chainFile))
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let node = try LogFollower(configuration: configuration, identity: identity, votes: votes, chain: chain,
                                           gateway: GatewayClient(baseURL: gateway, client: client, nodeID: nodeID.rawValue), logger: logger,
                                           // Fault injection (hidden flag, tests only): crash between recording a vote and sending it.
                                           faults: NodeFaultInjection(exitAfterRecordingVoteAt: unsafeTestExitAfterRecordingVoteAt))
                var services: [any Service] = [node]
                if let monitorPort {
                    let portFile = monitorPortFile
                    let logger = logger
                    services.append(NodeMonitor.make(node: node, port: monitorPort, logger: logger) { bound in
                        logger.info("monitor listening", metadata: ["address": "127.0.0.1:\(bound)"])
                        if let portFile { writePortFile(portFile, bound) }
                    })
                }
                let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
                try await group.run()
            } catch {
                try? await client.shutdown()
                fail("\(error)")
            }
            try await client.shutdown()
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the node's committed chain as JSON.")

        @Option(help: "The node's data folder.") var data: String

        func run() async throws {
            let path = (data as NSString).appendingPathComponent(NodeCommand.chainFile)
            guard FileManager.default.fileExists(atPath: path) else { fail("\(path): no chain yet") }
            let store = try NodeChainStore(path: path, readOnly: true)
            let blocks = try store.blocks()
            let governance = try store.snapshot().map { try JSONDecoder().decode(GovernanceSnapshot.self, from: $0) }
            let status = NodeStatus(
                height: blocks.last?.block.height ?? 0,
                stateDigests: try store.stateDigests().map { NodeStatus.StateDigest(height: $0.height, digest: $0.digest.hexString) },
                governance: governance,
                blocks: blocks.map { c in
                    NodeStatus.BlockSummary(height: c.block.height, hash: c.block.hash.hex, voters: c.certificate.voters.map(\.rawValue),
                                            entries: c.block.entries.map { "\($0.kind):\(Data($0.payload).base64EncodedString())" })
                })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        }
    }
}

extension NodeCommand {
    struct JoinRequestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "join-request",
            abstract: "Print this node's request to join a cluster's voting members (id, key, proof of possession) as JSON.")

        @Option(help: "The node's data folder (after `custos node init`).") var data: String
        @Option(help: "The node id.") var id: String
        @Option(help: "The cluster file of the cluster to join.") var cluster: String
        @Option(help: "DEVELOPMENT ONLY: a file holding the passphrase that seals the identity key.")
        var passphraseFile: String

        func run() async throws {
            let configuration: ClusterConfiguration
            let genesis: ReplicatedState
            do {
                configuration = try ClusterFile.load(path: cluster)
                genesis = try configuration.genesisState()
            } catch { fail("\(error)") }
            let identity = try NodeCommand.openIdentity(data: data, id: id, passphraseFile: passphraseFile)
            let member = try identity.member()
            let message = ReplicatedState.membershipProofMessage(
                clusterName: genesis.clusterName, genesisDigest: genesis.genesisDigest, member: member)
            let request = JoinRequest(member: member, proof: identity.signDigest(message))
            print(String(decoding: try JSONEncoder().encode(request), as: UTF8.self))
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the node's committed log (configuration, blocks, certificates) for `custos audit verify`.")

        @Option(help: "The node's data folder.") var data: String
        @Option(help: "The cluster file (JSON, public data).") var cluster: String
        @Option(help: "The file to write.") var out: String

        func run() async throws {
            let configuration: ClusterConfiguration
            do { configuration = try ClusterFile.load(path: cluster) } catch { fail("\(error)") }
            let path = (data as NSString).appendingPathComponent(NodeCommand.chainFile)
            guard FileManager.default.fileExists(atPath: path) else { fail("\(path): no chain yet") }
            let blocks = try NodeChainStore(path: path, readOnly: true).blocks()
            let export = ChainExport(configuration: configuration, blocks: blocks)
            guard FileManager.default.createFile(atPath: out, contents: Data(export.serialized)) else { fail("cannot write \(out)") }
            print("exported \(blocks.count) blocks to \(out)")
        }
    }
}

/// What `custos node status` prints.
struct NodeStatus: Codable {
    struct BlockSummary: Codable {
        var height: UInt64
        var hash: String
        var voters: [String]
        /// `kind:base64(payload)` per entry.
        var entries: [String]
    }
    struct StateDigest: Codable {
        var height: UInt64
        var digest: String
    }
    var height: UInt64
    /// The digest of the governed state after each height: equal across nodes that agree.
    var stateDigests: [StateDigest]
    /// The governed state at the head, as this node applied it.
    var governance: GovernanceSnapshot?
    var blocks: [BlockSummary]
}

/// Writes a bound port to `path` atomically (rename(2)): a reader sees no file or the whole port.
func writePortFile(_ path: String, _ port: Int) {
    let temporary = path + ".tmp"
    _ = FileManager.default.createFile(atPath: temporary, contents: Data("\(port)\n".utf8))
    _ = rename(temporary, path)
}

/// Reads a development passphrase file (trailing newline ignored).
func readPassphrase(_ path: String) throws -> SecretBytes {
    guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else { fail("cannot read the passphrase file \(path)") }
    while bytes.last == UInt8(ascii: "\n") || bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
    guard !bytes.isEmpty else { fail("the passphrase file \(path) is empty") }
    return SecretBytes(bytes)
}

/// A one-line error on standard error and exit code 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("custos: " + message + "\n").utf8))
    Foundation.exit(1)
}
