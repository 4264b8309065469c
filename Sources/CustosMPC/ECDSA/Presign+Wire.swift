import CustosCore
import CustosCrypto

// Wire encodings of the presigning messages, for nodes that run a presigning round over a
// relay: each message alone, tagged with its kind, so that bytes of one round never read as
// another's.

extension ThresholdECDSA.PresignRound1 {
    /// Every round-1 broadcast encodes in this many bytes.
    public static let serializedCount = 33

    public var serializedBytes: [UInt8] {
        var w = CanonicalWriter(kind: .presignRound1)
        w.append(raw: commitment)
        return w.bytes
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: .presignRound1, message: "presign round-1 broadcast")
        commitment = Array(try r.read(32, "commitment"))
        try r.finish()
    }
}

extension ThresholdECDSA.PresignShares {
    /// The five secret evaluations; the caller seals them for their one receiver.
    public var unsafeSerializedBytes: SecretBytes {
        var w = CanonicalWriter(kind: .presignShares)
        for s in [k, a, b, d, e] { w.append(scalar: s) }
        return w.finishSecret()
    }

    public init(unsafeSerializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: .presignShares, message: "presign round-1 shares")
        k = try r.scalar(Secp256k1.Scalar.self, "k")
        a = try r.scalar(Secp256k1.Scalar.self, "a")
        b = try r.scalar(Secp256k1.Scalar.self, "b")
        d = try r.scalar(Secp256k1.Scalar.self, "d")
        e = try r.scalar(Secp256k1.Scalar.self, "e")
        try r.finish()
    }
}

extension ThresholdECDSA.PresignRound2 {
    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            var w = CanonicalWriter(kind: .presignRound2)
            try append(to: &w)
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: .presignRound2, message: "presign round-2 broadcast")
        try self.init(reading: &r)
        try r.finish()
    }

    func append(to w: inout CanonicalWriter) throws(MPCError) {
        try w.append(element: bigR)
        w.append(scalar: self.w)
        w.append(raw: echo)
    }

    init(reading r: inout WireReader) throws(MPCError) {
        self.init(bigR: try r.element(Secp256k1.Point.self, "R_j"), w: try r.scalar(Secp256k1.Scalar.self, "w_j"),
                  echo: Array(try r.read(32, "round-1 echo")))
    }
}

extension ThresholdECDSA.PresignRound3 {
    public var serializedBytes: [UInt8] {
        get throws(MPCError) {
            var w = CanonicalWriter(kind: .presignRound3)
            try append(to: &w)
            return w.bytes
        }
    }

    public init(serializedBytes bytes: [UInt8]) throws(MPCError) {
        var r = try WireReader(bytes, kind: .presignRound3, message: "presign round-3 broadcast")
        try self.init(reading: &r)
        try r.finish()
    }

    func append(to w: inout CanonicalWriter) throws(MPCError) {
        for p in [bigW, alphaImage, betaImage, eImage] { try w.append(element: p) }
        w.append(raw: echo)
    }

    init(reading r: inout WireReader) throws(MPCError) {
        self.init(bigW: try r.element(Secp256k1.Point.self, "W_j"), alphaImage: try r.element(Secp256k1.Point.self, "P_j"),
                  betaImage: try r.element(Secp256k1.Point.self, "B_j"), eImage: try r.element(Secp256k1.Point.self, "E_j"),
                  echo: Array(try r.read(32, "round-2 echo")))
    }
}
