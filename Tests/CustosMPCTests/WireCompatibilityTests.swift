import CustosCore
import CustosCrypto
import CustosMPC
import Testing

/// Fixed bytes, recorded from the encoder before it moved onto the shared canonical codec:
/// nodes of different versions exchange these messages, so their encodings may never drift.
@Suite struct MPCWireCompatibilityTests {
    typealias S = Secp256k1SHA256

    static let signingPackage =
        "110002000000000000000000000000000000000000000000000000000000000000000103774ae7f858a9411e5ef4246b70c65aac5649980be5c17891bbec17895da008cb027461f371914ab32671045a155d9831ea8793d77cd59592c4340f86cbc18347b5000000000000000000000000000000000000000000000000000000000000000303f28773c2d975288bc7d1d205c3748651b075fbc6610e58cddeeddf8f19405aa802ee079adb1df1860074356a25aa38206a6d716b2c3e67453d287698bad7b2b2d60006637573746f73024242424242424242424242424242424242424242424242424242424242424242"
    static let signatureShare =
        "1200000000000000000000000000000000000000000000000000000000123456780707070707070707070707070707070707070707070707070707070707070707"

    static func commitments(_ seed: UInt64) throws -> FROST<S>.SigningCommitments {
        try .init(hiding: S.Element.generatorMultiple(S.Scalar(seed)), binding: S.Element.generatorMultiple(S.Scalar(seed + 100)))
    }

    @Test func signingPackage() throws {
        let package = FROST<S>.SigningPackage(
            commitments: [try Identifier<S>(1): try Self.commitments(11), try Identifier<S>(3): try Self.commitments(13)],
            message: Array("custos".utf8), tweak: .scriptTree(merkleRoot: [UInt8](repeating: 0x42, count: 32)))
        let bytes = try package.serializedBytes
        #expect(bytes.hexString == Self.signingPackage)
        #expect(try FROST<S>.SigningPackage(serializedBytes: try [UInt8](hex: Self.signingPackage)) == package)
    }

    @Test func signatureShare() throws {
        let share = FROST<S>.SignatureShare(share: S.Scalar(0x1234_5678), packageDigest: [UInt8](repeating: 7, count: 32))
        #expect(share.serializedBytes.hexString == Self.signatureShare)
        #expect(try FROST<S>.SignatureShare(serializedBytes: try [UInt8](hex: Self.signatureShare)) == share)
    }
}
