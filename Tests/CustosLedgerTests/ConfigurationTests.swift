import Crypto
import CustosCore
import CustosCrypto
import CustosLedger
import Testing

@Suite("Cluster configuration and genesis")
struct ConfigurationTests {
    @Test("f = ⌊(n−1)/3⌋ and q = ⌈(n+f+1)/2⌉", arguments: [
        (1, 0, 1), (3, 0, 2), (4, 1, 3), (5, 1, 4), (6, 1, 4), (7, 2, 5), (10, 3, 7), (13, 4, 9), (100, 33, 67),
    ])
    func thresholds(n: Int, f: Int, q: Int) {
        let cluster = TestCluster(n: n)
        #expect(cluster.configuration.n == n)
        #expect(cluster.configuration.f == f)
        #expect(cluster.configuration.quorum == q)
    }

    @Test("Any two quorums share at least f + 1 members, for every n up to 256")
    func quorumIntersection() {
        for n in 1...256 {
            let f = (n - 1) / 3
            let q = (n + f + 2) / 2
            #expect(2 * q - n >= f + 1, "n = \(n)")
            #expect(q <= n - f, "n = \(n): q must be reachable with f silent members")
        }
    }

    @Test("Members are sorted; the genesis digest does not depend on the order given")
    func canonicalOrder() throws {
        let cluster = TestCluster(n: 5)
        let reversed = try ClusterConfiguration(
            name: "test-cluster", members: cluster.configuration.members.reversed(),
            genesisTimestamp: TestCluster.genesisTime, genesisDocument: Array("genesis".utf8))
        #expect(reversed.genesisDigest == cluster.configuration.genesisDigest)
        #expect(reversed.members.map(\.id) == cluster.configuration.members.map(\.id))
    }

    @Test("The genesis digest binds name, members, time and document")
    func digestBindsEverything() {
        let base = TestCluster(n: 4).configuration.genesisDigest
        #expect(TestCluster(n: 4, name: "other").configuration.genesisDigest != base)
        #expect(TestCluster(n: 4, seed: 2).configuration.genesisDigest != base)
        #expect(TestCluster(n: 4, genesisDocument: [1]).configuration.genesisDigest != base)
        #expect(TestCluster(n: 5).configuration.genesisDigest != base)
    }

    @Test("Configuration round-trips through its encoding")
    func roundTrip() throws {
        let configuration = TestCluster(n: 7).configuration
        let decoded = try ClusterConfiguration(serialized: configuration.serialized)
        #expect(decoded == configuration)
        #expect(decoded.serialized == configuration.serialized)
    }

    @Test("Invalid configurations are refused")
    func invalid() throws {
        let cluster = TestCluster(n: 4)
        let members = cluster.configuration.members
        func make(_ m: [Member], name: String = "c", dev: Bool = false) throws(LedgerError) {
            _ = try ClusterConfiguration(name: name, members: m, genesisTimestamp: 0, allowWithoutFaultTolerance: dev)
        }
        // Too few for f ≥ 1 unless explicitly a development cluster.
        #expect(ledgerError { try make(Array(members.prefix(3))) }?.code == .invalidConfiguration)
        #expect(ledgerError { try make(Array(members.prefix(3)), dev: true) } == nil)
        #expect(ledgerError { try make([]) }?.code == .invalidConfiguration)
        // Duplicate id.
        let freshTransport = { Curve25519.KeyAgreement.PrivateKey().publicKey }
        let dupID = try Member(id: members[0].id, publicKey: members[1].publicKey, transportKey: freshTransport())
        #expect(ledgerError { try make(members + [dupID]) }?.code == .invalidConfiguration)
        // Duplicate key under another id.
        let dupKey = try Member(id: "node-9", publicKey: members[0].publicKey, transportKey: freshTransport())
        let error = ledgerError { try make(members + [dupKey]) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.culprit != nil)
        // Another member's transport key under a new id and identity key.
        let dupTransport = try Member(id: "node-9", publicKey: Curve25519.Signing.PrivateKey().publicKey,
                                      transportKey: members[0].transportKey)
        let transportError = ledgerError { try make(members + [dupTransport]) }
        #expect(transportError?.code == .invalidConfiguration)
        #expect(transportError?.culprit == "node-9")
        // Bad names.
        #expect(ledgerError { try make(members, name: "") }?.code == .invalidConfiguration)
        #expect(ledgerError { try make(members, name: String(repeating: "x", count: 65)) }?.code == .invalidConfiguration)
    }

    @Test("Weak identity keys are refused", arguments: [
        "0100000000000000000000000000000000000000000000000000000000000000",  // identity
        "0000000000000000000000000000000000000000000000000000000000000000",  // small order
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // order 2
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  // order 8
    ])
    func weakKeys(hex: String) throws {
        let raw = try [UInt8](hex: hex)
        let transport = Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation)
        #expect(ledgerError { _ = try Member(id: "node-x", publicKeyBytes: raw, transportKeyBytes: transport) }?.code == .invalidConfiguration)
    }

    /// The X25519 points of small order (libsodium's list, with their non-canonical encodings):
    /// a shared secret with any of them is all-zero, so encryption to them hides nothing.
    @Test("Low-order transport keys are refused", arguments: [
        "0000000000000000000000000000000000000000000000000000000000000000",  // 0 (all-zero)
        "0100000000000000000000000000000000000000000000000000000000000000",  // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p − 1, order 2
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p, that is 0
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // p + 1, that is 1
    ])
    func weakTransportKeys(hex: String) throws {
        let identity = Array(Curve25519.Signing.PrivateKey().publicKey.rawRepresentation)
        let error = ledgerError { _ = try Member(id: "node-x", publicKeyBytes: identity, transportKeyBytes: try [UInt8](hex: hex)) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.reason.contains("transport key") == true)
        #expect(ledgerError { _ = try Member(id: "node-x", publicKeyBytes: identity, transportKeyBytes: [1, 2, 3]) }?.code == .invalidConfiguration)
    }

    @Test("A node identity never prints its private keys")
    func identityDescriptionHidesKeys() throws {
        let signing = Curve25519.Signing.PrivateKey()
        let transport = Curve25519.KeyAgreement.PrivateKey()
        let identity = NodeIdentity(id: "node-1", signingKey: signing, transportKey: transport)
        let shown = "\(identity) \(String(reflecting: identity)) \(try identity.member())"
        for secret in [Array(signing.rawRepresentation), Array(transport.rawRepresentation)] {
            #expect(!shown.contains(secret.hexString))
            #expect(!shown.contains(secret.hexString.prefix(16)))
        }
    }

    @Test("Node ids are restricted to a small alphabet", arguments: ["", "Node", "a b", "é", String(repeating: "a", count: 65)])
    func badNodeIDs(raw: String) {
        #expect(ledgerError { _ = try NodeID(raw) }?.code == .invalidConfiguration)
    }

    @Test("A node refuses to start with another cluster's state or a key not in the configuration")
    func nodeStartChecks() throws {
        let cluster = TestCluster(n: 4)
        let other = TestCluster(n: 4, name: "other")
        #expect(ledgerError {
            _ = try NodeConsensus(configuration: cluster.configuration, identity: cluster.identities[0], safetyState: .genesis(other.configuration))
        }?.code == .invalidConfiguration)
        #expect(ledgerError {
            _ = try NodeConsensus(configuration: cluster.configuration, identity: TestCluster(n: 4, seed: 2).identities[0], safetyState: .genesis(cluster.configuration))
        }?.code == .invalidConfiguration)
        let stranger = NodeIdentity(id: "stranger", signingKey: Curve25519.Signing.PrivateKey(), transportKey: Curve25519.KeyAgreement.PrivateKey())
        #expect(ledgerError {
            _ = try NodeConsensus(configuration: cluster.configuration, identity: stranger, safetyState: .genesis(cluster.configuration))
        }?.code == .unknownMember)
    }
}
