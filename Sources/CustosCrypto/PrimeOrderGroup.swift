
/// The scalars of a prime-order group: what Shamir sharing, Feldman commitments, the DKG and
/// FROST need, so that one implementation of each serves every curve.
public protocol GroupScalar: Sendable, Equatable, CustomStringConvertible {
    static var zero: Self { get }
    static var one: Self { get }
    /// Bytes in the canonical encoding.
    static var byteCount: Int { get }
    init(_ value: UInt64)
    /// Canonical decoding; refuses values not below the group order.
    init(rawRepresentation: some Collection<UInt8>) throws(CryptoError)
    /// Canonical encoding (RFC 9591 SerializeScalar for the curve).
    var rawRepresentation: [UInt8] { get }
    /// The value as a big-endian integer, whatever the canonical encoding's byte order (for
    /// ordering identifiers numerically).
    var bigEndianRepresentation: [UInt8] { get }
    var isZero: Bool { get }
    /// A uniformly random nonzero scalar.
    static func random() -> Self
    func inverse() throws(CryptoError) -> Self
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
}

/// The elements of a prime-order group.
public protocol GroupElement: Sendable, Equatable, CustomStringConvertible {
    associatedtype Scalar: GroupScalar
    static var identity: Self { get }
    static var generator: Self { get }
    /// Bytes in the canonical encoding of a non-identity element.
    static var byteCount: Int { get }
    /// RFC 9591 DeserializeElement: refuses invalid encodings and the identity.
    init(serialized: some Collection<UInt8>) throws(CryptoError)
    /// RFC 9591 SerializeElement: fails for the identity.
    func serialized() throws(CryptoError) -> [UInt8]
    var isIdentity: Bool { get }
    /// s·G, constant-time in s.
    static func generatorMultiple(_ s: Scalar) -> Self
    /// s·P, constant-time in s: the one to use with secret scalars.
    static func * (s: Scalar, p: Self) -> Self
    /// s·P for a public s (challenge, binding factor, Lagrange coefficient, identifier power);
    /// may take time that depends on s.
    static func variableTimeMultiply(_ publicScalar: Scalar, _ p: Self) -> Self
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    static func sum(_ points: some Sequence<Self>) -> Self
}

extension Secp256k1.Scalar: GroupScalar {
    public var bigEndianRepresentation: [UInt8] { rawRepresentation }
}
extension Ed25519.Scalar: GroupScalar {
    public var bigEndianRepresentation: [UInt8] { rawRepresentation.reversed() }
}

extension Secp256k1.Point: GroupElement {
    public typealias Scalar = Secp256k1.Scalar
    public static var byteCount: Int { compressedByteCount }
    public init(serialized bytes: some Collection<UInt8>) throws(CryptoError) {
        try self.init(compressedRepresentation: bytes)
    }
    public func serialized() throws(CryptoError) -> [UInt8] { try compressedRepresentation() }
}

extension Ed25519.Point: GroupElement {
    public typealias Scalar = Ed25519.Scalar
    public init(serialized bytes: some Collection<UInt8>) throws(CryptoError) {
        try self.init(rawRepresentation: bytes)
    }
    public func serialized() throws(CryptoError) -> [UInt8] { try rawRepresentationExcludingIdentity() }
    /// libsodium offers only its constant-time multiplication; public scalars use it too.
    public static func variableTimeMultiply(_ publicScalar: Ed25519.Scalar, _ p: Ed25519.Point) -> Ed25519.Point {
        publicScalar * p
    }
}
