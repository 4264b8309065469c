import CustosCore
import CustosCrypto
import CustosLedger

/// How a node proves to the gateway that a relay request is its own, so that nobody else can
/// fill or drain its inbox: an Ed25519 signature by the node's identity key over the method,
/// the request target (path and query), the SHA-256 of the body, the node id, a timestamp and
/// the cluster's genesis digest. It travels in three headers. The gateway accepts it only from
/// a current member and only while the timestamp is within `freshness` of its own clock.
public struct RelayRequestSignature: Sendable, Equatable {
    public static let nodeHeader = "Custos-Node"
    /// Milliseconds since the Unix epoch, decimal.
    public static let timestampHeader = "Custos-Timestamp"
    /// 64-byte Ed25519 signature, hex.
    public static let signatureHeader = "Custos-Signature"
    /// How far a request's timestamp may be from the gateway's clock, either way (milliseconds).
    public static let freshness: UInt64 = 60_000

    public let node: NodeID
    public let timestamp: UInt64
    public let signature: [UInt8]

    /// Signs a request as `identity` at `timestamp`.
    public init(method: String, target: String, body: [UInt8], genesisDigest: LedgerHash, identity: NodeIdentity, timestamp: UInt64) {
        node = identity.id
        self.timestamp = timestamp
        signature = identity.signDigest(Self.digest(method: method, target: target, body: body, node: identity.id,
                                                    timestamp: timestamp, genesisDigest: genesisDigest))
    }

    /// Reads the three headers; a missing or malformed one is an error naming it.
    public init(node: String?, timestamp: String?, signature: String?) throws(ClusterAPIError) {
        guard let node, let id = try? NodeID(node) else {
            throw ClusterAPIError(.malformedMessage, "the \(Self.nodeHeader) header is missing or not a node id")
        }
        guard let timestamp, let milliseconds = UInt64(timestamp) else {
            throw ClusterAPIError(.malformedMessage, "the \(Self.timestampHeader) header is missing or not a decimal timestamp")
        }
        guard let signature, signature.utf8.count == 128, let bytes = try? [UInt8](hex: signature) else {
            throw ClusterAPIError(.malformedMessage, "the \(Self.signatureHeader) header is missing or not 64 bytes of hex")
        }
        self.node = id
        self.timestamp = milliseconds
        self.signature = bytes
    }

    /// The headers that carry this signature.
    public var headers: [(name: String, value: String)] {
        [(Self.nodeHeader, node.rawValue), (Self.timestampHeader, "\(timestamp)"), (Self.signatureHeader, signature.hexString)]
    }

    /// Nil if `member`'s identity key signed exactly this request and the timestamp is fresh at
    /// `now`; otherwise why not.
    public func refusal(method: String, target: String, body: [UInt8], genesisDigest: LedgerHash, member: Member, now: UInt64) -> String? {
        guard member.id == node else { return "the signature is checked against another member" }
        let age = now >= timestamp ? now - timestamp : timestamp - now
        guard age <= Self.freshness else { return "the request's timestamp is \(age) ms from the gateway's clock (at most \(Self.freshness))" }
        let digest = Self.digest(method: method, target: target, body: body, node: node, timestamp: timestamp, genesisDigest: genesisDigest)
        guard Ed25519.isValidSignature(signature, for: digest, publicKey: member.publicKeyBytes) else {
            return "the signature does not verify under \(node)'s identity key"
        }
        return nil
    }

    static let tag = "custos/relay-request/v1"

    /// The 32-byte digest a node signs: a tagged hash of the canonical encoding of every signed field.
    static func digest(method: String, target: String, body: [UInt8], node: NodeID, timestamp: UInt64, genesisDigest: LedgerHash) -> [UInt8] {
        var w = CanonicalWriter()
        w.append(raw: genesisDigest.bytes)
        w.append(string: method)
        w.append(string: target)
        w.append(raw: Hashes.sha256(body))
        w.append(string: node.rawValue)
        w.append(timestamp)
        return Hashes.tagged(tag, w.bytes)
    }
}
