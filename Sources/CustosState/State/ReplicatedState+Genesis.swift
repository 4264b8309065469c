import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy

extension ReplicatedState {
    /// Checks a genesis document and builds the first state: a named cluster, a relying party
    /// with origins, distinct admins each with a registration that verifies against the genesis
    /// challenge (a production genesis names attestation roots, and refuses every registration
    /// whose attestation does not chain to one of them: software credentials, `none`), distinct credential ids,
    /// and a policy with governance that compiles with these people and can still be governed.
    /// `members` are the cluster's first voting members (from its configuration).
    public init(genesis g: GenesisDocument, members: [Member] = []) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidGenesis, reason) }
        guard !g.clusterName.isEmpty, g.clusterName.utf8.count <= 128 else { throw invalid("cluster name must have 1 to 128 bytes") }
        guard !g.relyingPartyId.isEmpty else { throw invalid("relying party id is empty") }
        guard !g.allowedOrigins.isEmpty else { throw invalid("no allowed origin") }
        if g.mode == .production {
            for origin in g.allowedOrigins where !origin.hasPrefix("https://") {
                throw invalid("production origin \"\(origin.prefix(200))\" is not https")
            }
        }
        if g.mode == .production && g.attestationRoots.isEmpty {
            throw invalid("a production genesis names the attestation roots its people's authenticators chain to")
        }
        guard g.nonce.isEmpty || g.nonce.count == GenesisDocument.nonceLength else {
            throw invalid("a genesis nonce has \(GenesisDocument.nonceLength) bytes, not \(g.nonce.count)")
        }
        guard g.attestationRoots.count <= GenesisDocument.maximumAttestationRoots else {
            throw invalid("more than \(GenesisDocument.maximumAttestationRoots) attestation roots")
        }
        for (i, root) in g.attestationRoots.enumerated() where !AttestationStatement.isCertificate(root) {
            throw invalid("attestation root \(i) is not a DER X.509 certificate")
        }
        guard !g.admins.isEmpty else { throw invalid("no admin") }
        let relyingParty = g.relyingParty
        var users: [String: GovernedUser] = [:]
        var credentialIds: Set<[UInt8]> = []
        for admin in g.admins {
            try Self.checkUserId(admin.id)
            guard users[admin.id] == nil else { throw invalid("admin \"\(admin.id)\" appears twice") }
            guard !admin.roles.isEmpty else { throw invalid("admin \"\(admin.id)\" has no role") }
            for role in admin.roles { try Self.checkRole(role) }
            let credential: StoredCredential
            do {
                credential = try WebAuthnRegistration.verify(
                    admin.registration,
                    expectedChallenge: GenesisDocument.registrationChallenge(clusterName: g.clusterName, user: admin.id),
                    relyingParty: relyingParty, requireUserVerification: g.requireUserVerification,
                    attestationRoots: g.attestationRoots)
            } catch {
                throw GovernanceError(
                    .registrationRefused, "admin \"\(admin.id)\": \(error.reason)", webAuthn: error.code)
            }
            guard credentialIds.insert(credential.credentialId).inserted else {
                throw invalid("admin \"\(admin.id)\" reuses another admin's credential")
            }
            users[admin.id] = GovernedUser(id: admin.id, roles: admin.roles, credentials: [credential])
        }
        let (document, policy) = try Self.compile(yaml: g.policyYAML, users: users)
        try Self.checkAttestable(policy)
        self.clusterName = g.clusterName
        self.genesisDigest = g.digest
        self.relyingParty = relyingParty
        self.requireUserVerification = g.requireUserVerification
        self.attestationRoots = g.attestationRoots
        self.users = users
        self.policyYAML = g.policyYAML
        self.policyVersion = document.version
        self.frozen = false
        self.operations = [:]
        self.refusals = RecentItems(capacity: Self.maximumRecordedRefusals)
        self.members = members.sorted { $0.id < $1.id }
        self.retiredMemberKeys = []
        self.bots = [:]
        self.requestBook = RequestBook()
        self.time = 0
        self.policy = policy
        self.windows = WindowsRoom(policy: policy)
        self.document = document
    }

    /// Role names: 1 to 64 of [a-z0-9-_.], as the policy language writes them.
    static func checkRole(_ role: String) throws(GovernanceError) {
        let ok = (1...64).contains(role.utf8.count) && role.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ".")].contains(c)
        }
        guard ok else { throw GovernanceError(.invalidChange, "role \"\(role.prefix(64))\" is not 1 to 64 of [a-z0-9-_.]") }
    }

    /// User and bot ids: 1 to 64 bytes of lowercase letters, digits, '-', '_', '.', '@'.
    static func checkUserId(_ id: String, what: String = "user") throws(GovernanceError) {
        let ok = (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || [UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "@")].contains(c)
        }
        guard ok else { throw GovernanceError(.invalidChange, "\(what) id \"\(id.prefix(64))\" is not 1 to 64 of [a-z0-9-_.@]") }
    }
}
