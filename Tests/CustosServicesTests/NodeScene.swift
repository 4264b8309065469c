import AsyncHTTPClient
import Crypto
import CustosLedger
import CustosNode
@testable import CustosNodeService
import Foundation
import Logging

/// Four member identities over the test genesis, a fifth (`joiner`) that is not a member, and
/// each node's stores in a temporary folder by name (the same name is that node restarted); the
/// block time is now, so members vote for the blocks.
struct NodeScene {
    let identities = (1...4).map { NodeIdentity(id: try! NodeID("node-\($0)"), signingKey: .init(), transportKey: .init()) }
    let joiner = NodeIdentity(id: NodeID("node-5"), signingKey: .init(), transportKey: .init())
    let now = UInt64(Date().timeIntervalSince1970 * 1000)
    let configuration: ClusterConfiguration
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("custos-scene-\(UUID().uuidString)")

    init() throws {
        configuration = try TestGenesis().configuration(identities, genesisTimestamp: now - 60_000)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// `count` blocks from genesis, one note each (`tag` tells histories apart), certified by all
    /// four members.
    func chain(_ count: Int, tag: String) throws -> [CertifiedBlock] {
        var previous = configuration.genesisDigest
        var blocks: [CertifiedBlock] = []
        for height in 1...UInt64(count) {
            let block = try Block(height: height, previousHash: previous, timestamp: now - 60_000 + height * 1_000,
                                  entries: [try TestNote.entry("\(tag)-\(height)")])
            blocks.append(try certified(block))
            previous = block.hash
        }
        return blocks
    }

    /// `block` with the votes of all four members.
    func certified(_ block: Block) throws -> CertifiedBlock {
        let votes = identities.map { Vote(signing: block, genesisDigest: configuration.genesisDigest, identity: $0) }
        return CertifiedBlock(block: block, certificate: try QuorumCertificate(votes: votes, configuration: configuration))
    }

    /// The path of the stores named `name` (created).
    func stores(_ name: String) throws -> String {
        let path = folder.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The node on the stores named `name`: `identity` (default the joiner), its gateway, trust
    /// anchor and signing halt.
    func node(_ name: String, identity: NodeIdentity? = nil, gateway: String = "http://127.0.0.1:9", anchor: TrustAnchor? = nil,
              halt: SigningHalt? = nil) throws -> LogFollower {
        let path = try stores(name)
        return try LogFollower(configuration: configuration, identity: identity ?? joiner,
                               votes: try NodeDatabase(path: path + "/votes.sqlite"), chain: try NodeChainStore(path: path + "/chain.sqlite"),
                               gateway: GatewayClient(baseURL: gateway, client: HTTPClient.shared), logger: Logger(label: "test"),
                               trustAnchor: anchor, halt: halt)
    }
}
