import CustosBackup
import CustosCore
import CustosCrypto
import CustosTestSupport
import Foundation
import Testing

/// The SLIP-0039 test vectors (`../shared/vectors/slip39/vectors.json`, passphrase "TREZOR"):
/// every valid set recovers its master secret, every invalid one is refused with the code its
/// description names.
@Suite struct SLIP39VectorTests {
    struct Vector: CustomTestStringConvertible, Sendable {
        let description: String
        let mnemonics: [String]
        let masterSecret: String
        var testDescription: String { description }
    }

    static func vectors() throws -> [Vector] {
        let raw = try JSONSerialization.jsonObject(with: TestEnvironment.vectorData("slip39/vectors.json")) as? [[Any]] ?? []
        return raw.map { item in
            Vector(description: item[0] as? String ?? "", mnemonics: item[1] as? [String] ?? [], masterSecret: item[2] as? String ?? "")
        }
    }

    /// The refusal each invalid vector's description names.
    static func expectedCode(_ description: String) -> BackupErrorCode? {
        let text = description.lowercased()
        let table: [(String, BackupErrorCode)] = [
            ("invalid checksum", .invalidChecksum),
            ("invalid padding", .invalidPadding),
            ("different identifiers", .mismatchedShares),
            ("different iteration exponents", .mismatchedShares),
            ("mismatching group thresholds", .mismatchedShares),
            ("mismatching group counts", .mismatchedShares),
            ("greater group threshold than group counts", .invalidGroupThreshold),
            ("duplicate member indices", .duplicateMemberIndex),
            ("mismatching member thresholds", .mismatchedMemberThreshold),
            ("invalid digest", .invalidDigest),
            ("insufficient number of groups", .groupThresholdNotMet),
            ("insufficient number of members", .memberThresholdNotMet),
            ("insufficient length", .invalidMnemonicLength),
            ("invalid master secret length", .invalidMnemonicLength),
            // "Basic sharing 2-of-3" with one mnemonic only.
            ("basic sharing 2-of-3", .memberThresholdNotMet),
        ]
        return table.first { text.contains($0.0) }?.1
    }

    @Test func everyVectorIsRead() throws {
        let vectors = try Self.vectors()
        #expect(vectors.count == 45)
        for vector in vectors where vector.masterSecret.isEmpty {
            #expect(Self.expectedCode(vector.description) != nil, "no expected refusal for \(vector.description)")
        }
    }

    @Test(arguments: try vectors())
    func vector(_ vector: Vector) throws {
        let passphrase = SecretBytes(Array("TREZOR".utf8))
        if vector.masterSecret.isEmpty {
            let expected = try #require(Self.expectedCode(vector.description))
            #expect(throws: BackupError(expected, "")) { try SLIP39.combine(vector.mnemonics, passphrase: passphrase) }
        } else {
            let secret = try SLIP39.combine(vector.mnemonics, passphrase: passphrase)
            #expect(secret.unsafeCopyBytes().hexString == vector.masterSecret)
            // Every mnemonic reads back to the same words.
            for mnemonic in vector.mnemonics {
                #expect(try SLIP39Share(mnemonic: mnemonic).mnemonic == mnemonic)
            }
        }
    }
}
