import CustosChains
import CustosCore
import CustosIdentity
import CustosLedger
import CustosPolicy
import CustosState
import Foundation

/// The governed state as JSON, for the gateway's API and `custos node status`. A view only:
/// nodes decide from `ReplicatedState` itself, never from these shapes.
public struct GovernanceSnapshot: Codable, Sendable, Equatable {
    /// Height of the last block applied to the state.
    public var height: UInt64
    /// SHA-256 of the governed state, hex: equal on two nodes exactly when their states are.
    public var stateDigest: String
    public var clusterName: String
    public var frozen: Bool
    /// What froze signing when an alert did (`alerts.freeze_on`); absent otherwise.
    public var frozenBy: AutomaticFreezeView?
    public var policyName: String
    public var policyVersion: Int
    /// The log's voting members after `height`.
    public var members: [ClusterView.Member]
    public var users: [UserView]
    public var bots: [BotView]
    public var roles: [String]
    /// The most recent decided requests, oldest first (the state keeps a bounded number).
    public var requests: [RequestView]
    public var operations: [OperationView]
    public var refusals: [RefusalView]
    /// Every vault with its ceremony transcript, by id.
    public var vaults: [VaultView]
    /// Active vaults whose shares do not yet sit with the voting members (a reshare runs, or
    /// could not start again): a membership change is complete only when this is empty.
    public var vaultsAwaitingReshare: [String]
    /// The registered assets, by chain and symbol.
    public var assets: [AssetView]
    /// The most recent governed nonce cancellations, oldest first, with their zero-value
    /// transactions (absent from views written before cancellations existed).
    public var cancellations: [CancellationView]?
    /// The open access review with a deadline, or the last one closed (with what lapsed).
    public var accessReview: AccessReviewView?

    /// `recent` caps the decided requests and refusals shown (the newest), for a node that writes
    /// this view with every block.
    public init(_ state: ReplicatedState, height: UInt64, recent: Int = .max) {
        self.height = height
        stateDigest = state.digest.hexString
        clusterName = state.clusterName
        frozen = state.frozen
        frozenBy = state.frozenBy.map(AutomaticFreezeView.init)
        policyName = state.policy.document.name
        policyVersion = state.policyVersion
        members = state.members.map(ClusterView.Member.init)
        users = state.users.keys.sorted().map { UserView(state.users[$0]!, in: state) }
        roles = state.roles
        bots = state.bots.keys.sorted().map { BotView(state.bots[$0]!) }
        requests = state.requestBook.order.suffix(recent).compactMap { id in
            state.requestBook.requests[id].map { RequestView($0, signing: state.signing[id], in: state) }
        }
        operations = state.operations.values.sorted { ($0.proposedAt, $0.id) < ($1.proposedAt, $1.id) }.map(OperationView.init)
        refusals = state.refusals.suffix(recent).map(RefusalView.init)
        vaults = state.vaults.keys.sorted().map { VaultView(state.vaults[$0]!) }
        vaultsAwaitingReshare = state.vaultsAwaitingReshare
        accessReview = state.accessReview.map(AccessReviewView.init)
        assets = state.assets.keys.sorted().map { AssetView(state.assets[$0]!) }
        cancellations = state.transactions.cancellations.suffix(recent).compactMap { id in
            state.transactions[id].map { CancellationView($0, in: state) }
        }
    }
}

public struct UserView: Codable, Sendable, Equatable {
    public struct Credential: Codable, Sendable, Equatable {
        /// base64url, as WebAuthn spells credential ids.
        public var id: String
        public var signCount: UInt32
        public var userVerified: Bool
        /// A development software credential; a production cluster refuses these.
        public var software: Bool
        /// The attestation format verified at registration, whether a certificate vouched for
        /// the authenticator, and whether its chain reached one of the cluster's attestation
        /// roots (what a `hardware_credential` onboarding step needs unless it accepts an
        /// unanchored chain).
        public var attestation: String?
        public var attestationCertified: Bool?
        public var attestationAnchored: Bool?
    }

    public var id: String
    public var roles: [String]
    public var active: Bool
    public var credentials: [Credential]
    /// Roles granted until a block time (milliseconds), by role; the others do not expire.
    public var roleExpiry: [String: UInt64]
    /// Recorded onboarding attestations: when each was recorded (block time, ms), by step.
    public var onboardingSteps: [String: UInt64]?
    /// The enforced onboarding steps not completed yet; while any is, none of the roles counts.
    public var missingOnboarding: [String]?

    public init(_ user: GovernedUser, in state: ReplicatedState) {
        id = user.id
        roles = user.roles
        roleExpiry = user.roleExpiry
        onboardingSteps = user.onboardingSteps
        missingOnboarding = state.onboardingGap(of: user.id)?.missing ?? []
        active = user.active
        credentials = user.credentials.map {
            Credential(id: Base64URL.encode($0.credentialId), signCount: $0.signCount, userVerified: $0.userVerified,
                       software: $0.isSoftware, attestation: $0.attestationFormat, attestationCertified: $0.attestationCertified,
                       attestationAnchored: $0.attestationAnchored)
        }
    }
}

/// An operation with its lifecycle, and its exact content for approvers to check.
public struct OperationView: Codable, Sendable, Equatable {
    public var id: String
    public var proposer: String
    /// The policy's name for the action (`add_user`, `change_policy`, …).
    public var action: String
    /// What it does, in plain language.
    public var summary: String
    public var status: String
    /// Block times, milliseconds since the Unix epoch.
    public var proposedAt: UInt64
    public var expiresAt: UInt64
    public var decidedAt: UInt64?
    /// When an approved, time-locked operation executes unless a security officer cancels it first.
    public var executesAt: UInt64?
    public var approvals: [String]
    /// People whose rejections every node accepted, in order: only people eligible to approve
    /// may reject, and the operation stays open while the others can still approve it.
    public var rejections: [String]
    /// The rejection that ended it: the proposer's withdrawal, or the one after which its
    /// requirement could no longer be met.
    public var rejectedBy: String?
    public var failure: String?
    /// SHA-256 of the canonical proposal, hex: what approvers' challenges are derived from.
    public var digest: String
    /// The canonical proposal, base64: a client decodes it and derives the challenge itself
    /// rather than trusting the gateway's summary.
    public var proposal: String

    public init(_ op: PendingOperation) {
        id = op.id
        proposer = op.proposal.proposer
        action = op.proposal.change.operation.action.rawValue
        summary = op.proposal.change.summary
        status = op.status.rawValue
        proposedAt = op.proposedAt
        expiresAt = op.expiresAt
        decidedAt = op.decidedAt
        executesAt = op.executesAt
        approvals = op.approvals
        rejections = op.rejections
        rejectedBy = op.rejectedBy
        failure = op.failure
        digest = op.digest.hexString
        proposal = Data(op.proposal.encoded).base64EncodedString()
    }
}

/// A governance entry every node refused, and why (the same on every node).
public struct RefusalView: Codable, Sendable, Equatable {
    public var blockTime: UInt64
    public var kind: String
    public var operationId: String?
    public var user: String?
    /// The stable code, e.g. `assertionRefused`.
    public var code: String
    /// The WebAuthn check that failed, when an assertion or registration was refused.
    public var webAuthn: String?
    /// The request-signing check that failed, when a signed request was refused.
    public var requestSigning: String?
    public var reason: String

    public init(_ r: ReplicatedState.Refusal) {
        blockTime = r.blockTime
        kind = r.kind
        operationId = r.operationId
        user = r.user
        code = r.error.code.description
        webAuthn = r.error.webAuthn?.description
        requestSigning = r.error.requestSigning?.description
        reason = r.error.reason
    }
}

extension GovernanceChange {
    /// One line of plain language for people deciding on the operation.
    public var summary: String {
        switch self {
        case .addUser(let id, let roles): return "Add the person \(id) with the roles \(roles.joined(separator: ", "))"
        case .removeUser(let id): return "Remove the person \(id); their credentials stop working"
        case .offboardUser(let id, let monitorDays):
            return "Offboard \(id): every credential and role revoked, their open requests and operations withdrawn, the keys of bots they "
                + "administered due for rotation now" + (monitorDays == 0 ? "" : "; transfers to destinations they added or last used watched for \(monitorDays) days")
        case .assignRole(let user, let role): return "Give \(user) the role \(role)"
        case .revokeRole(let user, let role): return "Take the role \(role) from \(user)"
        case .grantRole(let user, let role, let days):
            return "Give \(user) the role \(role) for \(days) day\(days == 1 ? "" : "s"); it lapses on every node when they have passed"
        case .reviewAccess(let confirmed, let revoked, let days):
            return "Access review: re-confirm \(confirmed.isEmpty ? "no grant" : confirmed.joined(separator: ", "))"
                + (days == 0 ? " without expiry" : " for \(days) day\(days == 1 ? "" : "s")")
                + "; revoke \(revoked.isEmpty ? "nothing" : revoked.joined(separator: ", "))"
        case .openAccessReview(let deadlineDays, let confirmed, let days):
            return "Open an access review of every grant, due in \(deadlineDays) day\(deadlineDays == 1 ? "" : "s"): grants not re-confirmed by then lapse; "
                + "re-confirm now \(confirmed.isEmpty ? "none" : confirmed.joined(separator: ", "))" + (days == 0 ? " without expiry" : " for \(days) days")
        case .confirmAccess(let review, let grants, let days):
            return "Re-confirm in access review \(review): \(grants.joined(separator: ", "))" + (days == 0 ? " without expiry" : " for \(days) days")
        case .attestOnboarding(let user, let step):
            return "Record that \(user) completed the onboarding step \(step); once every step the policy enforces is recorded, their roles count"
        case .addCredential(let user, let r):
            return "Register a new credential \(Base64URL.encode(r.credentialId).prefix(16))… for \(user), made by \(r.authenticatorDescription)"
        case .enrolCredential(let user, let codeKey, let validSeconds):
            return "Enrol \(user): within \(validSeconds / 3600 > 0 ? "\(validSeconds / 3600) hour(s)" : "\(validSeconds) seconds") they register one credential themselves with the code whose key begins \(codeKey.hexString.prefix(32)) (check it with them)"
        case .revokeCredential(let user, let id): return "Revoke the credential \(Base64URL.encode(id).prefix(16))… of \(user)"
        case .changePolicy(let yaml, let replaces):
            let version = yaml.split(separator: "\n").first { $0.hasPrefix("version:") }.map { $0.dropFirst(8).trimmingCharacters(in: .whitespaces) }
            return "Adopt a new policy document" + (version.map { " (version \($0))" } ?? "")
                + (replaces.map { " in place of the one with digest \($0.hexString)" } ?? ", naming no policy it replaces (change kind 7, which nodes refuse)")
        case .freeze: return "Freeze: stop all signing until unfrozen"
        case .unfreeze: return "Unfreeze: resume signing"
        case .addMember(let m, _):
            return "Add the signer node \(m.id) with the identity key \(m.publicKeyBytes.hexString) and the transport key \(m.transportKeyBytes.hexString) to the log's voting members; every vault is then reshared to include it and signs nothing until its reshare completes"
        case .removeMember(let id):
            return "Remove the signer node \(id) from the log's voting members (its key can never return); every vault is then reshared without it, so its old shares no longer combine, and signs nothing until its reshare completes"
        case .addBot(let id, let key, let roles, let environment):
            return "Add the \(environment.rawValue) bot \(id) (its requests reach \(environment.rawValue) vaults only) with the roles \(roles.joined(separator: ", ")) and the \(key.algorithm.rawValue) key \(key.rawRepresentation.hexString)"
        case .removeBot(let id): return "Remove the bot \(id); its signed requests are refused from then on"
        case .rotateBotKey(let id, let key):
            return "Replace the key of the bot \(id) with the \(key.algorithm.rawValue) key \(key.rawRepresentation.hexString)"
        case .createVault(let id, let label, let scheme, let environment, let offline):
            guard let offline else {
                return "Create the \(environment.rawValue) vault \(id) (\"\(label)\", \(scheme.rawValue)): the signer nodes generate its key among themselves"
            }
            return "Create the \(environment.rawValue) vault \(id) (\"\(label)\", \(scheme.rawValue)) with an offline share: its key is the signer nodes' key "
                + "plus the key of the offline signer with identity key \(offline.identityKey.hexString); nothing signs without that offline signer. "
                + "Its enrolment fingerprint is \(offline.fingerprint): compare it with the one the offline machine showed (custos offline enrol)"
        case .addVaultAddress(let vault, let label, let chain, let path):
            return "Record the \(chain.rawValue) address \"\(label)\" of the vault \(vault) at \(VaultAddress.pathDescription(path)), derived by every node from the vault key"
        case .refreshVault(let id):
            return "Refresh the key shares of the vault \(id): every share changes, the key and its addresses do not, pooled presignatures and nonces are dropped"
        case .readmitSigner(let vault, let node):
            return "Readmit the signer node \(node) to the signer sets of the vault \(vault), from which a blame excluded it"
        case .registerAsset(let asset):
            return "Register \(asset.symbol) on \(asset.chain) (chain id \(asset.chainId)): " + (asset.contract.map { "the token contract \($0)" } ?? "the native asset")
                + " with \(asset.decimals) decimals"
        case .removeAsset(let chain, let symbol):
            return "Remove \(symbol) on \(chain) from the registered assets"
        case .cancelNonce(let vault, let chain, let address, let nonce):
            return "Cancel nonce \(nonce) of \(address) (vault \(vault)) on \(chain): the transaction holding it, which may have been signed, is replaced by a zero-value transfer to the same address at that nonce, so at most one of the two is mined"
        case .cancelAddressBookEntry(let entry):
            return "Cancel the address book entry \(entry) during its cooling-off: nothing goes to its address until the quorum waives it"
        case .waiveCoolingOff(let entry, let chain, let address, let standing, let lifts):
            return "Waive the cooling-off of the address book entry \(entry), \(address) on \(chain) as operation \(standing) put it"
                + (lifts.isEmpty ? ", not cancelled" : ", lifting the cancellation by operation \(lifts)") + ": transfers to it are possible at once"
                + " (refused if the entry or its cancellation has changed since)"
        case .clearWatchFlag(let chain, let target):
            let words = WatchClearance.words(of: target) ?? "\"\(target.printable(limit: 80))\" (not a clearance: the change is refused)"
            return "Clear on \(chain) \(words)"
        }
    }
}

extension ClusterConfiguration {
    /// The governed state at genesis: the genesis document this configuration carries, checked
    /// in full (admins' registrations, policy, lockout). A cluster without one cannot start.
    public func genesisState() throws -> ReplicatedState {
        guard !genesisDocument.isEmpty else {
            throw ClusterAPIError(.invalidClusterFile, "the cluster file has no genesis document; create the cluster with `custos cluster init`")
        }
        let document: GenesisDocument
        do { document = try GenesisDocument(encoded: genesisDocument) } catch {
            throw ClusterAPIError(.invalidClusterFile, "the genesis document does not decode: \(error.reason)")
        }
        do { return try ReplicatedState(genesis: document, members: members) } catch {
            throw ClusterAPIError(.invalidClusterFile, "the genesis document is refused: \(error.reason)")
        }
    }

    /// Whether the genesis document declares a production cluster (where test-only fault
    /// injection is refused). False when it has none or it does not decode: such a cluster
    /// cannot start anyway.
    public var isProduction: Bool {
        (try? GenesisDocument(encoded: genesisDocument))?.mode == .production
    }
}

/// `GET /v1/cluster`.
public struct ClusterView: Codable, Sendable, Equatable {
    public typealias Member = ClusterFile.MemberKey

    public var name: String
    public var n: Int
    public var f: Int
    public var quorum: Int
    public var members: [Member]
    public var genesisDigest: String
    /// SHA-256 of the genesis document the governed state started from, hex: the cluster digest
    /// a request's approval challenge binds (`RequestDecisionEntry.challenge`).
    public var genesisDocumentDigest: String
    public var committedHeight: UInt64
    public var stateDigest: String
    public var frozen: Bool
    /// What froze signing when an alert did (`alerts.freeze_on`); absent otherwise.
    public var frozenBy: AutomaticFreezeView?
    public var policyVersion: Int

    public init(name: String, n: Int, f: Int, quorum: Int, members: [Member], genesisDigest: String, genesisDocumentDigest: String,
                committedHeight: UInt64, stateDigest: String, frozen: Bool, frozenBy: AutomaticFreezeView? = nil, policyVersion: Int) {
        self.name = name
        self.n = n
        self.f = f
        self.quorum = quorum
        self.members = members
        self.genesisDigest = genesisDigest
        self.genesisDocumentDigest = genesisDocumentDigest
        self.committedHeight = committedHeight
        self.stateDigest = stateDigest
        self.frozen = frozen
        self.frozenBy = frozenBy
        self.policyVersion = policyVersion
    }
}

/// `GET /v1/roles`: each role held by someone active, and who.
public struct RoleView: Codable, Sendable, Equatable {
    public var role: String
    public var users: [String]
    public init(role: String, users: [String]) {
        self.role = role
        self.users = users
    }
}

/// `GET /v1/policies/current`.
public struct PolicyView: Codable, Sendable, Equatable {
    public var name: String
    public var version: Int
    public var frozen: Bool
    public var yaml: String
    public init(name: String, version: Int, frozen: Bool, yaml: String) {
        self.name = name
        self.version = version
        self.frozen = frozen
        self.yaml = yaml
    }
}

/// `GET /v1/address-books`: the policy's address book, each entry with its cooling-off.
public struct AddressBookEntryView: Codable, Sendable, Equatable {
    /// An entry's cooling-off (`ReplicatedState.addressBookStandings`); block times in ms.
    public struct CoolingOff: Codable, Sendable, Equatable {
        /// The policy change that added or changed the entry to what it is.
        public var operation: String
        public var since: UInt64
        public var usableFrom: UInt64
        public var cancelled: Decision?
        public var waived: Decision?
    }

    /// Who cancelled or waived a cooling-off, by which operation, when (block time, ms).
    public struct Decision: Codable, Sendable, Equatable {
        public var user: String
        public var operation: String
        public var at: UInt64
    }

    public var name: String
    public var chain: String
    public var address: String
    public var counterparty: String?
    public var tags: [String]
    /// Whether transfers and calls may go to it at the state's block time: not cooling off, not
    /// cancelled.
    public var usable: Bool
    /// Nil for an entry of the genesis policy (usable at once).
    public var coolingOff: CoolingOff?

    public init(name: String, chain: String, address: String, counterparty: String?, tags: [String], usable: Bool = true,
                coolingOff: CoolingOff? = nil) {
        self.name = name
        self.chain = chain
        self.address = address
        self.counterparty = counterparty
        self.tags = tags
        self.usable = usable
        self.coolingOff = coolingOff
    }

    /// Every entry of the policy in force in `state`, in document order, with its cooling-off.
    public static func addressBook(of state: ReplicatedState) -> [AddressBookEntryView] {
        state.policy.document.addressBook.map { entry in
            let standing = state.addressBookStandings[entry.name]
            func decision(_ d: AddressBookStanding.Decision?) -> Decision? { d.map { Decision(user: $0.user, operation: $0.operationId, at: $0.at) } }
            return AddressBookEntryView(
                name: entry.name, chain: entry.chain.value, address: entry.address, counterparty: entry.counterparty, tags: entry.tags.map(\.value),
                usable: standing?.hold?.refuses(at: Int64(state.time / 1000)) != true,
                coolingOff: standing.map {
                    CoolingOff(operation: $0.operationId, since: $0.since, usableFrom: $0.usableFrom, cancelled: decision($0.cancelled),
                               waived: decision($0.waived))
                })
        }
    }
}

/// `GET /v1/operations/{id}`: the operation and every refusal recorded against it.
public struct OperationDetail: Codable, Sendable, Equatable {
    public var operation: OperationView
    public var refusals: [RefusalView]
    public init(operation: OperationView, refusals: [RefusalView]) {
        self.operation = operation
        self.refusals = refusals
    }
}

/// `GET /v1/blocks`: a committed block in brief.
public struct BlockSummary: Codable, Sendable, Equatable {
    public struct EntrySummary: Codable, Sendable, Equatable {
        public var kind: String
        public var payloadBytes: Int
    }

    public var height: UInt64
    public var hash: String
    public var previousHash: String
    /// Milliseconds since the Unix epoch.
    public var timestamp: UInt64
    public var voters: [String]
    public var entries: [EntrySummary]

    public init(_ certified: CertifiedBlock) {
        height = certified.block.height
        hash = certified.block.hash.hex
        previousHash = certified.block.previousHash.hex
        timestamp = certified.block.timestamp
        voters = certified.certificate.voters.map(\.rawValue)
        entries = certified.block.entries.map { EntrySummary(kind: $0.kind, payloadBytes: $0.payload.count) }
    }
}

/// Events a signer node counts from its start (Prometheus counters).
public struct NodeCounters: Codable, Sendable, Equatable {
    public var blocksCommitted = 0
    public var votesRecorded = 0
    public var proposalsRefused = 0
    /// Governance entries committed but refused by the rules (recorded with their reason).
    public var entriesRefused = 0
    public var equivocationAlerts = 0
    /// Rounds this node gave up (round changes signed).
    public var roundsAbandoned = 0
    public init() {}
}

/// A signer node's `GET /health` on its loopback monitor port.
public struct NodeHealth: Codable, Sendable, Equatable {
    /// Why a node signs nothing until someone acts (see `SigningHaltRecord`).
    public struct Halt: Codable, Sendable, Equatable {
        /// `gateway-equivocation`.
        public var cause: String
        /// The node's committed height when it halted.
        public var height: UInt64
        public var reason: String

        public init(cause: String, height: UInt64, reason: String) {
            self.cause = cause
            self.height = height
            self.reason = reason
        }
    }

    /// `ok`, or `signing-halted` while any halt is on record (the node still votes).
    public var status = "ok"
    public var node: String
    public var committedHeight: UInt64
    /// Whether this node is among the voting members at the next height.
    public var voter: Bool
    public var members: [String]
    public var stateDigest: String
    public var frozen: Bool
    public var counters: NodeCounters
    /// The halts on record: while there is one, the node releases no key material.
    public var signingHalts: [Halt]
    /// Vault and bot keys past their class's rotation period (grace included) at the committed
    /// block time, and those past the grace period too (`KeyInventory`).
    public var keysOverdue: Int
    public var keysPastGrace: Int
    /// Alerts raised in the committed state, by kind (`Alert.Kind`), every kind listed.
    public var alerts: [String: Int]

    public init(node: String, committedHeight: UInt64, voter: Bool, members: [String], stateDigest: String, frozen: Bool,
                counters: NodeCounters, signingHalts: [Halt] = [], keysOverdue: Int = 0, keysPastGrace: Int = 0, alerts: [String: Int] = [:]) {
        status = signingHalts.isEmpty ? "ok" : "signing-halted"
        self.signingHalts = signingHalts
        self.keysOverdue = keysOverdue
        self.keysPastGrace = keysPastGrace
        self.alerts = alerts
        self.node = node
        self.committedHeight = committedHeight
        self.voter = voter
        self.members = members
        self.stateDigest = stateDigest
        self.frozen = frozen
        self.counters = counters
    }

    /// Prometheus text exposition format, version 0.0.4.
    public var prometheusText: String {
        func metric(_ name: String, _ type: String, _ help: String, _ value: some CustomStringConvertible) -> String {
            "# HELP custos_node_\(name) \(help)\n# TYPE custos_node_\(name) \(type)\ncustos_node_\(name) \(value)\n"
        }
        return metric("committed_height", "gauge", "Height of the last committed block.", committedHeight)
            + metric("voter", "gauge", "1 if this node votes at the next height.", voter ? 1 : 0)
            + metric("frozen", "gauge", "1 while signing is frozen.", frozen ? 1 : 0)
            + metric("signing_halted", "gauge", "1 while this node releases no key material until an operator acts.", signingHalts.isEmpty ? 0 : 1)
            + metric("keys_rotation_overdue", "gauge", "Vault and bot keys past their class's rotation period (grace included).", keysOverdue)
            + metric("keys_past_grace", "gauge", "Vault and bot keys past their rotation period and its grace period.", keysPastGrace)
            + metric("blocks_committed_total", "counter", "Blocks committed since start.", counters.blocksCommitted)
            + metric("votes_recorded_total", "counter", "Votes recorded (durably, before sending) since start.", counters.votesRecorded)
            + metric("proposals_refused_total", "counter", "Proposals refused since start.", counters.proposalsRefused)
            + metric("entries_refused_total", "counter", "Committed entries the governance rules refused since start.", counters.entriesRefused)
            + metric("equivocation_alerts_total", "counter", "Times the gateway was caught proposing two blocks at one height.", counters.equivocationAlerts)
            + "# HELP custos_node_alerts_total Alerts raised in the committed state, by kind.\n# TYPE custos_node_alerts_total counter\n"
            + alerts.keys.sorted().map { "custos_node_alerts_total{kind=\"\($0)\"} \(alerts[$0]!)\n" }.joined()
    }
}

/// A bot in the governed registry.
public struct BotView: Codable, Sendable, Equatable {
    public var id: String
    /// `Ed25519` or `ES256`.
    public var algorithm: String
    /// The public key, hex.
    public var publicKey: String
    public var roles: [String]
    /// The only environment whose vaults take its requests.
    public var environment: String
    public var active: Bool

    public init(_ bot: GovernedBot) {
        id = bot.id
        algorithm = bot.key.algorithm.rawValue
        publicKey = bot.key.rawRepresentation.hexString
        roles = bot.roles
        environment = bot.environment.rawValue
        active = bot.active
    }
}

/// A signed request as every node decided it with the policy in force at its block's time.
public struct RequestView: Codable, Sendable, Equatable {
    public struct PendingApproval: Codable, Sendable, Equatable {
        public var rule: String
        public var group: String
        public var count: Int
    }

    public var id: String
    public var initiator: String
    /// `person` or `bot`.
    public var initiatorKind: String
    public var blockTime: UInt64
    /// The height of the block that committed it.
    public var height: UInt64
    /// The initiator's own timestamp and nonce, as signed: with `body` and `initiator` they
    /// give the id back (SHA-256 of the RFC 8785 signing input), so a client checks the content.
    public var timestamp: Int64
    public var nonce: String
    /// The genesis digest of the cluster the request was signed for, hex (part of the signing
    /// input: a node records only requests signed for its own cluster).
    public var cluster: String
    /// The request body as committed, RFC 8785 canonical JSON text.
    public var body: String
    public var policyVersion: Int
    /// `allow`, `require_approval` or `deny`, as the policy engine names outcomes.
    public var outcome: String
    /// The rules that applied, by name.
    public var rules: [String]
    /// What the decision required (for a request held for approvals).
    public var pending: [PendingApproval]
    /// The decision in words: its reason, the rules that applied, what is required.
    public var explanation: [String]
    /// Whether it may be signed: allowed by the policy, or every required approval given.
    public var allowed: Bool
    /// For a request held for approvals: where its approvals stand.
    public var approvals: RequestApprovalsView?
    /// For a request a vault signs: its signing session and, once made, the signature.
    public var signing: SigningView?
    /// For a transfer or contract call: its EVM transaction, and once signed its raw form.
    public var transaction: TransactionView?

    /// `state` is the committed state the request is in: it names the cluster and says which
    /// approvals count now.
    public init(_ r: RecordedRequest, signing: SigningSession? = nil, in state: ReplicatedState) {
        id = r.id
        cluster = state.genesisDigest.hexString
        initiator = r.initiator
        initiatorKind = r.initiatorKind.rawValue
        blockTime = r.blockTime
        height = r.height
        timestamp = r.timestamp
        nonce = r.nonce
        body = String(decoding: r.body, as: UTF8.self)
        policyVersion = r.policyVersion
        outcome = r.decision.outcome.rawValue
        rules = r.decision.applied.map(\.name)
        pending = r.decision.pending.map { PendingApproval(rule: $0.rule, group: $0.group, count: $0.count) }
        explanation = Self.explain(r.decision)
        allowed = r.isAllowed
        approvals = r.approvals.map { RequestApprovalsView(r, $0, in: state) }
        self.signing = signing.map(SigningView.init)
        transaction = state.transactions[r.id].map { TransactionView($0, in: state) }
    }

    /// The recorded decision in words, one line per fact.
    static func explain(_ d: PolicyDecision) -> [String] {
        var lines = [ReplicatedState.describe(d.reason)] + d.warnings.map(\.text)
        for rule in d.applied {
            lines.append("rule \(rule.name) (\(rule.effect.rawValue)) applied" + (rule.failedClosed.map { ", failing closed: \($0)" } ?? ""))
        }
        for skipped in d.skippedAllows { lines.append("rule \(skipped.name) (allow) ignored: \(skipped.problem)") }
        for p in d.pending {
            lines.append("requires \(p.count) approval\(p.count == 1 ? "" : "s") from group \(p.group) (rule \(p.rule)), the initiator excluded")
        }
        if let seconds = d.approvalExpirySeconds { lines.append("expires unless fully approved within \(seconds) s of block time") }
        lines += d.windows.map(\.text)
        lines += d.price?.lines ?? []
        return lines
    }
}
