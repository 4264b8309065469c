import CustosCore
import CustosCrypto

// The binary encoding of protocol messages, on the shared canonical codec: a one-byte kind tag,
// then fixed-size scalars and elements in their canonical encodings, with 16-bit big-endian
// counts in front of lists. Decoding refuses truncation, trailing bytes, unknown tags and invalid
// group encodings, and says which field was wrong.

/// Reads one protocol message, reporting `MPCError.malformedMessage`.
typealias WireReader = CanonicalReader<MPCErrorCode>

extension CanonicalWriter {
    /// Starts a protocol message of `kind`.
    init(kind: WireKind) {
        self.init()
        append(kind.rawValue)
    }

    mutating func append<S: GroupScalar>(scalar: S) { append(raw: scalar.rawRepresentation) }

    mutating func append<E: GroupElement>(element: E) throws(MPCError) {
        do {
            append(raw: try element.serialized())
        } catch {
            throw MPCError(.malformedMessage, "cannot encode \(error.reason)")
        }
    }

    /// Hands the encoding over as secret bytes and erases this writer's buffer.
    mutating func finishSecret() -> SecretBytes {
        withBuffer { bytes in
            let secret = SecretBytes(bytes)
            Sodium.memzero(&bytes)
            return secret
        }
    }
}

extension CanonicalReader where Code == MPCErrorCode {
    /// Starts reading a message whose first byte must be `kind`; `message` names it in errors.
    init(_ bytes: [UInt8], kind: WireKind, message: String) throws(MPCError) {
        self.init(bytes, what: message)
        guard let first = bytes.first else { throw fail("empty input") }
        guard first == kind.rawValue else { throw fail("wrong message kind \(first), expected \(kind.rawValue)") }
        _ = try uint8("kind")
    }

    mutating func scalar<S: GroupScalar>(_ type: S.Type, _ field: String) throws(MPCError) -> S {
        try decode(S.byteCount, field) { raw throws(CryptoError) in try S(rawRepresentation: raw) }
    }

    mutating func element<E: GroupElement>(_ type: E.Type, _ field: String) throws(MPCError) -> E {
        try decode(E.byteCount, field) { raw throws(CryptoError) in try E(serialized: raw) }
    }

    /// The next `count` bytes as a group value; an invalid encoding is a malformed message.
    private mutating func decode<T>(
        _ count: Int, _ field: String, _ make: (ArraySlice<UInt8>) throws(CryptoError) -> T
    ) throws(MPCError) -> T {
        let raw = try read(count, field)
        do {
            return try make(raw)
        } catch {
            throw fail("\(field): \(error.reason)")
        }
    }
}

/// Message kind tags: the first byte of every message, so that bytes meant as one message can
/// never be read as another.
enum WireKind: UInt8 {
    /// DKG round 1 (broadcast): the commitment to a participant's polynomial and its proof of
    /// knowledge of the constant term.
    case dkgRound1 = 0x01
    /// DKG round 2 (one per receiver): a participant's secret share for the receiver.
    case dkgRound2 = 0x02
    /// FROST round 1: a signer's hiding and binding nonce commitments (RFC 9591 §5.1).
    case signingCommitments = 0x10
    /// What the coordinator sends every FROST signer: commitments, message and tweak.
    case signingPackage = 0x11
    /// FROST round 2: a signer's share z_i and the digest of the package it signed (RFC 9591 §5.2).
    case signatureShare = 0x12
    /// Reshare: an old-committee member's commitment to its subshare polynomial.
    case reshareDealing = 0x20
    /// Reshare: an old-committee member's subshare for one new member.
    case reshareShare = 0x21
    /// The public key package: threshold, group key and every verifying share.
    case publicKeyPackage = 0x30
    /// A participant's sealed key package (secret share included).
    case keyPackage = 0x31
    /// A sealed threshold-ECDSA presignature.
    case presignature = 0x40
    /// Threshold-ECDSA presigning round 1 (broadcast): the dealer's hash commitment.
    case presignRound1 = 0x41
    /// Threshold-ECDSA presigning round 1 (one per receiver): a dealer's five secret evaluations.
    case presignShares = 0x42
    /// Threshold-ECDSA presigning round 2 (broadcast): R_j, w_j and the round-1 echo.
    case presignRound2 = 0x43
    /// Threshold-ECDSA presigning round 3 (broadcast): W_j, the share images and the round-2 echo.
    case presignRound3 = 0x44
    /// The public broadcasts of one presigning run (rounds 2 and 3), shown to judge a blame.
    case presignTranscript = 0x45
    /// What a party reveals of its own part in an abandoned presigning run.
    case presignReveal = 0x46
    /// A sealed FROST nonce pair, kept in a node's pool until it signs once.
    case signingNonces = 0x13
    /// A sealed additive participant's key (an offline signer's s_off).
    case additiveKey = 0x14
}

/// The largest participant count any message may announce.
let maximumParticipants = 1024

extension MPCErrorCode: DecodingErrorCode {
    package static var malformedEncoding: Self { .malformedMessage }
    package static var encodingLimitExceeded: Self { .malformedMessage }
}
