import CustosCore
import CustosCrypto
import CustosMPC
import CustosNode
import Testing

@Suite struct PassphraseSealTests {
    @Test func sealsAndOpensAKeyShare() throws {
        let ids = try (1...3).map { try Identifier<Secp256k1TaprootSHA256>(UInt64($0)) }
        let (keys, _) = try LocalCeremony<Secp256k1TaprootSHA256>.keyGeneration(identifiers: ids, minSigners: 2)
        let share = try keys[ids[0]]!.sealedRepresentation()
        let passphrase = SecretBytes(Array("correct horse battery staple".utf8))
        let sealed = try PassphraseSeal.seal(share, passphrase: passphrase, strength: .interactive)
        #expect(!sealed.hexString.contains(share.unsafeCopyBytes().hexString))
        let opened = try PassphraseSeal.open(sealed, passphrase: passphrase)
        #expect(opened.constantTimeEquals(share))
        let restored = try KeyPackage<Secp256k1TaprootSHA256>(sealedRepresentation: opened)
        #expect(restored.verifyingShare == keys[ids[0]]!.verifyingShare)
    }

    @Test func refusesWrongPassphraseTamperingAndTruncation() throws {
        let secret = SecretBytes(randomCount: 64)
        let passphrase = SecretBytes(Array("passphrase".utf8))
        let sealed = try PassphraseSeal.seal(secret, passphrase: passphrase, strength: .interactive)
        #expect(throws: StorageError(.invalidInput, "")) {
            _ = try PassphraseSeal.open(sealed, passphrase: SecretBytes(Array("passphrasf".utf8)))
        }
        for index in [sealed.count - 1, sealed.count - 40, 20] {
            var altered = sealed
            altered[index] ^= 0x01
            #expect(throws: StorageError(.invalidInput, ""), "byte \(index)") { _ = try PassphraseSeal.open(altered, passphrase: passphrase) }
        }
        #expect(throws: StorageError(.invalidInput, "")) { _ = try PassphraseSeal.open(Array(sealed.prefix(30)), passphrase: passphrase) }
        #expect(throws: StorageError(.invalidInput, "")) { _ = try PassphraseSeal.open([], passphrase: passphrase) }
    }
}
