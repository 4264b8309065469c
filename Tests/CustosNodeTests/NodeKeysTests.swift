import Crypto
import CustosCore
import CustosCrypto
import CustosNode
import CustosTestSupport
import Foundation
import GRDB
import Testing

/// A node's configuration, its sealed identity and transport keys, and its sealed secret store:
/// on a SoftHSM2 token initialized by the test, and under a development passphrase.
@Suite(.serialized) struct NodeKeysTests {
    static let pin = NodeSeal.Credential.pin(SecretBytes(Array(SoftHSM.pin.utf8)))
    static let passphrase = NodeSeal.Credential.passphrase(SecretBytes(Array("development passphrase".utf8)))

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("custos-node-\(UUID().uuidString)").path
    }

    static func tokenConfiguration(_ id: String, token: String, module: String = SoftHSM.module) throws -> NodeConfiguration {
        try NodeConfiguration(id: id, environment: .production, sealing: .pkcs11(module: module, token: token, keyLabel: "custos-\(id)"))
    }

    static func code(_ body: () throws -> Void) -> StorageErrorCode? {
        do { try body() } catch let error as StorageError { return error.code } catch { return nil }
        return nil
    }

    static func reason(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as StorageError { return error.reason } catch { return "\(error)" }
        return ""
    }

    @Test func aTokenNodeIsCreatedThenOpenedAndRefusesWrongCredentials() throws {
        let token = try SoftHSM.token("custos-node-keys")
        let data = Self.folder()
        let configuration = try Self.tokenConfiguration("node-hsm", token: token)

        // A wrong PIN first (no session of this process is logged in to this token yet), an
        // unknown token and a missing module: clear errors, and no key is left behind.
        let wrongPIN = Self.reason {
            _ = try NodeKeys.create(dataFolder: data, configuration: configuration, credential: .pin(SecretBytes(Array("000000".utf8))))
        }
        #expect(wrongPIN.contains("refused the PIN"), "\(wrongPIN)")
        let wrongToken = Self.reason {
            _ = try NodeKeys.create(dataFolder: data, configuration: Self.tokenConfiguration("node-hsm", token: "no-such-token"),
                                    credential: Self.pin)
        }
        #expect(wrongToken.contains("no initialized token labelled no-such-token"), "\(wrongToken)")
        let noModule = Self.reason {
            _ = try NodeKeys.create(dataFolder: data, configuration: Self.tokenConfiguration("node-hsm", token: token, module: "/nonexistent/p11.so"),
                                    credential: Self.pin)
        }
        #expect(noModule.contains("cannot load the PKCS#11 module /nonexistent/p11.so"), "\(noModule)")
        #expect(!FileManager.default.fileExists(atPath: data + "/" + NodeKeys.identityKeyFile))
        #expect(!FileManager.default.fileExists(atPath: data + "/" + NodeConfiguration.fileName))

        var identityPublic: Data
        var transportPublic: Data
        do {
            let keys = try NodeKeys.create(dataFolder: data, configuration: configuration, credential: Self.pin)
            identityPublic = keys.signingKey.publicKey.rawRepresentation
            transportPublic = keys.transportKey.publicKey.rawRepresentation
            #expect(keys.environment == .production)
            #expect(try NodeConfiguration.load(dataFolder: data) == configuration)
            // The private keys are in no printed form, and not in the files in clear.
            let shown = "\(keys) \(String(reflecting: keys)) \(keys.seal)"
            for secret in [keys.signingKey.rawRepresentation, keys.transportKey.rawRepresentation] {
                #expect(!shown.contains(Array(secret).hexString.prefix(16)))
                for file in [NodeKeys.identityKeyFile, NodeKeys.transportKeyFile, NodeConfiguration.fileName] {
                    let bytes = try #require(FileManager.default.contents(atPath: data + "/" + file))
                    #expect(bytes.range(of: secret) == nil, "\(file) holds a private key in clear")
                }
            }
        }
        // Opened again, as after a restart: the same keys.
        do {
            let keys = try NodeKeys.open(dataFolder: data, credential: Self.pin)
            #expect(keys.signingKey.publicKey.rawRepresentation == identityPublic)
            #expect(keys.transportKey.publicKey.rawRepresentation == transportPublic)
            #expect(keys.seal.environment == .production)
        }
        // A passphrase for a token node, and a second init in the same folder, are refused.
        #expect(Self.code { _ = try NodeKeys.open(dataFolder: data, credential: Self.passphrase) } == .misconfigured)
        #expect(Self.reason { _ = try NodeKeys.open(dataFolder: data, credential: Self.passphrase) }.contains("not a passphrase"))
        #expect(Self.code { _ = try NodeKeys.create(dataFolder: data, configuration: configuration, credential: Self.pin) } == .alreadyExists)
        // Every session of this process is closed again: a wrong PIN is refused on open too.
        let wrongOpen = Self.reason { _ = try NodeKeys.open(dataFolder: data, credential: .pin(SecretBytes(Array("999999".utf8)))) }
        #expect(wrongOpen.contains("refused the PIN"), "\(wrongOpen)")
        // A key file copied over the other does not open: each is bound to its name.
        try FileManager.default.removeItem(atPath: data + "/" + NodeKeys.transportKeyFile)
        try FileManager.default.copyItem(atPath: data + "/" + NodeKeys.identityKeyFile, toPath: data + "/" + NodeKeys.transportKeyFile)
        #expect(Self.code { _ = try NodeKeys.open(dataFolder: data, credential: Self.pin) } == .invalidInput)
    }

    @Test func aProductionNodeRefusesAPassphrase() throws {
        #expect(Self.code { _ = try NodeConfiguration(id: "node-1", environment: .production, sealing: .passphrase) } == .misconfigured)
        // A node.json edited to production with a passphrase seal is refused when the node opens.
        let data = Self.folder()
        let development = try NodeConfiguration(id: "node-1", environment: .development, sealing: .passphrase)
        _ = try NodeKeys.create(dataFolder: data, configuration: development, credential: Self.passphrase)
        let path = data + "/" + NodeConfiguration.fileName
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"development\"", with: "\"production\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let reason = Self.reason { _ = try NodeKeys.open(dataFolder: data, credential: Self.passphrase) }
        #expect(reason.contains("production node"), "\(reason)")
    }

    @Test func aDevelopmentNodeOpensWithItsPassphraseOnly() throws {
        let data = Self.folder()
        let configuration = try NodeConfiguration(id: "node-dev", environment: .development, sealing: .passphrase)
        let created = try NodeKeys.create(dataFolder: data, configuration: configuration, credential: Self.passphrase)
        let opened = try NodeKeys.open(dataFolder: data, credential: Self.passphrase)
        #expect(opened.signingKey.publicKey.rawRepresentation == created.signingKey.publicKey.rawRepresentation)
        #expect(opened.transportKey.publicKey.rawRepresentation == created.transportKey.publicKey.rawRepresentation)
        #expect(opened.environment == .development)
        #expect(Self.code { _ = try NodeKeys.open(dataFolder: data, credential: .passphrase(SecretBytes(Array("wrong".utf8)))) } == .invalidInput)
        #expect(Self.reason { _ = try NodeKeys.open(dataFolder: data, credential: Self.pin) }.contains("not a PIN"))
        #expect(Self.code { _ = try NodeKeys.open(dataFolder: Self.folder(), credential: Self.passphrase) } == .misconfigured)
    }

    @Test func theSealedStoreKeepsNoSecretInClear() throws {
        let token = try SoftHSM.token("custos-node-keys")
        for configuration in [try Self.tokenConfiguration("node-store", token: token),
                              try NodeConfiguration(id: "node-store", environment: .development, sealing: .passphrase)] {
            let data = Self.folder()
            let credential = configuration.sealing.method == .pkcs11 ? Self.pin : Self.passphrase
            let keys = try NodeKeys.create(dataFolder: data, configuration: configuration, credential: credential)
            let path = data + "/votes.sqlite"
            let database = try NodeDatabase(path: path, seal: keys.seal)
            #expect(database.environment == configuration.environment)

            let share = SecretBytes(randomCount: 64)
            let shareID = NodeDatabase.vaultShareID(vault: "treasury", epoch: 1)
            let nonce = SecretBytes(randomCount: 64)
            try database.storeSecret(share, kind: .vaultKeyShare, id: shareID)
            try database.storeSecret(nonce, kind: .frostNonce, id: [1])
            try database.storeSecret(SecretBytes(randomCount: 64), kind: .frostNonce, id: [2])
            #expect(try database.secret(kind: .vaultKeyShare, id: shareID)?.constantTimeEquals(share) == true)
            #expect(try database.secret(kind: .frostNonce, id: [1])?.constantTimeEquals(nonce) == true)
            #expect(try database.secret(kind: .presignature, id: [1]) == nil)
            #expect(try database.secretIDs(kind: .frostNonce) == [[1], [2]])
            #expect(try database.secretIDs(kind: .vaultKeyShare) == [shareID])
            #expect(Self.code { try database.storeSecret(share, kind: .vaultKeyShare, id: shareID) } == .alreadyExists)

            // The database file (and its write-ahead log) never holds a secret in clear.
            for file in [path, path + "-wal"] {
                guard let bytes = FileManager.default.contents(atPath: file) else { continue }
                #expect(bytes.range(of: Data(share.unsafeCopyBytes())) == nil, "\(file) holds the share in clear")
                #expect(bytes.range(of: Data(nonce.unsafeCopyBytes())) == nil, "\(file) holds the nonce in clear")
            }

            // A sealed row moved to another id (by someone with the file) does not open there.
            let raw = try DatabaseQueue(path: path)
            try raw.write { db in
                try db.execute(sql: "UPDATE sealedSecret SET sealed = (SELECT sealed FROM sealedSecret WHERE kind = 'frostNonce' AND id = x'01') WHERE kind = 'frostNonce' AND id = x'02'")
            }
            #expect(Self.code { _ = try database.secret(kind: .frostNonce, id: [2]) } == .invalidInput)

            #expect(try database.deleteSecret(kind: .frostNonce, id: [1]))
            #expect(try database.deleteSecret(kind: .frostNonce, id: [1]) == false)
            #expect(try database.secret(kind: .frostNonce, id: [1]) == nil)

            // Reopened, as after a restart, with the node's seal: the share is still there.
            let reopened = try NodeDatabase(path: path, seal: NodeKeys.open(dataFolder: data, credential: credential).seal)
            #expect(try reopened.secret(kind: .vaultKeyShare, id: shareID)?.constantTimeEquals(share) == true)
        }
        // A database opened without a seal keeps no secret.
        let bare = try NodeDatabase.inMemory()
        #expect(bare.environment == nil)
        #expect(Self.code { try bare.storeSecret(SecretBytes(randomCount: 32), kind: .presignature, id: [1]) } == .misconfigured)
    }
}
