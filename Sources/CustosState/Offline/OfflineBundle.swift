import CustosCore
import CustosLedger

/// What the online side hands an offline signer for one signing attempt of a vault with an
/// offline share (air-gapped signing, #15 item 3): the block that committed the request with its
/// commit certificate and the index of the request entry in it (the offline signer decodes the
/// request from the entry's bytes itself), the members' `vault.offline.attest` entries for the
/// attempt (`OfflineAttestation`), and the policy text the attestations name. Nothing in it is
/// believed until `verify(trust:)` checked it against the cluster the offline signer was set up
/// with. It travels as QR images; `serialized` is the canonical binary form.
public struct OfflineBundle: Sendable, Hashable {
    public let block: Block
    public let certificate: QuorumCertificate
    /// The index of the request's `request.submit` entry in `block`.
    public let requestIndex: Int
    /// The members' attestation entries, as they sit in the log.
    public let attestations: [Entry]
    /// The policy text in force, as adopted.
    public let policyYAML: String

    public init(block: Block, certificate: QuorumCertificate, requestIndex: Int, attestations: [Entry], policyYAML: String) {
        self.block = block
        self.certificate = certificate
        self.requestIndex = requestIndex
        self.attestations = attestations
        self.policyYAML = policyYAML
    }

    static let tag = "custos.offline.bundle.v1"
    /// The largest bundle: about 400 QR codes at their usual payload. A request whose block is
    /// larger cannot be signed offline.
    public static let maximumBytes = 1 << 20
    static let maximumPolicyBytes = 256 * 1024

    public var serialized: [UInt8] {
        var w = CanonicalWriter(tag: Self.tag)
        w.append(lengthPrefixed: block.serialized)
        w.append(lengthPrefixed: certificate.serialized)
        w.append(UInt32(requestIndex))
        w.append(UInt32(attestations.count))
        for e in attestations {
            w.append(string: e.kind)
            w.append(lengthPrefixed: e.payload)
            w.append(lengthPrefixed: e.authorization)
        }
        w.append(string: policyYAML)
        return w.bytes
    }

    /// Decodes strictly, naming the part that is wrong (truncated, oversized, trailing bytes, a
    /// block or certificate that does not decode). Signatures are checked by `verify(trust:)`.
    public init(serialized bytes: [UInt8]) throws(OfflineBundleError) {
        guard bytes.count <= Self.maximumBytes else {
            throw OfflineBundleError(.encodingLimitExceeded, "a bundle of \(bytes.count) bytes, more than \(Self.maximumBytes)")
        }
        var r = CanonicalReader<OfflineBundleErrorCode>(bytes, what: "offline bundle")
        let tag = try r.string("tag", max: 64)
        guard tag == Self.tag else { throw r.fail("is not a \(Self.tag) encoding") }
        let blockBytes = try r.lengthPrefixed("block", max: Self.maximumBytes)
        let certificateBytes = try r.lengthPrefixed("certificate", max: 64 * 1024)
        let index = Int(try r.uint32("request index"))
        let count = try r.count("attestation count", max: ClusterConfiguration.maximumMembers)
        var attestations: [Entry] = []
        for i in 0..<count {
            let kind = try r.string("attestation \(i) kind", max: Entry.maximumKindLength)
            let payload = try r.lengthPrefixed("attestation \(i) payload", max: OfflineAttestation.maximumBytes)
            let authorization = try r.lengthPrefixed("attestation \(i) authorization", max: 1024)
            do { attestations.append(try Entry(kind: kind, payload: payload, authorization: authorization)) } catch {
                throw r.fail("attestation \(i): \(error.reason)")
            }
        }
        let policy = try r.string("policy text", max: Self.maximumPolicyBytes)
        try r.finish()
        do { block = try Block(serialized: blockBytes) } catch { throw r.fail("block: \(error.reason)") }
        do { certificate = try QuorumCertificate(serialized: certificateBytes) } catch { throw r.fail("certificate: \(error.reason)") }
        requestIndex = index
        self.attestations = attestations
        policyYAML = policy
    }
}
