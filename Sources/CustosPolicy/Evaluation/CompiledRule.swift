import CustosCore

/// One rule in evaluation form: every name resolved to an index, every set a bit set, the
/// condition type-checked. Clauses are tested cheapest first. A class, so that walking the
/// rules during evaluation retains one reference per rule instead of copying every field.
final class CompiledRule: Sendable {
    struct Range: Sendable, Hashable {
        var over: FixedDecimal?
        var atLeast: FixedDecimal?
        var upTo: FixedDecimal?
        var under: FixedDecimal?

        @inline(__always)
        func contains(_ value: FixedDecimal) -> Bool {
            if let over, !(value > over) { return false }
            if let atLeast, !(value >= atLeast) { return false }
            if let upTo, !(value <= upTo) { return false }
            if let under, !(value < under) { return false }
            return true
        }

        /// Whether no value can satisfy the range.
        var isEmpty: Bool {
            let low = over ?? atLeast
            let high = upTo ?? under
            guard let low, let high else { return false }
            if low > high { return true }
            if low == high { return over != nil || under != nil }
            return false
        }
    }

    struct Destination: Sendable {
        var entries: BitSet
        var tags: BitSet
        var counterparties: BitSet
        var hasSets: Bool
        var known: Bool?
    }

    struct Call: Sendable {
        /// Normalized addresses of allowed targets; nil means any.
        var targets: Set<String>?
        var functions: Set<String>?
    }

    /// A message clause: each present set must contain the message's value.
    struct Message: Sendable {
        var formats: Set<PolicyRequest.Message.Format>?
        var domainNames: Set<String>?
        var domainVersions: Set<String>?
        /// Chain ids in canonical decimal.
        var chainIds: Set<String>?
        /// Normalized addresses.
        var verifyingContracts: Set<String>?
        var primaryTypes: Set<String>?

        /// The first member of `message` this clause does not admit, in words, or nil if it
        /// admits the message.
        func mismatch(_ message: PolicyRequest.Message) -> String? {
            if let formats, !formats.contains(message.format) { return "format \(message.format.rawValue) is not one it covers" }
            let domain = message.domain
            let checks: [(Set<String>?, String?, String)] = [
                (domainNames, domain?.name, "domain name"), (domainVersions, domain?.version, "domain version"),
                (chainIds, domain?.chainId, "domain chainId"),
                (verifyingContracts, domain?.verifyingContract.map(AddressNormalization.normalize), "domain verifyingContract"),
                (primaryTypes, message.primaryType, "primary type"),
            ]
            for (set, value, what) in checks {
                guard let set else { continue }
                guard let value else { return "the message has no \(what)" }
                if !set.contains(value) { return "\(what) \(value.printable(limit: 80)) is not one it covers" }
            }
            return nil
        }
    }

    enum Effect: Sendable {
        case allow
        case deny
        case require(ApprovalRequirement)

        var strength: Int {
            switch self {
            case .allow: return 0
            case .require: return 1
            case .deny: return 2
            }
        }
    }

    let name: String
    let index: Int
    let effect: Effect
    let location: SourceLocation
    /// Transfer/contract-call rules never match governance requests and vice versa.
    let governance: Bool
    /// Request kinds (bit 0 transfer, bit 1 contract call, bit 2 message); a rule that names no
    /// kind covers transfers only (1), one with a call clause and no kind contract calls only
    /// (2), one with a message clause messages only (4).
    let kinds: UInt8
    let initiatorUsers: BitSet?
    let initiatorRoles: BitSet?
    let initiatorKind: PolicyDocument.Principal.Kind?
    /// Generated governance rules match initiators *outside* the user/role sets.
    let initiatorNegated: Bool
    let vaults: BitSet?
    let chains: BitSet?
    let assets: BitSet?
    let destination: Destination?
    let amount: Range?
    let amountUSD: Range?
    let fee: Range?
    let call: Call?
    let message: Message?
    let during: PolicyDocument.TimeWindow?
    let outside: PolicyDocument.TimeWindow?
    let within: [Int]
    let exceeds: [Int]
    /// Bit i set for `GovernanceOperation.Action.allCases[i]`; 0 means any.
    let operations: UInt32
    let condition: CompiledExpression?
    let conditionSource: String?

    init(
        name: String,
        index: Int,
        effect: Effect,
        location: SourceLocation,
        governance: Bool,
        kinds: UInt8,
        initiatorUsers: BitSet?,
        initiatorRoles: BitSet?,
        initiatorKind: PolicyDocument.Principal.Kind?,
        initiatorNegated: Bool,
        vaults: BitSet?,
        chains: BitSet?,
        assets: BitSet?,
        destination: Destination?,
        amount: Range?,
        amountUSD: Range?,
        fee: Range?,
        call: Call?,
        message: Message? = nil,
        during: PolicyDocument.TimeWindow?,
        outside: PolicyDocument.TimeWindow?,
        within: [Int],
        exceeds: [Int],
        operations: UInt32,
        condition: CompiledExpression?,
        conditionSource: String?
    ) {
        self.name = name
        self.index = index
        self.effect = effect
        self.location = location
        self.governance = governance
        self.kinds = kinds
        self.initiatorUsers = initiatorUsers
        self.initiatorRoles = initiatorRoles
        self.initiatorKind = initiatorKind
        self.initiatorNegated = initiatorNegated
        self.vaults = vaults
        self.chains = chains
        self.assets = assets
        self.destination = destination
        self.amount = amount
        self.amountUSD = amountUSD
        self.fee = fee
        self.call = call
        self.message = message
        self.during = during
        self.outside = outside
        self.within = within
        self.exceeds = exceeds
        self.operations = operations
        self.condition = condition
        self.conditionSource = conditionSource
    }
}
