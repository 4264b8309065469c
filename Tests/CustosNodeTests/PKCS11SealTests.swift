import CustosCore
import CustosCrypto
import CustosMPC
import CustosNode
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Sealing key shares with a key that lives in a real PKCS#11 token: SoftHSM2 from Debian,
/// initialized by the test in a temporary directory.
@Suite(.serialized) struct PKCS11SealTests {
    static let module = "/usr/lib/softhsm/libsofthsm2.so"

    /// A fresh SoftHSM2 token; the configuration is process-wide, so this runs once.
    static let token: Result<String, TestSetupError> = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("custos-softhsm-\(UUID().uuidString)")
        let tokens = dir.appendingPathComponent("tokens")
        let conf = dir.appendingPathComponent("softhsm2.conf")
        do {
            try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
            try "directories.tokendir = \(tokens.path)\nobjectstore.backend = file\nlog.level = ERROR\n"
                .write(to: conf, atomically: true, encoding: .utf8)
        } catch {
            return .failure(TestSetupError("cannot write the SoftHSM2 configuration: \(error)"))
        }
        setenv("SOFTHSM2_CONF", conf.path, 1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/softhsm2-util")
        process.arguments = ["--init-token", "--free", "--label", "custos-test", "--so-pin", "87654321", "--pin", "123456"]
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return .failure(TestSetupError("softhsm2-util is missing: run scripts/install-deps.sh")) }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return .failure(TestSetupError("softhsm2-util --init-token failed")) }
        return .success("custos-test")
    }()

    struct TestSetupError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    @Test func sealsKeySharesUnderANonExtractableTokenKey() throws {
        let label = try Self.token.get()
        // A wrong PIN first: once a session is logged in, the token reports "already logged in".
        #expect(throws: StorageError(.invalidInput, "")) {
            _ = try PKCS11Seal(modulePath: Self.module, tokenLabel: label, pin: SecretBytes(Array("000000".utf8)))
        }
        #expect(throws: StorageError(.invalidInput, "")) {
            _ = try PKCS11Seal(modulePath: Self.module, tokenLabel: "no-such-token", pin: SecretBytes(Array("123456".utf8)))
        }
        #expect(throws: StorageError(.invalidInput, "")) {
            _ = try PKCS11Seal(modulePath: "/nonexistent/module.so", tokenLabel: label, pin: SecretBytes(Array("123456".utf8)))
        }

        let ids = try (1...3).map { try Identifier<Ed25519SHA512>(UInt64($0)) }
        let (keys, _) = try LocalCeremony<Ed25519SHA512>.keyGeneration(identifiers: ids, minSigners: 2)
        let share = try keys[ids[0]]!.sealedRepresentation()
        var sealed: [UInt8] = []
        do {
            let hsm = try PKCS11Seal(modulePath: Self.module, tokenLabel: label, pin: SecretBytes(Array("123456".utf8)))
            sealed = try hsm.seal(share, keyLabel: "vault-1")
            #expect(try hsm.keyIsExtractable(label: "vault-1") == false)
            #expect(try hsm.open(sealed, keyLabel: "vault-1").constantTimeEquals(share))
            var altered = sealed
            altered[altered.count - 1] ^= 1
            #expect(throws: StorageError(.invalidInput, "")) { _ = try hsm.open(altered, keyLabel: "vault-1") }
            #expect(throws: StorageError(.invalidInput, "")) { _ = try hsm.open(sealed, keyLabel: "vault-2") }
            _ = try hsm.seal(share, keyLabel: "vault-2")
            #expect(throws: StorageError(.invalidInput, "")) { _ = try hsm.open(sealed, keyLabel: "vault-2") }
        }
        // A new session (as after a restart) opens what the first sealed: the key is on the token.
        let again = try PKCS11Seal(modulePath: Self.module, tokenLabel: label, pin: SecretBytes(Array("123456".utf8)))
        let restored = try KeyPackage<Ed25519SHA512>(sealedRepresentation: again.open(sealed, keyLabel: "vault-1"))
        #expect(restored.verifyingShare == keys[ids[0]]!.verifyingShare)
    }
}
