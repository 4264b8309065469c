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

/// The offline signer's store: set up for one cluster, keys sealed with a passphrase, one
/// additive key per vault, and every answered request recorded durably before its share exists.
struct OfflineSignerStoreTests {
    static let passphrase = "correct horse battery staple"

    struct Fixture {
        let root: URL
        let store: OfflineSignerStore
        /// The members' identities, node-1 to node-4.
        let identities: [NodeIdentity]
        var directory: URL { store.directory }
    }

    /// A signer set up in a fresh directory for a four-member cluster with a governance genesis.
    static func fixture() throws -> Fixture {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let genesis = GenesisDocument(clusterName: "offline-test", relyingPartyId: "localhost", allowedOrigins: ["https://localhost"],
                                      mode: .development, admins: [], policyYAML: "version: 1\n")
        let identities = try (1...4).map { NodeIdentity.generate(id: try NodeID("node-\($0)")) }
        let members = try identities.map { ClusterFile.MemberKey(try $0.member()) }
        let file = ClusterFile(name: "offline-test", genesisTimestamp: 1, genesisDocument: Data(genesis.encoded).base64EncodedString(),
                               members: members)
        let clusterURL = root.appendingPathComponent("cluster.json")
        try JSONEncoder().encode(file).write(to: clusterURL)
        let store = try OfflineSignerStore.create(at: root.appendingPathComponent("signer"), clusterFile: clusterURL,
                                                  passphrase: SecretBytes(Array(passphrase.utf8)), strength: .interactive)
        return Fixture(root: root, store: store, identities: identities)
    }

    static var secret: SecretBytes { SecretBytes(Array(passphrase.utf8)) }

    static func reason(_ body: () throws -> Void) -> (OfflineErrorCode, String)? {
        do { try body(); return nil } catch let error as OfflineError { return (error.code, error.reason) } catch { return nil }
    }

    @Test func aSignerIsSetUpOnceAndOpensAgainWithTheClusterItTrusts() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let reopened = try OfflineSignerStore(directory: f.directory)
        #expect(reopened.identityKey == f.store.identityKey)
        #expect(reopened.genesisDigest == f.store.genesisDigest)
        #expect(reopened.trust.n == 4)
        #expect(Self.reason { _ = try OfflineSignerStore.create(at: f.directory, clusterFile: f.root.appendingPathComponent("cluster.json"),
                                                                passphrase: Self.secret, strength: .interactive) }?.1
            .contains("already holds an offline signer") == true)
        #expect(Self.reason { _ = try OfflineSignerStore(directory: f.root) }?.0 == .store)
        // The trusted cluster file replaced by another: the signer refuses to open.
        let other = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: other.root) }
        try FileManager.default.removeItem(at: f.directory.appendingPathComponent("cluster.json"))
        try FileManager.default.copyItem(at: other.root.appendingPathComponent("cluster.json"), to: f.directory.appendingPathComponent("cluster.json"))
        #expect(Self.reason { _ = try OfflineSignerStore(directory: f.directory) }?.1.contains("not the one this signer was set up with") == true)
    }

    @Test func enrolmentsVerifyForTheTrustedClusterAndShowNoSecret() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let cold = try f.store.enrol(vault: "cold", scheme: .frostEd25519, passphrase: Self.secret)
        let btc = try f.store.enrol(vault: "btc/cold", scheme: .frostTaproot, passphrase: Self.secret)
        try cold.verify(genesisDigest: f.store.genesisDigest, vault: "cold", scheme: .frostEd25519)
        try btc.verify(genesisDigest: f.store.genesisDigest, vault: "btc/cold", scheme: .frostTaproot)
        #expect(cold.identityKey == f.store.identityKey)
        #expect(try f.store.vaults() == [
            .init(vault: "btc/cold", scheme: "frost-taproot", offlineKey: btc.offlineKey.hexString),
            .init(vault: "cold", scheme: "frost-ed25519", offlineKey: cold.offlineKey.hexString),
        ])
        #expect(Self.reason { _ = try f.store.enrol(vault: "cold", scheme: .frostEd25519, passphrase: Self.secret) }?.1
            .contains("enrolled already") == true)
        #expect(Self.reason { _ = try f.store.enrol(vault: "evm", scheme: .ecdsaSecp256k1, passphrase: Self.secret) }?.1
            .contains("needs a FROST vault") == true)
        // No secret in any file that is not sealed: the identity and vault keys appear nowhere.
        let identity = try f.store.openIdentity(passphrase: Self.secret)
        let key = try FROST<Ed25519SHA512>.AdditiveKey(
            sealedRepresentation: f.store.open(f.store.vaultDirectory("cold").appendingPathComponent("key.sealed"), passphrase: Self.secret))
        #expect(try key.publicKey.serialized() == cold.offlineKey)
        let secrets = [Array(identity.rawRepresentation).hexString, key.sealedRepresentation().unsafeCopyBytes().suffix(32).hexString]
        let files = FileManager.default.enumerator(at: f.directory, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
        for file in files where !file.hasDirectoryPath {
            let bytes = (try? Data(contentsOf: file)).map(Array.init) ?? []
            for s in secrets {
                #expect(!bytes.hexString.contains(s), "\(file.lastPathComponent) holds a secret in the clear")
                #expect(!String(decoding: bytes, as: UTF8.self).contains(s), "\(file.lastPathComponent) holds a secret in hex")
            }
        }
    }

    @Test func aWrongPassphraseFailsClearlyAndRecordsNothing() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let wrong = "Tr0ub4dor&3"
        let refused = Self.reason { _ = try f.store.enrol(vault: "cold", scheme: .frostEd25519, passphrase: SecretBytes(Array(wrong.utf8))) }
        #expect(refused?.0 == .passphrase)
        #expect(refused?.1.contains("wrong passphrase") == true)
        #expect(refused?.1.contains(wrong) == false)
        #expect(try f.store.vaults().isEmpty)
        #expect(Self.reason { _ = try f.store.enrol(vault: "cold", scheme: .frostEd25519, passphrase: SecretBytes([])) }?.0 == .passphrase)
    }

    @Test func aRequestIsAnsweredOnceAndAgainOnlyAtALaterAttempt() throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        try f.store.recordAnswer(vault: "cold", request: "r1", attempt: 1)
        #expect(Self.reason { try f.store.recordAnswer(vault: "cold", request: "r1", attempt: 1) }?.0 == .alreadyAnswered)
        let reopened = try OfflineSignerStore(directory: f.directory)
        #expect(Self.reason { try reopened.recordAnswer(vault: "cold", request: "r1", attempt: 1) }?.0 == .alreadyAnswered)
        try reopened.recordAnswer(vault: "cold", request: "r2", attempt: 1)
        try reopened.recordAnswer(vault: "hot", request: "r1", attempt: 1)
        try reopened.recordAnswer(vault: "cold", request: "r1", attempt: 2)
        #expect(Self.reason { try reopened.recordAnswer(vault: "cold", request: "r1", attempt: 1) }?.1.contains("answered at attempt 2") == true)
        #expect(try reopened.answers().map { "\($0.vault) \($0.request) \($0.attempt)" } == ["cold r1 2", "cold r2 1", "hot r1 1"])
    }

    /// An attested statement answered: the share, with the online signers' shares, makes a
    /// signature under Y_on + Y_off; the use was recorded before the response existed, so a
    /// failure after the record (here: commitments that do not decode) leaves a request that is
    /// refused, never one answered twice.
    func answerCompletesASignature<Suite: Ciphersuite>(_: Suite.Type, _ scheme: Vault.Scheme) throws {
        let f = try Self.fixture()
        defer { try? FileManager.default.removeItem(at: f.root) }
        let enrolment = try f.store.enrol(vault: "cold", scheme: scheme, passphrase: Self.secret)
        let offlineKey = try Suite.Element(serialized: enrolment.offlineKey)
        let (keys, pub) = try LocalCeremony<Suite>.keyGeneration(identifiers: (1...4).map { try Identifier<Suite>(UInt64($0)) }, minSigners: 3)
        let signers = Array(keys.values.sorted { $0.identifier < $1.identifier }.prefix(3))
        let message = Array("withdraw 5 to cold storage".utf8)
        let tweak = FROSTSigningCheck.tweak(scheme)
        var slots: [Identifier<Suite>: NonceSlot<Suite>] = [:]
        var listed: [OfflineAttestation.Signer] = []
        for (i, key) in signers.enumerated() {
            let n = FROST<Suite>.commit(keyPackage: key)
            listed.append(.init(node: try NodeID("node-\(i + 1)"), identifier: UInt32(i + 1), commitment: try n.commitments.serializedBytes))
            slots[key.identifier] = NonceSlot(n)
        }
        func statement(request: String, attempt: UInt32, signers: [OfflineAttestation.Signer]) throws -> OfflineAttestation {
            OfflineAttestation(
                genesisDigest: f.store.genesisDigest, membersDigest: OfflineAttestation.membersDigest(of: f.store.trust.members),
                vault: "cold", scheme: scheme, epoch: 0, groupKey: try (pub.verifyingKey + offlineKey).serialized(),
                offlineKey: enrolment.offlineKey, offlineIdentity: f.store.identityKey, request: request, decidedAt: 1, decidedHeight: 1, requestBlockHash: [], attempt: attempt,
                attemptStartedAt: 1, message: message, signers: signers, policyVersion: 1, policyDigest: [UInt8](repeating: 0, count: 32),
                outcome: .allowed, rules: ["r"], approvers: [], frozen: false, signed: false)
        }
        let response = try f.store.answer(statement: try statement(request: "req-1", attempt: 1, signers: listed), passphrase: Self.secret)
        try response.verify(genesisDigest: f.store.genesisDigest, vault: "cold", scheme: scheme, request: "req-1", attempt: 1,
                            identityKey: f.store.identityKey)
        let additive = try FROST<Suite>.AdditiveCommitment(commitments: try response.signingCommitments(Suite.self), publicKey: offlineKey)
        let package = FROST<Suite>.SigningPackage(
            commitments: Dictionary(uniqueKeysWithValues: try listed.map { (try Identifier<Suite>(UInt64($0.identifier)), try FROST<Suite>.SigningCommitments(serializedBytes: $0.commitment)) }),
            message: message, tweak: tweak, additive: additive)
        var shares: [Identifier<Suite>: FROST<Suite>.SignatureShare] = [FROST<Suite>.additiveIdentifier: try response.signatureShare(Suite.self)]
        for key in signers {
            let n = slots[key.identifier]!.nonces.take()!
            shares[key.identifier] = try FROST<Suite>.sign(package: package, nonces: n, keyPackage: key, publicKeyPackage: pub,
                                                           expectedMessage: message, expectedTweak: tweak, expectedAdditiveKey: offlineKey)
        }
        let signature = try FROST<Suite>.aggregate(package: package, shares: shares, publicKeyPackage: pub)
        #expect(FROST<Suite>.verify(signature: signature, message: message, verifyingKey: pub.verifyingKey + offlineKey, tweak: tweak))

        // The same request again, even with another statement: refused, and nothing is signed.
        #expect(Self.reason { _ = try f.store.answer(statement: try statement(request: "req-1", attempt: 1, signers: listed), passphrase: Self.secret) }?.0
            == .alreadyAnswered)
        // A wrong passphrase records nothing: the request can still be answered after.
        #expect(Self.reason { _ = try f.store.answer(statement: try statement(request: "req-2", attempt: 1, signers: listed),
                                                     passphrase: SecretBytes(Array("nope".utf8))) }?.0 == .passphrase)
        #expect(try f.store.answered(vault: "cold", request: "req-2") == nil)
        // A statement that cannot be answered (commitments that do not decode) records nothing.
        let broken = [OfflineAttestation.Signer(node: NodeID("node-1"), identifier: 1, commitment: [1, 2, 3])]
        #expect(Self.reason { _ = try f.store.answer(statement: try statement(request: "req-3", attempt: 1, signers: broken), passphrase: Self.secret) }?.0
            == .invalidInput)
        #expect(try f.store.answered(vault: "cold", request: "req-3") == nil)
        // A crash right after the record, before any nonce or share exists: the request is
        // refused from then on, never answered twice.
        let identity = try f.store.openIdentity(passphrase: Self.secret)
        let sealedKey = try f.store.open(f.store.vaultDirectory("cold").appendingPathComponent("key.sealed"), passphrase: Self.secret)
        var recorded = false
        let crashed = Self.reason {
            _ = try OfflineAnswer.response(to: try statement(request: "req-3", attempt: 1, signers: listed), sealedKey: sealedKey,
                                           identity: identity) { () throws(OfflineError) in
                try f.store.recordAnswer(vault: "cold", request: "req-3", attempt: 1)
                recorded = true
                throw OfflineError(.io, "the machine lost power")
            }
        }
        #expect(recorded && crashed?.1 == "the machine lost power")
        #expect(try f.store.answered(vault: "cold", request: "req-3")?.attempt == 1)
        #expect(Self.reason { _ = try f.store.answer(statement: try statement(request: "req-3", attempt: 1, signers: listed), passphrase: Self.secret) }?.0
            == .alreadyAnswered)
        // A later attempt of it, with a new statement, is answered.
        _ = try f.store.answer(statement: try statement(request: "req-3", attempt: 2, signers: listed), passphrase: Self.secret)
        // A statement for another offline key or identity is refused before anything is recorded.
        var other = try statement(request: "req-4", attempt: 1, signers: listed)
        other = OfflineAttestation(
            genesisDigest: other.genesisDigest, membersDigest: other.membersDigest, vault: "cold", scheme: scheme, epoch: 0,
            groupKey: other.groupKey, offlineKey: other.offlineKey, offlineIdentity: [UInt8](repeating: 7, count: 32), request: "req-4",
            decidedAt: 1, decidedHeight: 1, requestBlockHash: [], attempt: 1, attemptStartedAt: 1, message: message, signers: listed, policyVersion: 1,
            policyDigest: other.policyDigest, outcome: .allowed, rules: ["r"], approvers: [], frozen: false, signed: false)
        #expect(Self.reason { _ = try f.store.answer(statement: other, passphrase: Self.secret) }?.1.contains("another offline key or identity") == true)
        #expect(try f.store.answered(vault: "cold", request: "req-4") == nil)
    }

    @Test func anAnswerCompletesAnEd25519Signature() throws { try answerCompletesASignature(Ed25519SHA512.self, .frostEd25519) }
    @Test func anAnswerCompletesATaprootSignature() throws { try answerCompletesASignature(Secp256k1TaprootSHA256.self, .frostTaproot) }
}

/// One signer's nonces between the rounds; `take()` empties it.
final class NonceSlot<Suite: Ciphersuite> {
    var nonces: FROST<Suite>.SigningNonces?
    init(_ nonces: consuming FROST<Suite>.SigningNonces) { self.nonces = consume nonces }
}
