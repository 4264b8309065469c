import ArgumentParser
import AsyncHTTPClient
import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosLedger
import CustosNode
import CustosNodeService
import CustosPolicy
import CustosState
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `custos node …`: one signer node. `init` creates its configuration and its identity and
/// transport keys, sealed by a PKCS#11 token (or, on a development node, a passphrase); `run`
/// joins the log through the gateway; `status` prints the committed chain. Secrets (PIN,
/// passphrase) come only from files named on the command line, never from configuration or the
/// environment.
struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run or inspect a signer node.",
        subcommands: [Run.self, Init.self, Status.self, Freeze.self, Resume.self, Export.self, JoinRequestCommand.self, Backup.self, Restore.self],
        defaultSubcommand: Run.self)

    static let votesFile = "votes.sqlite"
    static let chainFile = "chain.sqlite"
    /// The id of the last alert the node's webhook delivered (`WebhookProgress`).
    static let webhookProgressFile = "webhook.progress"

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a node's data folder, configuration (node.json) and sealed identity and transport keys; prints the member entry (public) as JSON.",
            discussion: """
                A production node seals its keys with a key inside a PKCS#11 token: --pkcs11-module, --token and --pin-file \
                (SoftHSM2, YubiHSM, Luna or a cloud HSM's module). A development node may seal them under --passphrase-file instead.
                """)

        @Option(help: "The node's data folder (created if missing).") var data: String
        @Option(help: "The node id (a-z 0-9 . _ -).") var id: String
        @Option(help: "production or development (default: production with a token, development with a passphrase).")
        var environment: String?
        @Option(help: "The PKCS#11 module (shared library) of the node's HSM.") var pkcs11Module: String?
        @Option(help: "The label of the PKCS#11 token to seal with.") var token: String?
        @Option(help: "The label of the sealing key on the token (default: custos-<id>); made on the token if missing.")
        var keyLabel: String?
        @OptionGroup var seal: NodeSealOptions

        func run() async throws {
            let environment: NodeEnvironment?
            if let text = self.environment {
                guard let parsed = NodeEnvironment(rawValue: text) else { fail("--environment is production or development, not \(text)") }
                environment = parsed
            } else {
                environment = nil
            }
            if pkcs11Module == nil, token != nil || keyLabel != nil { fail("--token and --key-label need --pkcs11-module") }
            let member = try NodeCommand.createNode(
                data: data, id: id, environment: environment,
                token: pkcs11Module.map { (module: $0, token: token, keyLabel: keyLabel) }, credential: try seal.credential())
            print(String(decoding: try JSONEncoder().encode(member), as: UTF8.self))
        }
    }

    /// Creates a node's data folder, `node.json` and its sealed identity and transport keys;
    /// returns the public member entry. Refuses to replace an existing node, a production node
    /// sealed by a passphrase, and a token seal without its token label or PIN.
    static func createNode(data: String, id: String, environment: NodeEnvironment?,
                           token: (module: String, token: String?, keyLabel: String?)?,
                           credential: NodeSeal.Credential) throws -> ClusterFile.MemberKey {
        let nodeID: NodeID
        do { nodeID = try NodeID(id) } catch { fail("--id: \(error.reason)") }
        let sealing = sealing(node: nodeID, token: token, credential: credential)
        let keys: NodeKeys
        do {
            let configuration = try NodeConfiguration(
                id: nodeID.rawValue, environment: environment ?? (sealing.method == .pkcs11 ? .production : .development), sealing: sealing)
            keys = try NodeKeys.create(dataFolder: data, configuration: configuration, credential: credential)
        } catch { fail(error.reason) }
        let identity = NodeIdentity(id: nodeID, signingKey: keys.signingKey, transportKey: keys.transportKey)
        do { return ClusterFile.MemberKey(try identity.member()) } catch { fail(error.reason) }
    }

    /// How a new (or restored) node seals its secrets: in the token named by `token`, opened
    /// with a PIN, or under a development passphrase; refuses a credential of the other kind
    /// and a token without its label.
    static func sealing(node: NodeID, token: (module: String, token: String?, keyLabel: String?)?,
                        credential: NodeSeal.Credential) -> NodeConfiguration.Sealing {
        switch (token, credential) {
        case (let token?, .pin):
            guard let label = token.token else { fail("--pkcs11-module needs --token LABEL") }
            return .pkcs11(module: token.module, token: label, keyLabel: token.keyLabel ?? "custos-\(node.rawValue)")
        case (nil, .passphrase):
            return .passphrase
        case (_?, .passphrase):
            fail("a PKCS#11 token is opened with --pin-file, not --passphrase-file")
        case (nil, .pin):
            fail("--pin-file is for a PKCS#11 token: give --pkcs11-module and --token too")
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the node: vote on proposals and commit certified blocks.")

        @Option(help: "The node's data folder.") var data: String
        @Option(help: "The node id.") var id: String
        @Option(help: "The cluster file (JSON, public data).") var cluster: String
        @Option(help: ArgumentHelp(
            "A gateway's base URL, e.g. http://127.0.0.1:8080; repeat it (or give a comma-separated list) for several gateways sharing one PostgreSQL store.",
            discussion: "The node talks to the first and moves on to the next when one stops answering. Without it, the node uses the \"gateways\" list of its node.json."))
        var gateway: [String] = []
        @Option(help: "Seconds a round may stay in flight before this node gives it up, so that the height can be proposed again.")
        var roundTimeout: Double = 30
        @Option(help: "Seconds a proposed block's time may be behind this node's clock; an older proposal is given up.")
        var maximumBlockAge: Double = Double(NodeConsensus.defaultMaximumBlockAge) / 1000
        @OptionGroup var seal: NodeSealOptions
        @Option(help: "Serve /health and /metrics on this port of 127.0.0.1 (0 picks a free one); off if absent.")
        var monitorPort: Int?
        @Option(help: "Write the monitor's bound port to this file once listening.") var monitorPortFile: String?
        @Option(help: "FROST nonce commitments this node keeps in each vault's pool.") var noncePoolDepth: Int = 16
        @Option(help: ArgumentHelp(
            "A chain's JSON-RPC endpoint this node reads receipts from itself, as CHAIN=URL (repeatable).",
            discussion: "For every receipt an executor records on that chain, the node reads the transaction's receipt from its own endpoint and commits a signed check; f+1 agreeing checks confirm a receipt, a disagreeing one raises receipt-disputed."))
        var rpc: [String] = []
        @Option(help: ArgumentHelp(
            "How many blocks deep (the including block counts) a receipt must be at this node's endpoint before the node checks it.",
            discussion: "Also how far past the recorded block the endpoint must be before the node says it holds no receipt. Default: 12 on a production cluster, 1 otherwise."))
        var receiptDepth: UInt64?
        @Option(help: ArgumentHelp(
            "A URL this node posts every committed alert to, as JSON signed with HMAC-SHA256 (header X-Custos-Signature: sha256=HEX).",
            discussion: "Needs --webhook-secret-file. Failed posts are retried with exponential back-off; the last acknowledged alert id is kept in the data folder's webhook.progress. Every node posts: receivers de-duplicate by cluster and alert id."))
        var webhook: String?
        @Option(help: "The file holding the webhook's shared HMAC secret (16 to 4096 bytes; one trailing newline is ignored).") var webhookSecretFile: String?
        @Option(help: ArgumentHelp(
            "Seconds between two persisted copies of the node's whole state, which it restarts from instead of replaying its chain.",
            discussion: "Also persisted whenever 10,000 blocks committed since the last copy. The copy is bound to the node's seal; one that does not verify is not used."))
        var persistInterval: Double = 60
        @Option(help: ArgumentHelp(
            "Keep this many committed blocks in the working store below the persisted state; older ones move to chain-archive.sqlite.",
            discussion: "A restart from the persisted state does not read the archive; a replay (after an upgrade), a trust anchor below the persisted state and `custos node freeze` do, and `custos node export` reads both. Keep it beside the chain. Off if absent."))
        var pruneKeep: UInt64?
        /// For a node that joins or was wiped; kept in the node's chain store for later starts.
        @OptionGroup var trust: TrustAnchorOptions
        @Option(help: .hidden) var unsafeTestExitAfterRecordingVoteAt: UInt64?
        @Option(help: .hidden) var unsafeTestCorruptSharesTo: String?
        @Flag(help: .hidden) var unsafeTestExitAfterRecordingNonceUse = false
        @Flag(help: .hidden) var unsafeTestCorruptSignatureShares = false
        @Flag(help: .hidden) var unsafeTestSignAnything = false
        @Flag(help: .hidden) var unsafeTestCorruptPresignShares = false
        @Option(help: .hidden) var unsafeTestClockOffsetFile: String?
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
            guard (1...Vault.maximumPooledNonces).contains(noncePoolDepth) else {
                fail("--nonce-pool-depth: 1 to \(Vault.maximumPooledNonces)")
            }
            guard persistInterval >= 1, persistInterval <= 86_400 else { fail("--persist-interval: 1 to 86400 seconds") }
            let trustAnchor = trust.anchor()
            let endpoints = chainEndpoints(rpc)
            if unsafeTestExitAfterRecordingVoteAt != nil || unsafeTestCorruptSharesTo != nil || unsafeTestExitAfterRecordingNonceUse
                || unsafeTestCorruptSignatureShares || unsafeTestSignAnything || unsafeTestCorruptPresignShares
                || unsafeTestClockOffsetFile != nil,
               configuration.isProduction {
                fail("fault injection is for tests; \(configuration.name) is a production cluster")
            }
            guard roundTimeout > 0, roundTimeout <= 3600 else { fail("--round-timeout: more than 0 and at most 3600 seconds") }
            guard maximumBlockAge >= 1, maximumBlockAge <= 86_400 else { fail("--maximum-block-age: 1 to 86400 seconds") }
            let depth = receiptDepth ?? (configuration.isProduction ? 12 : 1)
            guard (1...1000).contains(depth) else { fail("--receipt-depth: 1 to 1000 blocks") }
            guard (webhook == nil) == (webhookSecretFile == nil) else { fail("--webhook and --webhook-secret-file go together") }
            var webhookTarget: (URL, WebhookSecret)? = nil
            if let webhook, let webhookSecretFile {
                guard let url = URL(string: webhook), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                    fail("--webhook \(webhook.printable(limit: 200)): an http:// or https:// URL")
                }
                do { webhookTarget = (url, try WebhookSecret(contentsOfFile: webhookSecretFile)) } catch { fail("--webhook-secret-file: \(error)") }
            }
            let (keys, identity) = try seal.open(data: data, id: nodeID.rawValue)
            let gateways = gateway.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            let urls = gateways.isEmpty ? keys.configuration.gateways ?? [] : gateways
            guard !urls.isEmpty else { fail("no gateway: give --gateway URL, or list \"gateways\" in \(data)/node.json") }
            for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                fail("gateway \(url.printable(limit: 200)): a base URL starts with http:// or https://")
            }
            if keys.environment == .development, configuration.isProduction {
                fail("node \(nodeID) is a development node; \(configuration.name) is a production cluster")
            }
            let votes = try NodeDatabase(path: (data as NSString).appendingPathComponent(NodeCommand.votesFile), seal: keys.seal)
            let chain = try NodeChainStore(path: (data as NSString).appendingPathComponent(NodeCommand.chainFile))
            let trust: HTTPClient.Configuration
            do { trust = try GatewayTrust.configuration() } catch { fail("\(error)") }
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: trust)
            do {
                let gatewayClient = GatewayClient(gateways: GatewayEndpoints(urls), client: client, nodeID: nodeID.rawValue, logger: logger)
                // Fault injection (hidden flags, tests only): crash between recording a vote and
                // sending it; send a named node wrong key and signature shares.
                let faults = NodeFaultInjection(exitAfterRecordingVoteAt: unsafeTestExitAfterRecordingVoteAt,
                                                corruptSharesTo: unsafeTestCorruptSharesTo,
                                                exitAfterRecordingNonceUse: unsafeTestExitAfterRecordingNonceUse,
                                                corruptSignatureShares: unsafeTestCorruptSignatureShares,
                                                signAnything: unsafeTestSignAnything,
                                                corruptPresignShares: unsafeTestCorruptPresignShares,
                                                clockOffset: unsafeTestClockOffsetFile.map(UnsafeClockOffset.init(path:)))
                let halt = try SigningHalt(database: votes, node: nodeID.rawValue, logger: logger)
                let vaults = VaultService(
                    identity: identity, environment: keys.environment, database: votes, gateway: gatewayClient,
                    relay: RelayClient(gateway: gatewayClient, identity: identity, genesisDigest: configuration.genesisDigest), logger: logger,
                    poolDepth: noncePoolDepth, faults: faults, halt: halt)
                // The node reads each vault's receipts through an endpoint of the vault's environment,
                // for the vaults it may hold.
                let checker = ReceiptChecker.readers(environment: keys.environment, endpoints: endpoints).isEmpty ? nil
                    : ReceiptChecker(identity: identity, environment: keys.environment, endpoints: endpoints, gateway: gatewayClient, logger: logger,
                                     depth: depth)
                let webhookSender = webhookTarget.map { url, secret in
                    WebhookSender(url: url, secret: secret, node: nodeID.rawValue,
                                  progress: WebhookProgress(path: (data as NSString).appendingPathComponent(NodeCommand.webhookProgressFile)),
                                  client: client, logger: logger)
                }
                let node = try LogFollower(configuration: configuration, identity: identity, votes: votes, chain: chain,
                                           gateway: gatewayClient, logger: logger,
                                           roundTimeout: .milliseconds(Int64(roundTimeout * 1000)),
                                           maximumBlockAge: UInt64(maximumBlockAge * 1000),
                                           faults: faults, trustAnchor: trustAnchor, halt: halt,
                                           persistence: StatePersistence(interval: .milliseconds(Int64(persistInterval * 1000)), keepBlocks: pruneKeep),
                                           onCommit: { state in
                                               vaults.committed(state)
                                               checker?.committed(state)
                                               webhookSender?.committed(state)
                                           })
                var services: [any Service] = [node, vaults, halt] + (checker.map { [$0] } ?? []) + (webhookSender.map { [$0] } ?? [])
                if let monitorPort {
                    let portFile = monitorPortFile
                    let logger = logger
                    services.append(NodeMonitor.make(node: node, vaults: vaults, port: monitorPort, logger: logger) { bound in
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
            let votesPath = (data as NSString).appendingPathComponent(NodeCommand.votesFile)
            let halts = FileManager.default.fileExists(atPath: votesPath) ? try NodeDatabase(path: votesPath).signingHalts() : []
            let status = NodeStatus(
                height: blocks.last?.block.height ?? 0,
                signingHalts: halts.map { NodeHealth.Halt(cause: $0.cause.rawValue, height: $0.height, reason: $0.reason) },
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
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift a signing halt on this node's host, once you have dealt with its cause.",
            discussion: """
                A node holding proof that the gateway proposed two blocks at one height signs nothing (it still votes) until an \
                operator acknowledges it here; `custos node status` shows the evidence. A node restored from a backup signs \
                nothing until an operator says no signing halt or local freeze was in force on the original (the backup carries \
                neither). A running node resumes within a second.
                """)

        @Option(help: "The node's data folder.") var data: String
        @Flag(help: "Acknowledge the gateway equivocation this node recorded, and let it sign again.")
        var acknowledgeEquivocation = false
        @Flag(help: "Acknowledge that this node was restored from a backup and that no signing halt or local freeze was in force on the original.")
        var acknowledgeRestore = false

        func run() async throws {
            let causes = (acknowledgeEquivocation ? [SigningHaltRecord.Cause.gatewayEquivocation] : []) + (acknowledgeRestore ? [.restored] : [])
            guard !causes.isEmpty else { fail("say what you acknowledge: --acknowledge-equivocation or --acknowledge-restore") }
            let path = (data as NSString).appendingPathComponent(NodeCommand.votesFile)
            guard FileManager.default.fileExists(atPath: path) else { fail("\(path): no node database") }
            let database = try NodeDatabase(path: path)
            let halts = try database.signingHalts()
            // Not before the node has caught up to its own node.restored entry: until then it
            // walks history with a backup's shares (review helper-116 M2).
            if causes.contains(.restored), let restoration = try database.restoration(), restoration.entryHeight == nil {
                fail("this node has not yet caught up to its own node.restored entry: acknowledge the restore once it has "
                     + "(custos node status shows its chain past the block that carries the entry)")
            }
            for cause in causes where !halts.contains(where: { $0.cause == cause }) {
                fail(cause == .restored ? "this node is not halted after a restore: nothing to acknowledge"
                     : "no gateway equivocation is on record: nothing to acknowledge")
            }
            for halt in halts where causes.contains(halt.cause) {
                try database.liftHalt(halt.cause)
                print("acknowledged: \(halt.reason.printable(limit: 512))")
            }
            let remaining = try database.signingHalts()
            print(remaining.isEmpty ? "the node signs again" : "still halted: \(remaining.map(\.cause.rawValue).joined(separator: ", "))")
        }
    }

    struct JoinRequestCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "join-request",
            abstract: "Print this node's request to join a cluster's voting members (id, key, proof of possession) as JSON.")

        @Option(help: "The node's data folder (after `custos node init`).") var data: String
        @Option(help: "The node id.") var id: String
        @Option(help: "The cluster file of the cluster to join.") var cluster: String
        @OptionGroup var seal: NodeSealOptions

        func run() async throws {
            let configuration: ClusterConfiguration
            let genesis: ReplicatedState
            do {
                configuration = try ClusterFile.load(path: cluster)
                genesis = try configuration.genesisState()
            } catch { fail("\(error)") }
            let (_, identity) = try seal.open(data: data, id: id)
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
    /// Why this node signs nothing until an operator acts; empty when it signs.
    var signingHalts: [NodeHealth.Halt]
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

/// Reads a passphrase or PIN file (trailing newline ignored).
func readPassphrase(_ path: String, what: String = "passphrase") throws -> SecretBytes {
    guard var bytes = FileManager.default.contents(atPath: path).map(Array.init) else { fail("cannot read the \(what) file \(path)") }
    while bytes.last == UInt8(ascii: "\n") || bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
    guard !bytes.isEmpty else { fail("the \(what) file \(path) is empty") }
    return SecretBytes(bytes)
}

/// A one-line error on standard error and exit code 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("custos: " + message + "\n").utf8))
    Foundation.exit(1)
}
