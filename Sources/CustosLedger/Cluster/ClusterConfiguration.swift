import Crypto
import CustosCore
import CustosCrypto

/// The genesis of a cluster: who the members are, how many faults it tolerates, and the opaque
/// genesis document (first admins, governance policy) that the layers above interpret. Its
/// digest is the hash every chain starts from and is signed into every vote, so votes and
/// certificates of one cluster never count in another.
///
/// With n members: f = ⌊(n−1)/3⌋ and q = ⌈(n+f+1)/2⌉ (DESIGN.md, "The replicated log"). Any two
/// sets of q members share at least 2q − n ≥ f + 1 members, hence one honest member, and an
/// honest member votes for at most one block per round: two conflicting blocks can never both
/// be certified in one round (and across rounds, `NodeConsensus` "Rounds" keeps them apart).
public struct ClusterConfiguration: Sendable, Equatable {
    public static let maximumMembers = 256
    public static let maximumNameLength = 64
    public static let maximumGenesisDocumentBytes = 1 << 20

    /// A human name for the cluster; part of the genesis digest.
    public let name: String
    /// Members sorted by id.
    public let members: [Member]
    /// Milliseconds since the Unix epoch; block 1 may not be older.
    public let genesisTimestamp: UInt64
    /// The genesis document as the layers above encode it (opaque here).
    public let genesisDocument: [UInt8]

    public var n: Int { members.count }
    /// The number of faulty members tolerated: ⌊(n−1)/3⌋.
    public var f: Int { (n - 1) / 3 }
    /// Votes needed for a certificate: ⌈(n+f+1)/2⌉.
    public var quorum: Int { (n + f + 2) / 2 }

    /// SHA-256 over the canonical encoding: the "previous hash" of block 1.
    public let genesisDigest: LedgerHash

    private let indexByID: [NodeID: Int]
    /// The members at genesis (what the digest and `serialized` are of); `members` after a reconfiguration.
    private let genesisMembers: [Member]

    /// Validates and sorts the members. Refuses duplicate ids, identity keys or transport keys, more than
    /// `maximumMembers`, and — unless `allowWithoutFaultTolerance` is set for a development
    /// cluster — fewer than 4 members (f = 0 tolerates no faulty node at all).
    public init(
        name: String, members: [Member], genesisTimestamp: UInt64, genesisDocument: [UInt8] = [],
        allowWithoutFaultTolerance: Bool = false
    ) throws(LedgerError) {
        guard (1...Self.maximumNameLength).contains(name.utf8.count) else {
            throw LedgerError(.invalidConfiguration, "a cluster name has 1 to \(Self.maximumNameLength) bytes")
        }
        guard !members.isEmpty else { throw LedgerError(.invalidConfiguration, "a cluster has at least one member") }
        guard members.count <= Self.maximumMembers else {
            throw LedgerError(.invalidConfiguration, "at most \(Self.maximumMembers) members, not \(members.count)")
        }
        guard members.count >= 4 || allowWithoutFaultTolerance else {
            throw LedgerError(.invalidConfiguration, "\(members.count) members tolerate no faulty node (f = 0); at least 4 are needed for f ≥ 1")
        }
        guard genesisDocument.count <= Self.maximumGenesisDocumentBytes else {
            throw LedgerError(.limitExceeded, "genesis document of \(genesisDocument.count) bytes")
        }
        let sorted = members.sorted { $0.id < $1.id }
        var index: [NodeID: Int] = [:]
        var keys: Set<[UInt8]> = []
        var transportKeys: Set<[UInt8]> = []
        for (i, m) in sorted.enumerated() {
            guard index.updateValue(i, forKey: m.id) == nil else {
                throw LedgerError(.invalidConfiguration, "member id \(m.id) appears twice", culprit: m.id)
            }
            guard keys.insert(m.publicKeyBytes).inserted else {
                throw LedgerError(.invalidConfiguration, "member \(m.id) reuses another member's identity key", culprit: m.id)
            }
            guard transportKeys.insert(m.transportKeyBytes).inserted else {
                throw LedgerError(.invalidConfiguration, "member \(m.id) reuses another member's transport key", culprit: m.id)
            }
        }
        self.name = name
        self.members = sorted
        self.genesisTimestamp = genesisTimestamp
        self.genesisDocument = genesisDocument
        self.indexByID = index
        self.genesisMembers = sorted
        self.genesisDigest = .digest(domain: "custos.ledger.genesis.v1", Self.encode(name: name, members: sorted, genesisTimestamp: genesisTimestamp, genesisDocument: genesisDocument))
    }

    /// The same cluster (name, genesis and genesis digest: votes and certificates stay bound to
    /// it) with another set of voting members, as a committed membership change makes it from
    /// the next height on. Refuses what `init` refuses.
    public func reconfigured(members next: [Member]) throws(LedgerError) -> ClusterConfiguration {
        let candidate = try ClusterConfiguration(
            name: name, members: next, genesisTimestamp: genesisTimestamp, genesisDocument: genesisDocument)
        return ClusterConfiguration(reconfiguring: self, members: candidate.members, index: candidate.indexByID)
    }

    private init(reconfiguring base: ClusterConfiguration, members: [Member], index: [NodeID: Int]) {
        name = base.name
        genesisTimestamp = base.genesisTimestamp
        genesisDocument = base.genesisDocument
        genesisDigest = base.genesisDigest
        genesisMembers = base.genesisMembers
        self.members = members
        indexByID = index
    }

    public func member(_ id: NodeID) -> Member? { indexByID[id].map { members[$0] } }

    public func isMember(_ id: NodeID) -> Bool { indexByID[id] != nil }

    /// The same cluster with the same voting members.
    public static func == (a: ClusterConfiguration, b: ClusterConfiguration) -> Bool {
        a.genesisDigest == b.genesisDigest && a.members == b.members
    }

    // MARK: Encoding

    /// The canonical encoding of the genesis (its members sorted by id), also after a reconfiguration.
    public var serialized: [UInt8] {
        Self.encode(name: name, members: genesisMembers, genesisTimestamp: genesisTimestamp, genesisDocument: genesisDocument)
    }

    private static func encode(name: String, members: [Member], genesisTimestamp: UInt64, genesisDocument: [UInt8]) -> [UInt8] {
        var w = CanonicalWriter(kind: LedgerWire.Kind.configuration)
        w.append(string: name, prefix: .uint8)
        w.append(genesisTimestamp)
        w.append(UInt16(members.count))
        for m in members {
            w.append(m.id)
            w.append(raw: m.publicKeyBytes)
            w.append(raw: m.transportKeyBytes)
        }
        w.append(lengthPrefixed: genesisDocument)
        return w.bytes
    }

    /// Decodes and validates; refuses anything but the canonical encoding (members out of order
    /// included). A development cluster with fewer than 4 members needs `allowWithoutFaultTolerance`.
    public init(serialized bytes: [UInt8], allowWithoutFaultTolerance: Bool = false) throws(LedgerError) {
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.configuration, what: "cluster configuration")
        let name = try r.string("name", max: Int(UInt8.max), prefix: .uint8)
        let timestamp = try r.uint64("genesis timestamp")
        let count = Int(try r.uint16("member count"))
        guard count <= Self.maximumMembers else {
            throw LedgerError(.limitExceeded, "cluster configuration: \(count) members, more than \(Self.maximumMembers)")
        }
        var members: [Member] = []
        for i in 0..<count {
            let id = try r.nodeID("member \(i) id")
            let key = Array(try r.read(32, "member \(i) key"))
            let transportKey = Array(try r.read(32, "member \(i) transport key"))
            if let last = members.last, !(last.id < id) {
                throw r.fail("members are not in strictly ascending id order at \(id)")
            }
            members.append(try Member(id: id, publicKeyBytes: key, transportKeyBytes: transportKey))
        }
        let document = try r.lengthPrefixed("genesis document", max: Self.maximumGenesisDocumentBytes)
        try r.finish()
        try self.init(name: name, members: members, genesisTimestamp: timestamp, genesisDocument: document,
                      allowWithoutFaultTolerance: allowWithoutFaultTolerance)
    }
}
