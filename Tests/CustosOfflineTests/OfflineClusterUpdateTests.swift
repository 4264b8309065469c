import Crypto
import CustosClusterAPI
import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosMPC
import CustosNode
import CustosState
import Foundation
import Testing

@testable import CustosOffline

/// A membership change of the cluster (review A-H1): the offline signer trusts the new members
/// once a person confirmed them, keeps its identity, vault keys and answer records, refuses a
/// file of another cluster, and a crash between its two writes leaves the old trust whole.
struct OfflineClusterUpdateTests {
    typealias T = OfflineSignerStoreTests

    /// The fixture's cluster file with `members` in place of its own (same genesis, name and time).
    static func clusterFile(_ f: T.Fixture, members: [NodeIdentity], name: String? = nil, policy: String? = nil) throws -> URL {
        var file = try JSONDecoder().decode(ClusterFile.self, from: Data(contentsOf: f.root.appendingPathComponent("cluster.json")))
        file.members = try members.map { ClusterFile.MemberKey(try $0.member()) }
        if let name { file.name = name }
        if let policy {
            let genesis = GenesisDocument(clusterName: "offline-test", relyingPartyId: "localhost", allowedOrigins: ["https://localhost"],
                                          mode: .development, admins: [], policyYAML: policy)
            file.genesisDocument = Data(genesis.encoded).base64EncodedString()
        }
        let url = f.root.appendingPathComponent("cluster-\(UUID().uuidString).json")
        try JSONEncoder().encode(file).write(to: url)
        return url
    }

    /// A certificate of an empty block by `voters`, checked against `trust`: what step 1 of a
    /// bundle's verification does with the votes of the members in force.
    static func certifies(_ voters: [NodeIdentity], _ trust: ClusterConfiguration) throws -> Bool {
        let block = try Block(height: 9, previousHash: LedgerHash(bytes: [UInt8](repeating: 1, count: 32)), timestamp: 5, entries: [])
        let votes = voters.map { Vote(signing: block, genesisDigest: trust.genesisDigest, identity: $0) }
        let certificate = QuorumCertificate(height: 9, blockHash: block.hash, previousHash: block.previousHash, votes: votes)
        do { try certificate.verify(for: block, in: trust) } catch { return false }
        return true
    }

    @Test func aMembershipChangeIsTrustedWithTheSameKeys() throws {
        let f = try T.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let enrolment = try f.store.enrol(vault: "cold", scheme: .frostEd25519, passphrase: T.secret)
        try f.store.recordAnswer(vault: "cold", request: "before", attempt: 1)
        let setUpBytes = try Data(contentsOf: f.directory.appendingPathComponent("cluster.json"))
        let node5 = NodeIdentity.generate(id: NodeID("node-5"))
        let next = Array(f.identities.prefix(3)) + [node5]
        let newFile = try Self.clusterFile(f, members: next)
        // node-4 left and node-5 joined: before the update node-5's vote counts for nothing.
        #expect(try !Self.certifies([f.identities[0], f.identities[1], node5], f.store.trust))

        let preview = try f.store.clusterUpdate(from: newFile)
        let nextMembers = try next.map { try $0.member() }
        #expect(preview.added.map(\.id.rawValue) == ["node-5"] && preview.removed.map(\.id.rawValue) == ["node-4"])
        #expect(preview.fingerprint == OfflineMembers.fingerprint(of: nextMembers))
        #expect(preview.previousFingerprint == OfflineMembers.fingerprint(of: f.store.trust.members))
        #expect(preview.fingerprint != preview.previousFingerprint && preview.fingerprint.count == 39)
        #expect(preview.kept == 3 && preview.previousQuorum == 3)

        // Declined: nothing changes.
        #expect(T.reason { _ = try f.store.updateCluster(from: newFile) { _ in false } }?.1.contains("not confirmed") == true)
        #expect(try OfflineSignerStore(directory: f.directory).trust == f.store.trust)

        var shown: OfflineSignerStore.ClusterUpdate? = nil
        let updated = try f.store.updateCluster(from: newFile) { shown = $0; return true }
        #expect(shown?.fingerprint == preview.fingerprint)
        let reopened = try OfflineSignerStore(directory: f.directory)
        for store in [updated, reopened] {
            #expect(store.trust.members == nextMembers.sorted { $0.id < $1.id })
            // The ledger genesis (what every vote signs) is the set-up one: the members changed, not the chain.
            #expect(store.trust.genesisDigest == f.store.trust.genesisDigest)
            #expect(store.genesisDigest == f.store.genesisDigest && store.identityKey == f.store.identityKey)
            #expect(try store.vaults() == f.store.vaults())
            #expect(try store.answered(vault: "cold", request: "before")?.attempt == 1)
            #expect(try Self.certifies([f.identities[0], f.identities[1], node5], store.trust))
            #expect(try !Self.certifies([f.identities[0], f.identities[1], f.identities[3]], store.trust))
        }
        #expect(T.reason { try reopened.recordAnswer(vault: "cold", request: "before", attempt: 1) }?.0 == .alreadyAnswered)
        // The set-up file is untouched; the confirmed file is kept in clusters/.
        #expect(try Data(contentsOf: f.directory.appendingPathComponent("cluster.json")) == setUpBytes)
        let history = try FileManager.default.contentsOfDirectory(atPath: f.directory.appendingPathComponent("clusters").path)
        #expect(history == [Hashes.sha256(Array(try Data(contentsOf: newFile))).hexString + ".json"])
        // The same members again: nothing to update.
        #expect(T.reason { _ = try reopened.clusterUpdate(from: newFile) }?.1.contains("trusts already") == true)

        // The vault key is the one enrolled before: a share answered now, with the online
        // signers' shares, makes a signature under Y_on + Y_off.
        let response = try Self.sign(reopened, enrolment: enrolment)
        try response.verify(genesisDigest: f.store.genesisDigest, vault: "cold", scheme: .frostEd25519, request: "after", attempt: 1,
                            identityKey: f.store.identityKey)

        // A second change (node-5 leaves, node-6 joins): both confirmed files stay in clusters/.
        let third = try Self.clusterFile(f, members: Array(f.identities.prefix(3)) + [NodeIdentity.generate(id: NodeID("node-6"))])
        let again = try reopened.updateCluster(from: third) { $0.removed.map(\.id.rawValue) == ["node-5"] }
        #expect(again.trust.members.map(\.id.rawValue) == ["node-1", "node-2", "node-3", "node-6"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.directory.appendingPathComponent("clusters").path).count == 2)
    }

    /// A signature of vault `cold` (frost-ed25519) through `store`: three online signers of a
    /// fresh key and the signer's share; returns its response after checking the signature
    /// verifies under Y_on + Y_off with the enrolment's Y_off.
    static func sign(_ store: OfflineSignerStore, enrolment: OfflineEnrolment) throws -> OfflineResponse {
        typealias Suite = Ed25519SHA512
        let offlineKey = try Suite.Element(serialized: enrolment.offlineKey)
        let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(identifiers: (1...4).map { try Identifier<Suite>(UInt64($0)) }, minSigners: 3)
        let signers = Array(keys.values.sorted { $0.identifier < $1.identifier }.prefix(3))
        let message = Array("after the membership change".utf8)
        let tweak = FROSTSigningCheck.tweak(.frostEd25519)
        var slots: [Identifier<Suite>: NonceSlot<Suite>] = [:]
        var listed: [OfflineAttestation.Signer] = []
        for (i, key) in signers.enumerated() {
            let n = FROST<Suite>.commit(keyPackage: key)
            listed.append(.init(node: try NodeID("node-\(i + 1)"), identifier: UInt32(i + 1), commitment: try n.commitments.serializedBytes))
            slots[key.identifier] = NonceSlot(n)
        }
        let statement = OfflineAttestation(
            genesisDigest: store.genesisDigest, membersDigest: OfflineAttestation.membersDigest(of: store.trust.members),
            vault: "cold", scheme: .frostEd25519, epoch: 0, groupKey: try (pub.verifyingKey + offlineKey).serialized(),
            offlineKey: enrolment.offlineKey, offlineIdentity: store.identityKey, request: "after", decidedAt: 1, decidedHeight: 1, requestBlockHash: [], attempt: 1,
            attemptStartedAt: 1, message: message, signers: listed, policyVersion: 1, policyDigest: [UInt8](repeating: 0, count: 32),
            outcome: .allowed, rules: ["r"], approvers: [], frozen: false, signed: false)
        let response = try store.answer(statement: statement, passphrase: T.secret)
        let additive = try FROST<Suite>.AdditiveCommitment(commitments: try response.signingCommitments(Suite.self), publicKey: offlineKey)
        let package = FROST<Suite>.SigningPackage(
            commitments: Dictionary(uniqueKeysWithValues: try listed.map {
                (try Identifier<Suite>(UInt64($0.identifier)), try FROST<Suite>.SigningCommitments(serializedBytes: $0.commitment))
            }),
            message: message, tweak: tweak, additive: additive)
        var shares: [Identifier<Suite>: FROST<Suite>.SignatureShare] = [FROST<Suite>.additiveIdentifier: try response.signatureShare(Suite.self)]
        for key in signers {
            shares[key.identifier] = try FROST<Suite>.sign(package: package, nonces: slots[key.identifier]!.nonces.take()!, keyPackage: key,
                                                           publicKeyPackage: pub, expectedMessage: message, expectedTweak: tweak,
                                                           expectedAdditiveKey: offlineKey)
        }
        let signature = try FROST<Suite>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
        #expect(FROST<Suite>.verify(signature: signature, message: message, verifyingKey: pub.verifyingKey + offlineKey, tweak: tweak))
        return response
    }

    @Test func aFileOfAnotherClusterIsRefused() throws {
        let f = try T.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let node5 = NodeIdentity.generate(id: NodeID("node-5"))
        let members = Array(f.identities.prefix(3)) + [node5]
        let otherGenesis = try Self.clusterFile(f, members: members, policy: "version: 2\n")
        let refused = T.reason { _ = try f.store.updateCluster(from: otherGenesis) { _ in true } }
        #expect(refused?.0 == .invalidInput && refused?.1.contains("is a file of another cluster") == true, "\(String(describing: refused))")
        let renamed = try Self.clusterFile(f, members: members, name: "offline-test-2")
        #expect(T.reason { _ = try f.store.clusterUpdate(from: renamed) }?.1.contains("names the cluster offline-test-2") == true)
        let three = try Self.clusterFile(f, members: Array(f.identities.prefix(3)))
        #expect(T.reason { _ = try f.store.clusterUpdate(from: three) }?.1.contains("tolerate no faulty node") == true)
        let garbage = f.root.appendingPathComponent("garbage.json")
        try Data("{\"name\": 1}".utf8).write(to: garbage)
        #expect(T.reason { _ = try f.store.clusterUpdate(from: garbage) }?.1.contains("is not a cluster file") == true)
        #expect(T.reason { _ = try f.store.clusterUpdate(from: f.root.appendingPathComponent("missing.json")) }?.0 == .io)
        // Nothing was staged or switched by any of them.
        #expect(!FileManager.default.fileExists(atPath: f.directory.appendingPathComponent("clusters").path))
        #expect(try OfflineSignerStore(directory: f.directory).trust == f.store.trust)
    }

    @Test func aCrashBetweenTheWritesKeepsTheOldTrust() throws {
        let f = try T.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let newFile = try Self.clusterFile(f, members: Array(f.identities.prefix(3)) + [NodeIdentity.generate(id: NodeID("node-5"))])
        let bytes = Array(try Data(contentsOf: newFile))
        // The machine stops after the new file is written, before signer.json names it.
        let staged = try f.store.stage(bytes)
        let reopened = try OfflineSignerStore(directory: f.directory)
        #expect(reopened.trust == f.store.trust && reopened.trust.members.map(\.id.rawValue).contains("node-4"))
        #expect(try Self.certifies(Array(f.identities.prefix(3)), reopened.trust))
        // The update run again completes over the staged copy.
        let updated = try reopened.updateCluster(from: newFile) { _ in true }
        #expect(updated.trust.members.map(\.id.rawValue) == ["node-1", "node-2", "node-3", "node-5"])

        // The current file altered on disk, or signer.json naming a path: the signer refuses to open.
        let current = f.directory.appendingPathComponent("clusters").appendingPathComponent(staged + ".json")
        try Data(bytes + [0x20]).write(to: current)
        #expect(T.reason { _ = try OfflineSignerStore(directory: f.directory) }?.1.contains("is not the cluster file") == true)
        try Data(bytes).write(to: current)
        _ = try OfflineSignerStore(directory: f.directory)
        let signerURL = f.directory.appendingPathComponent("signer.json")
        let signer = try String(contentsOf: signerURL, encoding: .utf8)
        try signer.replacingOccurrences(of: staged, with: "../../etc/passwd").write(to: signerURL, atomically: true, encoding: .utf8)
        #expect(T.reason { _ = try OfflineSignerStore(directory: f.directory) }?.1.contains("names no valid members file") == true)
    }
}
