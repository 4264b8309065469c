import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Synchronization
import Testing

/// A development cluster for tests: four people with software credentials (erin: admin and
/// security officer, frank and grace: admins, heidi: security officer), a governance policy with
/// an admin quorum of two, and helpers that build signed governance entries.
struct Cluster {
    static let rpId = "custos.test"
    static let origin = "https://custos.test"

    static func policy(version: Int = 1, extraPrincipals: String = "") -> String {
        """
        policy: test-governance
        version: \(version)
        assets:
          ETH: {chains: [ethereum]}
        vaults: [hot]
        principals:
          risk-bot: {kind: bot, roles: [trading-bot]}
        \(extraPrincipals)
        groups:
          admins: {roles: [admin]}
          security: {roles: [security]}
        address_book:
          kraken:
            chain: ethereum
            address: "0x1111111111111111111111111111111111111111"
            tags: [exchange]
        governance:
          proposers: {roles: [admin, security]}
          quorum: {group: admins, count: 2}
          freeze: {roles: [security]}
        rules:
          - name: bot-to-exchanges
            match: {initiator: {kind: bot}, destination: {tags: [exchange]}, amount: {up_to: 10}}
            outcome: allow

        """
    }

    static let people: [(String, [String])] = [
        ("erin", ["admin", "security"]), ("frank", ["admin"]), ("grace", ["admin"]), ("heidi", ["security"]),
    ]

    var authenticators: [String: SoftwareAuthenticator] = [:]
    var genesis: GenesisDocument
    var state: ReplicatedState
    /// Block time in milliseconds.
    var now: UInt64 = 1_800_000_000_000
    var counter = 0
    /// Every entry applied through `apply(_:)`, with its block time: a node that restarts
    /// rebuilds its state from these.
    var log: [(entry: Entry, time: UInt64)] = []
    /// The executor bot's key once `prepareTransactions` registered it: `parameters` records a
    /// successful simulation with it first, as `custos executor` does.
    var executorKey: BotSigningKey? = nil
    /// The entry kinds after which `apply` checked the state's persisted encoding.
    var persistChecked: Set<String> = []
    /// In how many tests of this process `apply` checked the persisted encoding after each kind.
    private static let persistChecks = Mutex<[String: Int]>([:])
    static let persistChecksPerKind = 12

    /// Whether a test may check the persisted encoding after an entry of `kind`: the first
    /// `persistChecksPerKind` to ask, in this process.
    private static func takePersistCheck(_ kind: String) -> Bool {
        persistChecks.withLock { counts in
            counts[kind, default: 0] += 1
            return counts[kind]! <= persistChecksPerKind
        }
    }

    /// `authenticator` makes each person's credential (fresh random ones by default).
    init(
        mode: RelyingParty.Mode = .development, requireUserVerification: Bool = true, attestationRoots: [[UInt8]] = [],
        policyYAML: String = Cluster.policy(),
        authenticator: (String) throws -> SoftwareAuthenticator = { _ in .generate() }
    ) throws {
        var admins: [GenesisDocument.Admin] = []
        for (id, roles) in Self.people {
            let a = try authenticator(id)
            authenticators[id] = a
            let registration = a.register(
                relyingPartyId: Self.rpId, origin: Self.origin,
                challenge: GenesisDocument.registrationChallenge(clusterName: "test", user: id))
            admins.append(.init(id: id, roles: roles, registration: registration))
        }
        genesis = GenesisDocument(
            clusterName: "test", relyingPartyId: Self.rpId, allowedOrigins: [Self.origin], mode: mode,
            requireUserVerification: requireUserVerification, admins: admins, policyYAML: policyYAML, attestationRoots: attestationRoots,
            nonce: mode == .production ? SecureRandom.bytes(count: GenesisDocument.nonceLength) : [])
        state = try ReplicatedState(genesis: genesis)
    }

    /// A cluster started from `genesis`, whose people act with `authenticators`.
    init(genesis: GenesisDocument, authenticators: [String: SoftwareAuthenticator]) throws {
        self.genesis = genesis
        self.authenticators = authenticators
        state = try ReplicatedState(genesis: genesis)
    }

    mutating func nextId() -> String {
        counter += 1
        return "op-\(counter)"
    }

    /// An assertion by `user` over `challenge`, as their authenticator makes it.
    mutating func assert(
        _ user: String, _ challenge: [UInt8], origin: String = Cluster.origin, userVerified: Bool = true
    ) -> WebAuthnAssertion.Response {
        authenticators[user]!.getAssertion(
            relyingPartyId: Self.rpId, origin: origin, challenge: challenge, userVerified: userVerified)
    }

    mutating func proposeEntry(_ proposal: GovernanceProposal) throws -> Entry {
        try GovernanceEntry.propose(proposal, assertion: assert(proposal.proposer, proposal.challenge(.propose, genesisDigest: state.genesisDigest))).entry()
    }

    /// The timing a client signs into a decision made now: signed at the next block's time, the
    /// review not measured. Only where the policy bounds approvals (its `approvals` section, under
    /// which an untimed approval is refused); elsewhere the helpers sign untimed decisions, as
    /// the logs of older clients hold them.
    var decisionTiming: DecisionTiming? {
        state.policy.document.approvals.isSet ? DecisionTiming(signedAt: now + 1000, reviewMillis: nil) : nil
    }

    mutating func approveEntry(_ proposal: GovernanceProposal, by user: String) throws -> Entry {
        try approveEntry(proposal, by: user, timing: decisionTiming)
    }

    /// `user`'s approval of `proposal` signed with `timing` (nil: untimed).
    mutating func approveEntry(_ proposal: GovernanceProposal, by user: String, timing: DecisionTiming?) throws -> Entry {
        let challenge = proposal.challenge(.approve, genesisDigest: state.genesisDigest, timing: timing)
        return try GovernanceEntry.approve(operationId: proposal.id, user: user, assertion: assert(user, challenge), timing: timing).entry()
    }

    /// A rejection of `proposal` by `user`; of an approved operation waiting its time-lock, a
    /// cancel (over the cancel challenge, which binds when it would execute, and no time).
    mutating func rejectEntry(_ proposal: GovernanceProposal, by user: String) throws -> Entry {
        if let executesAt = state.operations[proposal.id].flatMap({ op in op.status == .approved ? op.executesAt : nil }) {
            let challenge = proposal.cancelChallenge(executesAt: executesAt, genesisDigest: state.genesisDigest)
            return try GovernanceEntry.reject(operationId: proposal.id, user: user, assertion: assert(user, challenge)).entry()
        }
        let timing = decisionTiming
        let challenge = proposal.challenge(.reject, genesisDigest: state.genesisDigest, timing: timing)
        return try GovernanceEntry.reject(operationId: proposal.id, user: user, assertion: assert(user, challenge), timing: timing).entry()
    }

    /// Applies an entry one second after the previous one.
    @discardableResult
    mutating func apply(_ entry: Entry) -> GovernanceOutcome {
        now += 1000
        log.append((entry, now))
        let outcome = state.apply(entry, blockTime: now)
        // The states the tests of the state machine reach go through their persisted encoding
        // and back whole (a node restarts from it): after the first entry of each kind among a
        // test's first 256 entries, in the first `persistChecksPerKind` tests that apply that
        // kind (every entry, or every test, would make these tests several times slower: the
        // check's dump of the whole state is its cost, and the kinds every test applies while
        // setting up would be checked hundreds of times). Which tests those are depends on the
        // order tests start in; a failure seen in a whole run shows again when its test runs
        // alone (`swift test --filter`), where it is the first to apply each of its kinds.
        if log.count <= 256, persistChecked.insert(entry.kind).inserted, Self.takePersistCheck(entry.kind) {
            #expect(throws: Never.self) { try expectPersistsWhole(state) }
        }
        return outcome
    }

    @discardableResult
    /// A policy change that names no base is bound to the policy in force, as `custos op propose`
    /// binds it (nodes refuse one without a base: `PolicyChangeBaseTests`).
    mutating func propose(_ change: GovernanceChange, by user: String, lifetime: UInt32 = 3600) throws -> (GovernanceProposal, GovernanceOutcome) {
        var change = change
        if case .changePolicy(let yaml, nil) = change { change = .changePolicy(yaml: yaml, replaces: ReplicatedState.policyDigest(of: state.policyYAML)) }
        let p = GovernanceProposal(id: nextId(), proposer: user, change: change, lifetimeSeconds: lifetime)
        return (p, apply(try proposeEntry(p)))
    }

    @discardableResult
    mutating func approve(_ p: GovernanceProposal, by user: String) throws -> GovernanceOutcome {
        apply(try approveEntry(p, by: user))
    }

    func status(_ p: GovernanceProposal) -> PendingOperation.Status? { state.operations[p.id]?.status }

    @discardableResult
    mutating func reject(_ p: GovernanceProposal, by user: String) throws -> GovernanceOutcome {
        apply(try rejectEntry(p, by: user))
    }

    /// Adds a person with `roles` and enrols a fresh credential for them, each through the
    /// quorum (frank proposes, grace and erin approve), so that they can act.
    mutating func addPerson(_ id: String, roles: [String]) throws {
        let (add, _) = try propose(.addUser(id: id, roles: roles), by: "frank")
        try approve(add, by: "grace")
        try approve(add, by: "erin")
        try enrolNewCredential(id)
    }

    /// The quorum enrols `id` (frank proposes with the key of `id`'s code, grace and erin
    /// approve), and `id` registers a fresh software credential under it, which then acts for them.
    @discardableResult
    mutating func enrolNewCredential(_ id: String) throws -> GovernanceOutcome {
        let code = SecureRandom.bytes(count: 32)
        let enrolment = try enrol(id, codeKey: CredentialEnrolment.codeKey(ofCode: code))
        let authenticator = SoftwareAuthenticator.generate()
        let outcome = apply(try enrolEntry(enrolment.id, user: id, code: code, authenticator: authenticator))
        authenticators[id] = authenticator
        return outcome
    }

    /// An enrolment for `user` approved by the quorum (frank, grace, erin).
    mutating func enrol(_ user: String, codeKey: [UInt8], validSeconds: UInt32 = 3600) throws -> GovernanceProposal {
        let (p, _) = try propose(.enrolCredential(user: user, codeKey: codeKey, validSeconds: validSeconds), by: "frank")
        try approve(p, by: "grace")
        try approve(p, by: "erin")
        return p
    }

    /// `user`'s registration with `authenticator` under enrolment `id`, signed with `code`.
    func enrolEntry(_ id: String, user: String, code: [UInt8], authenticator: SoftwareAuthenticator) throws -> Entry {
        let registration = enrolRegistration(id, user: user, codeKey: CredentialEnrolment.codeKey(ofCode: code), authenticator: authenticator)
        return try GovernanceEntry.enrol(enrolmentId: id, user: user, proof: CredentialEnrolment.proof(code: code, registration: registration),
                                         registration: registration).entry()
    }

    /// `authenticator`'s registration over the challenge of enrolment `id` for `user` and `codeKey`.
    func enrolRegistration(_ id: String, user: String, codeKey: [UInt8], authenticator: SoftwareAuthenticator) -> WebAuthnRegistration.Response {
        authenticator.register(relyingPartyId: Self.rpId, origin: Self.origin, challenge: CredentialEnrolment.registrationChallenge(
            genesisDigest: state.genesisDigest, enrolmentId: id, user: user, codeKey: codeKey))
    }

    /// The refusal code of an outcome, if refused.
    static func code(_ outcome: GovernanceOutcome) -> GovernanceError.Code? {
        if case .refused(let e) = outcome { return e.code }
        return nil
    }

    static func webAuthnCode(_ outcome: GovernanceOutcome) -> WebAuthnError.Code? {
        if case .refused(let e) = outcome { return e.webAuthn }
        return nil
    }
}
