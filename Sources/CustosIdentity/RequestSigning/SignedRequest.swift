import CustosCore

/// A bot's request, signed: the envelope
/// `{"body": <any JSON>, "cluster": "<hex>", "keyId": "...", "timestamp": <ms since epoch>, "nonce": "...", "signature": "<base64url>"}`.
///
/// The signature covers the RFC 8785 canonical bytes of
/// `{"body": body, "cluster": cluster, "keyId": keyId, "nonce": nonce, "timestamp": timestamp}`
/// (`signingInput`), so whitespace, member order and number spelling in transit do not matter,
/// while any change to the body, cluster, key, time or nonce does. `cluster` is the genesis
/// digest of the cluster the request is meant for (64 lowercase hex digits), so a request
/// signed for staging never counts in production; the verifier compares it with its own.
/// Numbers in the body are doubles, as RFC 8785 defines them: amounts belong in strings.
public struct SignedRequest: Sendable, Hashable {
    public let body: JSONValue
    /// The genesis digest of the cluster the request is signed for (32 bytes).
    public let cluster: [UInt8]
    public let keyId: String
    /// Milliseconds since the Unix epoch, an integer within ±2^53.
    public let timestamp: Int64
    /// 16 to 128 base64url characters, unique per key within the window.
    public let nonce: String
    public let signature: [UInt8]

    /// Envelopes larger than this are refused before parsing.
    public static let maxEnvelopeLength = 256 * 1024
    public static let nonceLengths = 16...128
    public static let keyIdLengths = 1...128

    /// Signs `body` for the cluster whose genesis digest is `cluster` (client side).
    public init(body: JSONValue, cluster: [UInt8], keyId: String, timestamp: Int64, nonce: String, key: BotSigningKey) {
        self.body = body
        self.cluster = cluster
        self.keyId = keyId
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = key.signature(
            for: Self.signingInput(body: body, cluster: cluster, keyId: keyId, timestamp: timestamp, nonce: nonce))
    }

    /// A request with a signature made elsewhere (a client library, or a test altering one).
    public init(body: JSONValue, cluster: [UInt8], keyId: String, timestamp: Int64, nonce: String, signature: [UInt8]) {
        self.body = body
        self.cluster = cluster
        self.keyId = keyId
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }

    /// Parses an envelope strictly: valid I-JSON, exactly the five members, each of its type.
    /// Parsing does not verify; see `RequestVerifier`.
    public init(json bytes: [UInt8]) throws(RequestSigningError) {
        let value: JSONValue
        do {
            value = try JSONParser(maxDepth: 64, maxInputBytes: Self.maxEnvelopeLength).parse(bytes)
        } catch {
            throw RequestSigningError(.malformed, "request envelope: JSON \(error)")
        }
        guard let members = value.objectValue else {
            throw RequestSigningError(.malformed, "request envelope is a \(value.typeName), not an object")
        }
        let known = ["body", "cluster", "keyId", "timestamp", "nonce", "signature"]
        for member in members where !known.contains(member.key) {
            throw RequestSigningError(.unknownField, "request envelope has the unknown member \"\(member.key.prefix(64))\"")
        }
        guard let body = value["body"] else { throw RequestSigningError(.malformed, "request envelope has no \"body\"") }
        // Spelled one way only: 32 bytes in lowercase hex, as `jsonBytes` writes them.
        guard let clusterHex = value["cluster"]?.stringValue, let cluster = try? [UInt8](hex: clusterHex),
              cluster.count == 32, cluster.hexString == clusterHex
        else {
            throw RequestSigningError(.malformed, "\"cluster\" must be the cluster's genesis digest: 64 lowercase hex digits")
        }
        guard let keyId = value["keyId"]?.stringValue, Self.keyIdLengths.contains(keyId.utf8.count),
            keyId.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7f })
        else {
            throw RequestSigningError(.malformed, "\"keyId\" must be 1 to 128 printable ASCII characters")
        }
        guard let t = value["timestamp"]?.doubleValue, t == t.rounded(.towardZero), t.magnitude <= 9_007_199_254_740_992
        else {
            throw RequestSigningError(.malformed, "\"timestamp\" must be an integer number of milliseconds")
        }
        guard let nonce = value["nonce"]?.stringValue, Self.nonceLengths.contains(nonce.utf8.count),
            nonce.utf8.allSatisfy(Self.isBase64URLCharacter)
        else {
            throw RequestSigningError(.malformed, "\"nonce\" must be 16 to 128 base64url characters")
        }
        guard let encodedSignature = value["signature"]?.stringValue, let signature = Base64URL.decode(encodedSignature)
        else {
            throw RequestSigningError(.malformed, "\"signature\" must be unpadded base64url")
        }
        self.body = body
        self.cluster = cluster
        self.keyId = keyId
        self.timestamp = Int64(t)
        self.nonce = nonce
        self.signature = signature
    }

    /// The envelope as compact canonical JSON (what a client sends).
    public var jsonBytes: [UInt8] {
        JCS.canonicalBytes(
            .object([
                ("body", body), ("cluster", .string(cluster.hexString)), ("keyId", .string(keyId)),
                ("timestamp", .number(Double(timestamp))), ("nonce", .string(nonce)),
                ("signature", .string(Base64URL.encode(signature))),
            ]))
    }

    /// The bytes the signature covers; their SHA-256 is the request's id.
    public var signingInput: [UInt8] {
        Self.signingInput(body: body, cluster: cluster, keyId: keyId, timestamp: timestamp, nonce: nonce)
    }

    public static func signingInput(body: JSONValue, cluster: [UInt8], keyId: String, timestamp: Int64, nonce: String) -> [UInt8] {
        JCS.canonicalBytes(
            .object([
                ("body", body), ("cluster", .string(cluster.hexString)), ("keyId", .string(keyId)), ("nonce", .string(nonce)),
                ("timestamp", .number(Double(timestamp))),
            ]))
    }

    private static func isBase64URLCharacter(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default: return false
        }
    }
}
