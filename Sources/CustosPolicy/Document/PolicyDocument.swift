/// A policy as its authors wrote it: the reviewed YAML document, decoded and checked for shape
/// but not yet resolved or compiled. `CompiledPolicy` is what evaluates requests.
public struct PolicyDocument: Sendable, Hashable {
    public var name: String
    /// Increases with every accepted change.
    public var version: Int
    public var description: String
    public var assets: [Asset]
    public var vaults: [Spanned<String>]
    public var principals: [Principal]
    public var groups: [ApproverGroup]
    public var addressBook: [AddressBookEntry]
    public var limits: [WindowLimit]
    public var rules: [Rule]
    public var governance: Governance?
    /// Key classes and rotation periods; the standard ones for a document without the section.
    public var keys = KeyPolicy()
    /// How USD prices are taken from signed price entries; the defaults for a document without
    /// the section.
    public var prices = PricePolicy()
    /// Approval-fatigue limits (`approvals`): none for a document without the section.
    public var approvals = ApprovalPolicy()
    /// When a destination outside the address book resembles an entry (`lookalike`); the
    /// defaults for a document without the section.
    public var lookalike = LookalikePolicy()
    /// Which watched transfers count as dust (`poisoning`); the defaults for a document
    /// without the section.
    public var poisoning = PoisoningPolicy()
    /// The most an EVM transaction may bid for gas on each chain (`fee_limits`); a chain without
    /// one gets no transaction parameters accepted.
    public var feeLimits: [FeeLimit] = []
    /// How long a new or changed address-book entry waits before it is usable (`cooling_off`);
    /// nil: no wait.
    public var coolingOff: CoolingOff? = nil
    /// How long the signers of an attempt or a presigning batch have (`signing`); 30 s for a
    /// document without the section.
    public var signing = SigningTimePolicy()
    /// When a signed transaction's missing receipt raises an alert (`alerts`); 30 minutes on
    /// every chain for a document without the section.
    public var alerts = AlertPolicy()
    /// What watchers report of the chain beyond the vaults' transfers (`monitoring`); nothing
    /// for a document without the section.
    public var monitoring = MonitoringPolicy()
    /// The environments scoped roles act in (`roles`); a role not named acts in every one.
    public var roles: [RoleScope] = []
    /// The steps a person completes before their roles count (`onboarding`); none for a
    /// document without the section.
    public var onboarding: [OnboardingStep] = []

    /// Per-chain bounds on a transaction's parameters: the EIP-1559 fee cap and priority fee
    /// per gas, in gwei, and the gas limit of a transaction with calldata (a plain native
    /// transfer is given exactly 21,000).
    ///
    ///     fee_limits:
    ///       ethereum: {max_fee_per_gas_gwei: 200, max_priority_fee_per_gas_gwei: 5, max_gas_limit: 500000}
    public struct FeeLimit: Sendable, Hashable {
        public var chain: Spanned<String>
        public var maxFeePerGasGwei: FixedDecimal
        public var maxPriorityFeePerGasGwei: FixedDecimal
        public var maxGasLimit: Int
        public var location: SourceLocation

        /// The gas limit of a call when the document does not set one.
        public static let defaultMaxGasLimit = 1_000_000
    }

    /// An asset the policy knows, on the chains where it exists.
    public struct Asset: Sendable, Hashable {
        public var symbol: String
        public var chains: [Spanned<String>]
        public var location: SourceLocation
    }

    /// A person or bot known to the policy, with roles. In a running cluster these come from
    /// the governed user registry; the document's copy is what checks and `explain` use.
    public struct Principal: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable { case person, bot }
        public var id: String
        public var kind: Kind
        public var roles: [Spanned<String>]
        public var location: SourceLocation
        /// A bot's environment (`environment:`); nil for a person, and for a bot that names
        /// none, which is a `DeploymentEnvironment.unnamedBot` bot.
        public var environment: DeploymentEnvironment? = nil
        /// The enforced onboarding steps a person has not completed (never in a written
        /// document: a cluster fills it from its registry); while any is missing, their roles
        /// count nowhere and no rule or group names them into anything.
        public var missingOnboarding: [String] = []
    }

    /// People who may approve: named users and holders of roles. Bots never approve.
    public struct ApproverGroup: Sendable, Hashable {
        public var name: String
        public var users: [Spanned<String>]
        public var roles: [Spanned<String>]
        public var location: SourceLocation
    }

    /// A named destination: one address on one chain, with tags and an optional counterparty.
    public struct AddressBookEntry: Sendable, Hashable, Codable {
        public var name: String
        public var chain: Spanned<String>
        public var address: String
        public var counterparty: String?
        public var tags: [Spanned<String>]
        public var location: SourceLocation
    }

    /// A rolling-window limit: total USD notional and/or count per key over a duration.
    public struct WindowLimit: Sendable, Hashable, Codable {
        public enum Scope: String, Sendable, Hashable, CaseIterable, Codable {
            case destination, counterparty, initiator, vault, global
        }
        public var name: String
        public var per: Scope
        public var windowSeconds: Int
        public var maxUSD: FixedDecimal?
        public var maxCount: Int?
        public var location: SourceLocation
    }

    public struct Rule: Sendable, Hashable {
        public var name: String
        public var description: String
        public var match: Match
        public var when: Spanned<String>?
        public var outcome: Outcome
        public var location: SourceLocation
        /// For a require rule: how long, in seconds of block time, a request it holds may wait
        /// for its approvals before it expires (`expires: 4h`); nil means
        /// `PolicyDecision.defaultApprovalExpirySeconds`.
        public var approvalExpirySeconds: Int? = nil
    }

    public enum Outcome: Sendable, Hashable {
        case allow
        case deny
        case require(Requirement)

        /// Deny beats require beats allow.
        public var strength: Int {
            switch self {
            case .allow: return 0
            case .require: return 1
            case .deny: return 2
            }
        }
    }

    /// Approvals needed: a count from one group, or all/any of several requirements.
    public indirect enum Requirement: Sendable, Hashable {
        case group(Spanned<String>, count: Int)
        case all([Requirement])
        case any([Requirement])
    }

    /// The structured conditions of a rule; every present field must hold.
    public struct Match: Sendable, Hashable {
        public var kinds: [Spanned<String>]?
        public var initiatorUsers: [Spanned<String>]?
        public var initiatorRoles: [Spanned<String>]?
        public var initiatorKind: Principal.Kind?
        public var vaults: [Spanned<String>]?
        public var chains: [Spanned<String>]?
        public var assets: [Spanned<String>]?
        public var destination: DestinationMatch?
        public var amount: AmountRange?
        public var amountUSD: AmountRange?
        public var fee: AmountRange?
        public var call: CallMatch?
        public var message: MessageMatch?
        public var during: TimeWindow?
        public var outside: TimeWindow?
        public var within: [Spanned<String>]
        public var exceeds: [Spanned<String>]
        public var operations: [Spanned<String>]?

        public static let any = Match(within: [], exceeds: [])

        public init(within: [Spanned<String>], exceeds: [Spanned<String>]) {
            self.within = within
            self.exceeds = exceeds
        }
    }

    /// Destinations as a union of address-book entries, tags and counterparties, optionally
    /// restricted to known (in the address book) or unknown destinations.
    public struct DestinationMatch: Sendable, Hashable {
        public var entries: [Spanned<String>]
        public var tags: [Spanned<String>]
        public var counterparties: [Spanned<String>]
        public var known: Bool?
        public var location: SourceLocation

        /// Whether only `known` is given (no entry, tag or counterparty list).
        public var isOnlyKnownness: Bool { entries.isEmpty && tags.isEmpty && counterparties.isEmpty }
    }

    /// Bounds on an amount: `over` (>), `at_least` (≥), `up_to` (≤), `under` (<).
    public struct AmountRange: Sendable, Hashable {
        public var over: FixedDecimal?
        public var atLeast: FixedDecimal?
        public var upTo: FixedDecimal?
        public var under: FixedDecimal?
        public var location: SourceLocation
    }

    public struct CallMatch: Sendable, Hashable {
        /// Address-book entry names or raw addresses of the contracts called.
        public var targets: [Spanned<String>]?
        public var functions: [Spanned<String>]?
        public var location: SourceLocation
    }

    /// Messages by format and, for EIP-712, by domain members and primary type; every present
    /// list must contain the message's value (a message without that member does not match).
    /// Domain chain ids compare as decimal numbers, verifying contracts case-insensitively.
    public struct MessageMatch: Sendable, Hashable {
        public var formats: [Spanned<String>]?
        public var domainNames: [Spanned<String>]?
        public var domainVersions: [Spanned<String>]?
        public var chainIds: [Spanned<String>]?
        public var verifyingContracts: [Spanned<String>]?
        public var primaryTypes: [Spanned<String>]?
        public var location: SourceLocation
    }

    /// Days and hours in a fixed UTC offset, e.g. Monday–Friday 08:00–18:00 at +01:00.
    public struct TimeWindow: Sendable, Hashable {
        /// Offset from UTC in seconds.
        public var offsetSeconds: Int
        public var zone: String
        /// Weekday numbers, 0 = Monday … 6 = Sunday.
        public var days: Set<Int>
        /// Minutes after midnight: from (inclusive) to (exclusive).
        public var fromMinute: Int
        public var toMinute: Int
        public var location: SourceLocation
    }

    /// Who may propose and who must approve operations on the organisation.
    public struct Governance: Sendable, Hashable {
        public var proposerUsers: [Spanned<String>]
        public var proposerRoles: [Spanned<String>]
        public var quorum: Requirement
        public var freezeRoles: [Spanned<String>]
        public var overrides: [Spanned<String>: Requirement]
        /// Operations that wait, once approved, this many seconds of block time before they
        /// execute (`timelocks:`), by action name; a security officer (a freeze role) may cancel
        /// one during its wait. A freeze is never time-locked.
        public var timelocks: [Spanned<String>: Int] = [:]
        public var location: SourceLocation

        /// Seconds an approved `action` waits before it executes; nil when it executes at once.
        public func timelock(_ action: GovernanceOperation.Action) -> Int? {
            timelocks.first { $0.key.value == action.rawValue }?.value
        }
    }
}
