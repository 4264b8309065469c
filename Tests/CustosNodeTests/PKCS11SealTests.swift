import CustosCore
import CustosCrypto
import CustosMPC
import CustosNode
import CustosTestSupport
import Testing

/// Sealing key shares with a key that lives in a real PKCS#11 token: SoftHSM2 from Debian,
/// initialized by the test in a temporary directory.
@Suite(.serialized) struct PKCS11SealTests {
    static let module = SoftHSM.module

    @Test func sealsKeySharesUnderANonExtractableTokenKey() throws {
        let label = try SoftHSM.token("custos-test")
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
            // Associated data is bound: a blob sealed for one purpose does not open for another.
            let bound = try hsm.seal(share, keyLabel: "vault-1", associatedData: Array("share 1".utf8))
            #expect(try hsm.open(bound, keyLabel: "vault-1", associatedData: Array("share 1".utf8)).constantTimeEquals(share))
            #expect(throws: StorageError(.invalidInput, "")) { _ = try hsm.open(bound, keyLabel: "vault-1", associatedData: Array("share 2".utf8)) }
            #expect(throws: StorageError(.invalidInput, "")) { _ = try hsm.open(bound, keyLabel: "vault-1") }
            _ = try hsm.seal(share, keyLabel: "vault-2")
            #expect(throws: StorageError(.invalidInput, "")) { _ = try hsm.open(sealed, keyLabel: "vault-2") }
        }
        // A new session (as after a restart) opens what the first sealed: the key is on the token.
        let again = try PKCS11Seal(modulePath: Self.module, tokenLabel: label, pin: SecretBytes(Array("123456".utf8)))
        let restored = try KeyPackage<Ed25519SHA512>(sealedRepresentation: again.open(sealed, keyLabel: "vault-1"))
        #expect(restored.verifyingShare == keys[ids[0]]!.verifyingShare)
    }
}
