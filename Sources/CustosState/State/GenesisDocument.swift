import CustosCore
import CustosCrypto
import CustosIdentity

/// What a cluster starts from, checked by every node before it accepts block 1: the cluster's
/// name, the WebAuthn relying party, the first admins with their credentials' registrations, the
/// initial policy (which holds the governance rules) and, in production, the attestation roots. Its `digest` is the previous hash of
/// block 1 in the ledger's sense and the value every node compares at bring-up.
public struct GenesisDocument: Sendable, Hashable {
    /// One of the first people: id, roles and one credential registration, made with the
    /// challenge `GenesisDocument.registrationChallenge(clusterName:user:)`.
    public struct Admin: Sendable, Hashable {
        public let id: String
        public let roles: [String]
        public let registration: WebAuthnRegistration.Response

        public init(id: String, roles: [String], registration: WebAuthnRegistration.Response) {
            self.id = id
            self.roles = roles
            self.registration = registration
        }
    }

    public let clusterName: String
    public let relyingPartyId: String
    public let allowedOrigins: [String]
    public let mode: RelyingParty.Mode
    /// Whether every assertion (proposal, approval) and registration must carry UV.
    public let requireUserVerification: Bool
    public let admins: [Admin]
    public let policyYAML: String
    /// The attestation policy: DER root certificates that every registration's `packed` or
    /// `fido-u2f` attestation must chain to in production (so a firm can require its vendor's
    /// security keys); a production genesis names at least one. Empty in development.
    public let attestationRoots: [[UInt8]]
    /// 32 random bytes `custos cluster init` draws for every new cluster, so that two clusters
    /// made from the same people, policy and roots (a redo, a disaster-recovery rehearsal)
    /// still have different genesis digests and accept none of each other's signatures. Empty
    /// in genesis documents made before it existed and in fixed test fixtures.
    public let nonce: [UInt8]

    /// Bytes of `nonce`.
    public static let nonceLength = 32

    public init(
        clusterName: String, relyingPartyId: String, allowedOrigins: [String], mode: RelyingParty.Mode,
        requireUserVerification: Bool = true, admins: [Admin], policyYAML: String, attestationRoots: [[UInt8]] = [],
        nonce: [UInt8] = []
    ) {
        self.clusterName = clusterName
        self.relyingPartyId = relyingPartyId
        self.allowedOrigins = Array(Set(allowedOrigins)).sorted()
        self.mode = mode
        self.requireUserVerification = requireUserVerification
        self.admins = admins
        self.policyYAML = policyYAML
        self.attestationRoots = attestationRoots
        self.nonce = nonce
    }

    public var relyingParty: RelyingParty {
        RelyingParty(id: relyingPartyId, allowedOrigins: Set(allowedOrigins), mode: mode)
    }

    static let tag = "custos.genesis.v1"
    /// The encoding of a genesis that names attestation roots: version 1 and then the roots.
    static let attestedTag = "custos.genesis.v2"
    /// The encoding of a genesis with a nonce: version 1, the roots (possibly none), the nonce.
    static let uniqueTag = "custos.genesis.v3"
    /// Most attestation roots a genesis names.
    public static let maximumAttestationRoots = 16

    /// The canonical encoding: version 3 with a nonce; without one, version 1 when it names no
    /// attestation root and version 2 when it does.
    public var encoded: [UInt8] {
        var w = CanonicalWriter(tag: !nonce.isEmpty ? Self.uniqueTag : attestationRoots.isEmpty ? Self.tag : Self.attestedTag)
        w.append(string: clusterName)
        w.append(string: relyingPartyId)
        w.append(strings: allowedOrigins)
        w.append(string: mode.rawValue)
        w.append(requireUserVerification)
        w.append(UInt32(admins.count))
        for a in admins {
            w.append(string: a.id)
            w.append(strings: a.roles)
            w.append(lengthPrefixed: a.registration.credentialId)
            w.append(lengthPrefixed: a.registration.attestationObject)
            w.append(lengthPrefixed: a.registration.clientDataJSON)
        }
        w.append(string: policyYAML)
        if !attestationRoots.isEmpty || !nonce.isEmpty {
            w.append(UInt32(attestationRoots.count))
            for root in attestationRoots { w.append(lengthPrefixed: root) }
        }
        if !nonce.isEmpty { w.append(lengthPrefixed: nonce) }
        return w.bytes
    }

    public init(encoded bytes: [UInt8]) throws(GovernanceError) {
        let tag = [Self.uniqueTag, Self.attestedTag].first { (try? GovernanceReader(bytes, tag: $0, what: "genesis document")) != nil } ?? Self.tag
        var r = try GovernanceReader(bytes, tag: tag, what: "genesis document")
        let name = try r.string("cluster name")
        let rpId = try r.string("relying party id")
        let origins = try r.strings("origins")
        let modeName = try r.string("mode")
        guard let mode = RelyingParty.Mode(rawValue: modeName) else { throw r.fail("unknown mode \"\(modeName.prefix(32))\"") }
        let uv = try r.bool("require user verification")
        let count = Int(try r.uint32("admin count"))
        guard count <= 64 else { throw r.fail("\(count) admins, more than 64") }
        var admins: [Admin] = []
        for i in 0..<count {
            let id = try r.string("admin[\(i)] id")
            let roles = try r.strings("admin[\(i)] roles")
            let credentialId = try r.bytes("admin[\(i)] credential id")
            let attestation = try r.bytes("admin[\(i)] attestation object")
            let clientData = try r.bytes("admin[\(i)] client data")
            admins.append(Admin(
                id: id, roles: roles,
                registration: .init(credentialId: credentialId, attestationObject: attestation, clientDataJSON: clientData)))
        }
        let yaml = try r.string("policy", max: 200 * 1024)
        var roots: [[UInt8]] = []
        if tag != Self.tag {
            let rootCount = Int(try r.uint32("attestation root count"))
            guard (tag == Self.uniqueTag ? 0 : 1)...Self.maximumAttestationRoots ~= rootCount else {
                throw r.fail("\(rootCount) attestation roots, more than \(Self.maximumAttestationRoots) or none where the version needs one")
            }
            for i in 0..<rootCount { roots.append(try r.bytes("attestation root \(i)", max: 16 * 1024)) }
        }
        var nonce: [UInt8] = []
        if tag == Self.uniqueTag {
            nonce = try r.bytes("nonce", max: Self.nonceLength)
            guard nonce.count == Self.nonceLength else { throw r.fail("a nonce of \(nonce.count) bytes, not \(Self.nonceLength)") }
        }
        try r.finish()
        self.init(
            clusterName: name, relyingPartyId: rpId, allowedOrigins: origins, mode: mode, requireUserVerification: uv,
            admins: admins, policyYAML: yaml, attestationRoots: roots, nonce: nonce)
        guard encoded == bytes else { throw GovernanceError(.malformed, "genesis document: origins are not sorted and distinct") }
    }

    /// SHA-256 of the canonical encoding.
    public var digest: [UInt8] { Hashes.sha256(encoded) }

    /// The challenge an admin's genesis registration signs: bound to the cluster and the person.
    public static func registrationChallenge(clusterName: String, user: String) -> [UInt8] {
        var w = CanonicalWriter(tag: "custos.genesis.registration.v1")
        w.append(string: clusterName)
        w.append(string: user)
        return Hashes.sha256(w.bytes)
    }
}
