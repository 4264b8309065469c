import CustosCore
import CustosCrypto
import CustosIdentity
import CustosLedger
import CustosPolicy

/// The whole replicated state at one height, encoded so that a node restarts from it instead of
/// replaying its chain from genesis: every room in full (the rooms that grow with traffic too,
/// with the heads of their write journals), and the principals the policy in force was compiled
/// with. What is derived is not in it: the policy document is decoded again from its text and
/// compiled again with those principals, and the digest is computed again.
///
/// A snapshot is tied to the rules that made it: `format`, the state digest's version and the
/// software version. One made by other rules does not decode or is refused (`snapshotRefused`),
/// and the node replays its chain instead (so once after every upgrade); its seal still vouches
/// for its height and block hash (`binding` does not change with the format).
/// Decoding checks nothing of what the rooms hold: the node takes a snapshot only from its own
/// store, bound to the digest it recorded at that height and sealed by its own seal
/// (`NodeChainStore+PersistedState`), and checks that the decoded state has that digest.
public struct PersistedState: Sendable {
    /// The encoding's version; a new one for every change of what a snapshot holds.
    public static let format = "custos.state.persisted.v2"
    /// The tag of `binding`, kept as it was when snapshots were first sealed: a snapshot of an
    /// earlier format still verifies under its seal, so its head anchors the replay.
    static let bindingTag = "custos.state.persisted.v1"

    /// The height and hash of the block the state is after, and its digest.
    public let height: UInt64
    public let blockHash: [UInt8]
    public let stateDigest: [UInt8]
    /// The encoded state (`TaggedBinaryEncoder`: byte strings as bytes).
    public let encoded: [UInt8]

    /// Encodes `state` (after the block at `state.height`).
    public init(_ state: ReplicatedState) throws(PersistedStateError) {
        let body = Body(state)
        do { encoded = try TaggedBinaryEncoder().encode(body) } catch {
            throw PersistedStateError(.snapshotUnencodable, "the state at height \(state.height) does not encode: \(error)")
        }
        height = state.height
        blockHash = state.blockHash
        stateDigest = state.digest
    }

    /// A snapshot as stored: its encoding, with the height, hash and digest it was stored under.
    public init(height: UInt64, blockHash: [UInt8], stateDigest: [UInt8], encoded: [UInt8]) {
        self.height = height
        self.blockHash = blockHash
        self.stateDigest = stateDigest
        self.encoded = encoded
    }

    /// SHA-256 of everything the snapshot says: what a node seals to vouch for it.
    public var binding: [UInt8] {
        var w = CanonicalWriter(tag: Self.bindingTag)
        w.append(height)
        w.append(lengthPrefixed: blockHash)
        w.append(lengthPrefixed: stateDigest)
        w.append(lengthPrefixed: Hashes.sha256(encoded))
        return Hashes.sha256(w.bytes)
    }

    /// The state it holds; refused when it was made by other rules, does not decode, or does
    /// not land on its height, block hash and digest.
    public func state() throws(PersistedStateError) -> ReplicatedState {
        let body: Body
        do { body = try TaggedBinaryDecoder().decode(Body.self, from: encoded) } catch {
            throw PersistedStateError(.snapshotRefused, "the snapshot at height \(height) does not decode: \(error)")
        }
        guard body.format == Self.format, body.digestTag == ReplicatedState.digestTag, body.software == CustosVersion.current else {
            throw PersistedStateError(
                .snapshotRefused,
                "the snapshot at height \(height) was made by other rules (\(body.software), \(body.format), \(body.digestTag)); "
                    + "this is \(CustosVersion.current), reading \(Self.format), \(ReplicatedState.digestTag)")
        }
        let state = try ReplicatedState(restoring: body)
        guard state.height == height, state.blockHash == blockHash else {
            throw PersistedStateError(.snapshotRefused, "the snapshot stored at height \(height) holds the state after height \(state.height)")
        }
        guard state.digest == stateDigest else {
            throw PersistedStateError(.snapshotRefused, "the snapshot at height \(height) does not land on the state digest recorded there")
        }
        return state
    }

    /// Every stored property of `ReplicatedState` but the derived ones (the policy document and
    /// compiled policy, the digest cache, the overdue-receipt hint).
    struct Body: Codable {
        var format = PersistedState.format
        var digestTag = ReplicatedState.digestTag
        /// The software that made it: the rules a state holds are those of the code that applied
        /// its blocks (bounds and budgets from constants outside the digest included), so a node
        /// upgraded in place replays its chain once under the new code instead.
        var software = CustosVersion.current
        var clusterName: String
        var genesisDigest: [UInt8]
        var relyingParty: RelyingParty
        var requireUserVerification: Bool
        var attestationRoots: [[UInt8]]
        var users: [String: GovernedUser]
        var enrolments: [String: CredentialEnrolment]
        var policyYAML: String
        var policyVersion: Int
        /// The principals the policy in force was compiled with (`effectiveDocument`).
        var principals: [PolicyDocument.Principal]
        var frozen: Bool
        var frozenBy: AutomaticFreeze?
        var operations: [String: PendingOperation]
        var refusals: RecentItems<ReplicatedState.Refusal>
        var refusalJournal: WriteJournal
        var members: [Member]
        var retiredMemberKeys: Set<[UInt8]>
        var memberSince: [NodeID: UInt64]
        var bots: [String: GovernedBot]
        var requestBook: RequestBook
        var vaults: [String: Vault]
        var signing: SigningBook
        var windows: WindowsRoom
        var prices: PriceBook
        var watches: [DeploymentEnvironment: WatchBook]
        var monitoring: MonitoringBook
        var assets: [String: RegisteredAsset]
        var transactions: TransactionBook
        var alerts: AlertBook
        var approvalBook: ApprovalBook
        var addressBookStandings: [String: AddressBookStanding]
        var cancelledDestinations: [String: AddressBookStanding.Decision]
        var offboardings: [String: Offboarding]
        var accessReview: AccessReview?
        var coolingDestinations: [String: UInt64]
        var restorations: Set<String>
        var height: UInt64
        var blockHash: [UInt8]
        var time: UInt64

        init(_ s: ReplicatedState) {
            clusterName = s.clusterName
            genesisDigest = s.genesisDigest
            relyingParty = s.relyingParty
            requireUserVerification = s.requireUserVerification
            attestationRoots = s.attestationRoots
            users = s.users
            enrolments = s.enrolments
            policyYAML = s.policyYAML
            policyVersion = s.policyVersion
            principals = s.policy.document.principals
            frozen = s.frozen
            frozenBy = s.frozenBy
            operations = s.operations
            refusals = s.refusals
            refusalJournal = s.refusalJournal
            members = s.members
            retiredMemberKeys = s.retiredMemberKeys
            memberSince = s.memberSince
            bots = s.bots
            requestBook = s.requestBook
            vaults = s.vaults
            signing = s.signing
            windows = s.windows
            prices = s.prices
            watches = s.watches
            monitoring = s.monitoring
            assets = s.assets
            transactions = s.transactions
            alerts = s.alerts
            approvalBook = s.approvalBook
            addressBookStandings = s.addressBookStandings
            cancelledDestinations = s.cancelledDestinations
            offboardings = s.offboardings
            accessReview = s.accessReview
            coolingDestinations = s.coolingDestinations
            restorations = s.restorations
            height = s.height
            blockHash = s.blockHash
            time = s.time
        }
    }
}

extension ReplicatedState {
    /// The state a snapshot's body holds: the policy document decoded from its text, compiled
    /// with the principals it was compiled with when the snapshot was taken.
    init(restoring b: PersistedState.Body) throws(PersistedStateError) {
        let document: PolicyDocument
        do { document = try PolicyDocument.decode(yaml: b.policyYAML) } catch {
            throw PersistedStateError(.snapshotRefused, "the snapshot's policy does not parse: \(error.errors.first?.description ?? "\(error)")")
        }
        var effective = document
        effective.principals = b.principals
        let policy: CompiledPolicy
        do { policy = try CompiledPolicy.compiled(effective) } catch {
            throw PersistedStateError(.snapshotRefused, "the snapshot's policy does not compile: \(error.errors.first?.description ?? "\(error)")")
        }
        clusterName = b.clusterName
        genesisDigest = b.genesisDigest
        relyingParty = b.relyingParty
        requireUserVerification = b.requireUserVerification
        attestationRoots = b.attestationRoots
        users = b.users
        enrolments = b.enrolments
        policyYAML = b.policyYAML
        policyVersion = b.policyVersion
        frozen = b.frozen
        frozenBy = b.frozenBy
        operations = b.operations
        refusals = b.refusals
        refusalJournal = b.refusalJournal
        members = b.members
        retiredMemberKeys = b.retiredMemberKeys
        memberSince = b.memberSince
        bots = b.bots
        requestBook = b.requestBook
        vaults = b.vaults
        signing = b.signing
        windows = b.windows
        prices = b.prices
        watches = b.watches
        monitoring = b.monitoring
        assets = b.assets
        transactions = b.transactions
        alerts = b.alerts
        approvalBook = b.approvalBook
        addressBookStandings = b.addressBookStandings
        cancelledDestinations = b.cancelledDestinations
        offboardings = b.offboardings
        accessReview = b.accessReview
        coolingDestinations = b.coolingDestinations
        restorations = b.restorations
        height = b.height
        blockHash = b.blockHash
        time = b.time
        self.policy = policy
        self.document = document
    }
}
