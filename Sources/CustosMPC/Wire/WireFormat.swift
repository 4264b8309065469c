import CustosCrypto

/// The binary encoding of protocol messages: a one-byte kind tag, then fixed-size scalars and
/// elements in their canonical encodings, with 16-bit big-endian counts in front of lists.
/// Decoding refuses truncation, trailing bytes, unknown tags and invalid group encodings, and
/// says which field was wrong.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    init(kind: UInt8) { bytes.append(kind) }

    mutating func append(_ raw: [UInt8]) { bytes += raw }

    mutating func append<S: GroupScalar>(scalar: S) { bytes += scalar.rawRepresentation }

    mutating func append<E: GroupElement>(element: E) throws(MPCError) {
        do {
            bytes += try element.serialized()
        } catch {
            throw MPCError(.malformedMessage, "cannot encode \(error.reason)")
        }
    }

    /// Hands the encoding over as secret bytes and erases this writer's buffer.
    mutating func finishSecret() -> SecretBytes {
        let secret = SecretBytes(bytes)
        Sodium.memzero(&bytes)
        return secret
    }

    mutating func append(count: Int) {
        precondition(count <= Int(UInt16.max))
        bytes += [UInt8(count >> 8), UInt8(count & 0xff)]
    }
}

struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0
    private let message: String

    /// Starts reading a message whose first byte must be `kind`; `message` names it in errors.
    init(_ bytes: [UInt8], kind: UInt8, message: String) throws(MPCError) {
        self.bytes = bytes
        self.message = message
        guard let first = bytes.first else {
            throw MPCError(.malformedMessage, "\(message): empty input")
        }
        guard first == kind else {
            throw MPCError(.malformedMessage, "\(message): wrong message kind \(first), expected \(kind)")
        }
        offset = 1
    }

    mutating func read(_ count: Int, _ field: String) throws(MPCError) -> ArraySlice<UInt8> {
        guard bytes.count - offset >= count else {
            throw MPCError(
                .malformedMessage,
                "\(message): truncated at \(field): needs \(count) bytes, \(bytes.count - offset) left")
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func scalar<S: GroupScalar>(_ type: S.Type, _ field: String) throws(MPCError) -> S {
        let raw = try read(S.byteCount, field)
        do {
            return try S(rawRepresentation: raw)
        } catch {
            throw MPCError(.malformedMessage, "\(message): \(field): \(error.reason)")
        }
    }

    mutating func element<E: GroupElement>(_ type: E.Type, _ field: String) throws(MPCError) -> E {
        let raw = try read(E.byteCount, field)
        do {
            return try E(serialized: raw)
        } catch {
            throw MPCError(.malformedMessage, "\(message): \(field): \(error.reason)")
        }
    }

    mutating func count(_ field: String, max: Int) throws(MPCError) -> Int {
        let raw = try read(2, field)
        let value = Int(raw[raw.startIndex]) << 8 | Int(raw[raw.startIndex + 1])
        guard value <= max else {
            throw MPCError(.malformedMessage, "\(message): \(field) is \(value), more than the limit \(max)")
        }
        return value
    }

    func finish() throws(MPCError) {
        guard offset == bytes.count else {
            throw MPCError(.malformedMessage, "\(message): \(bytes.count - offset) trailing bytes")
        }
    }
}

/// Message kind tags.
enum WireKind {
    static let dkgRound1: UInt8 = 0x01
    static let dkgRound2: UInt8 = 0x02
    static let signingCommitments: UInt8 = 0x10
    static let signingPackage: UInt8 = 0x11
    static let signatureShare: UInt8 = 0x12
    static let reshareDealing: UInt8 = 0x20
    static let reshareShare: UInt8 = 0x21
    static let publicKeyPackage: UInt8 = 0x30
    static let keyPackage: UInt8 = 0x31
    static let presignature: UInt8 = 0x40
}

/// The largest participant count any message may announce.
let maximumParticipants = 1024
