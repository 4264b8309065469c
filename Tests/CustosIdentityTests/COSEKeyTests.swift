import Crypto
import CustosCore
import CustosIdentity
import Testing

@Suite("COSE_Key parsing")
struct COSEKeyTests {
    static let p256 = P256.Signing.PrivateKey().publicKey

    static func ec2(_ extra: [(key: CBORValue, value: CBORValue)] = [], kty: Int64 = 2, alg: Int64 = -7, crv: Int64 = 1,
                    x: [UInt8]? = nil, y: [UInt8]? = nil) -> [UInt8] {
        let point = Array(p256.x963Representation)
        var entries: [(key: CBORValue, value: CBORValue)] = [
            (.int(1), .int(kty)), (.int(3), .int(alg)), (.int(-1), .int(crv)),
            (.int(-2), .bytes(x ?? Array(point[1..<33]))), (.int(-3), .bytes(y ?? Array(point[33...]))),
        ]
        entries += extra
        return CBOREncoder.encode(.map(entries))
    }

    static func code(_ bytes: [UInt8]) -> WebAuthnError.Code? { webAuthnCode { () throws(WebAuthnError) in try COSEKey(cbor: bytes) } }

    @Test("ES256 and EdDSA keys parse and verify their own signatures")
    func valid() throws {
        let key = try COSEKey(cbor: Self.ec2())
        #expect(key.algorithm == .es256)
        #expect(key == COSEKey(p256: Self.p256))

        let ed = Curve25519.Signing.PrivateKey()
        let edKey = try COSEKey(cbor: COSEKey(ed25519: ed.publicKey).encoded)
        #expect(edKey.algorithm == .edDSA)
        let message: [UInt8] = Array("hello".utf8)
        #expect(edKey.isValidSignature(Array(try ed.signature(for: message)), for: message))
        #expect(!edKey.isValidSignature(Array(try ed.signature(for: message + [0])), for: message))
    }

    @Test("Other key types, algorithms and curves are unsupported")
    func unsupported() {
        #expect(Self.code(Self.ec2(kty: 3, alg: -257)) == .unsupportedKey)  // RSA
        #expect(Self.code(Self.ec2(alg: -35)) == .unsupportedKey)  // ES384
        #expect(Self.code(Self.ec2(crv: 2)) == .unsupportedKey)  // P-384
        #expect(Self.code(Self.ec2(kty: 1, alg: -7)) == .unsupportedKey)
        #expect(Self.code(Self.ec2([(.int(4), .array([]))])) == .unsupportedKey)  // key_ops
        #expect(Self.code(Self.ec2([(.text("x"), .null)])) == .unsupportedKey)
        let edOnP256Curve = CBOREncoder.encode(.map([(.int(1), .int(1)), (.int(3), .int(-8)), (.int(-1), .int(4)), (.int(-2), .bytes(Array(repeating: 9, count: 32)))]))
        #expect(Self.code(edOnP256Curve) == .unsupportedKey)  // X25519 curve
    }

    @Test("Wrong lengths and points off the curve are invalid keys")
    func invalid() {
        #expect(Self.code(Self.ec2(x: Array(repeating: 1, count: 31))) == .invalidKey)
        #expect(Self.code(Self.ec2(y: Array(repeating: 1, count: 33))) == .invalidKey)
        var y = Array(Self.p256.x963Representation)[33...].map { $0 }
        y[31] ^= 1
        #expect(Self.code(Self.ec2(y: y)) == .invalidKey)
        // An Ed25519 point of small order (the encoding of a 4-torsion point) and a wrong length.
        let smallOrder = [UInt8](repeating: 0, count: 31) + [0x80]
        let okp: ([UInt8]) -> [UInt8] = { x in
            CBOREncoder.encode(.map([(.int(1), .int(1)), (.int(3), .int(-8)), (.int(-1), .int(6)), (.int(-2), .bytes(x))]))
        }
        #expect(Self.code(okp(smallOrder)) == .invalidKey)
        #expect(Self.code(okp([1] + [UInt8](repeating: 0, count: 31))) == .invalidKey)  // the identity
        #expect(Self.code(okp([UInt8](repeating: 1, count: 16))) == .invalidKey)
    }

    @Test("Missing or mistyped parameters are malformed")
    func malformed() {
        #expect(Self.code(CBOREncoder.encode(.array([]))) == .malformed)
        #expect(Self.code(CBOREncoder.encode(.map([(.int(3), .int(-7))]))) == .malformed)  // no kty
        #expect(Self.code(CBOREncoder.encode(.map([(.int(1), .int(2)), (.int(-1), .int(1))]))) == .malformed)  // no alg
        #expect(Self.code(CBOREncoder.encode(.map([(.int(1), .text("EC2")), (.int(3), .int(-7))]))) == .malformed)
        #expect(Self.code(Self.ec2([(.int(2), .text("kid"))])) == .malformed)
        #expect(Self.code(Self.ec2() + [0]) == .malformed)  // trailing byte
        let noY = CBOREncoder.encode(.map([(.int(1), .int(2)), (.int(3), .int(-7)), (.int(-1), .int(1)), (.int(-2), .bytes(Array(repeating: 1, count: 32)))]))
        #expect(Self.code(noY) == .malformed)
    }
}
