import CustosCore

/// The transactions room of the replicated state: the planned EVM transaction of every recorded
/// transfer or contract call request (and of every governed nonce cancellation), by request id;
/// for every vault address on every chain, the next nonce never handed out, the nonces handed
/// out and given back (free, taken lowest first before the next nonce), and which plan holds
/// each nonce handed to signers. Every write is folded into a `WriteJournal` that the state
/// digest takes in place of the plans; the nonces enter the digest through it too.
///
/// A nonce is handed to at most one plan at a time: it leaves the free set or moves the next
/// nonce on when a plan's parameters are accepted, and it is reserved to that plan until the
/// plan's signing failed before any signer set formed (then it is free again) or a governed
/// cancellation hands it to a zero-value transaction (`reserve(_:for:)`). A governed
/// cancellation may also take a free nonce, so that the nonces after it are not stuck.
public struct TransactionBook: Sendable, Hashable, Codable {
    private var plans = ShardedDictionary<String, PlannedTransaction>()
    /// The next nonce of each sender, by `nonceKey(chainId:address:)`; absent means 0.
    public private(set) var nextNonces: [String: UInt64] = [:]
    /// The free nonces of each sender below its next nonce, ascending, by `nonceKey(chainId:address:)`.
    public private(set) var freeNonces: [String: [UInt64]] = [:]
    /// The plan each handed-out nonce is reserved to, by `reservationKey(chainId:address:nonce:)`.
    public private(set) var reservations: [String: String] = [:]
    /// Ids of the plans awaiting their first parameters with a deadline for them.
    private var awaitingIDs: Set<String> = []
    /// Ids of the signed plans without a receipt.
    private var unreceiptedIDs: Set<String> = []
    /// Ids of the plans with a recorded receipt that the members' checks have not settled yet
    /// (no `receiptVerdict`): what a node's `ReceiptChecker` looks at, instead of every plan.
    private var unsettledIDs: Set<String> = []
    /// Ids of the mined deployments whose receipt the members confirmed and whose readings have
    /// not settled yet: what a node's `ReceiptChecker` reads the contract of.
    private var unverifiedDeploymentIDs: Set<String> = []
    /// How many times a plan joined `unreceiptedIDs` (was signed, or signed again): a change
    /// tells `ReplicatedState.raiseOverdueReceipts` to look again.
    private(set) var signings = 0
    /// Ids of the plans of governed nonce cancellations, in the order they were made.
    public private(set) var cancellations: [String] = []
    /// The hash of every transaction the log signed (each plan's `signedHashes`), never removed:
    /// how every node tells a vault's transaction it signed from one it did not
    /// (`unsigned-vault-transaction`). It follows from the plans, so the journal covers it.
    public private(set) var signedHashes: Set<[UInt8]> = []
    /// Every write to a plan or a nonce, in order.
    private(set) var journal = WriteJournal(room: "transactions")

    public init() {}

    /// The plan of `request`; setting one records the write in the journal.
    public internal(set) subscript(request: String) -> PlannedTransaction? {
        get { plans[request] }
        set {
            if newValue?.isCancellation == true, plans[request] == nil { cancellations.append(request) }
            plans[request] = newValue
            if let plan = newValue, plan.status == .awaitingParameters, plan.parametersDeadline != nil {
                awaitingIDs.insert(request)
            } else {
                awaitingIDs.remove(request)
            }
            if let plan = newValue, plan.status == .signed, plan.receipt == nil {
                if unreceiptedIDs.insert(request).inserted { signings += 1 }
            } else {
                unreceiptedIDs.remove(request)
            }
            if let plan = newValue, plan.receipt != nil, plan.receiptVerdict == nil {
                unsettledIDs.insert(request)
            } else {
                unsettledIDs.remove(request)
            }
            if let plan = newValue, plan.deployment != nil, plan.status == .mined, plan.receiptVerdict == .confirmed, plan.deploymentVerdict == nil {
                unverifiedDeploymentIDs.insert(request)
            } else {
                unverifiedDeploymentIDs.remove(request)
            }
            if let plan = newValue, plan.rawTransaction != nil { signedHashes.formUnion(plan.signedHashes) }
            journal.record { w in
                w.append(string: request)
                w.append(newValue != nil)
                if let newValue { w.append(newValue) }
            }
        }
    }

    /// The plans awaiting their first parameters under a deadline, by request id.
    public var awaiting: [PlannedTransaction] { awaitingIDs.sorted().map { plans[$0]! } }

    /// The signed plans without a receipt, by request id.
    public var awaitingReceipt: [PlannedTransaction] { unreceiptedIDs.sorted().map { plans[$0]! } }

    /// The plans with a recorded receipt the members' checks have not settled, by request id.
    public var awaitingReceiptChecks: [PlannedTransaction] { unsettledIDs.sorted().map { plans[$0]! } }

    /// The confirmed deployments the members' readings have not settled, by request id.
    public var awaitingDeploymentChecks: [PlannedTransaction] { unverifiedDeploymentIDs.sorted().map { plans[$0]! } }

    /// The next nonce of `address` (EIP-55) on chain `chainId`: 0 for one that never sent.
    public func nextNonce(chainId: UInt64, address: String) -> UInt64 {
        nextNonces[Self.nonceKey(chainId: chainId, address: address)] ?? 0
    }

    /// The nonce the next new transaction of `address` on `chainId` must take: its lowest free
    /// nonce, else its next nonce.
    public func expectedNonce(chainId: UInt64, address: String) -> UInt64 {
        let key = Self.nonceKey(chainId: chainId, address: address)
        return freeNonces[key]?.first ?? nextNonces[key] ?? 0
    }

    /// The plan `nonce` of `address` on `chainId` is reserved to, if it was handed out and not given back.
    public func reservation(chainId: UInt64, address: String, nonce: UInt64) -> String? {
        reservations[Self.reservationKey(chainId: chainId, address: address, nonce: nonce)]
    }

    /// Hands `nonce` of `address` on `chainId` to plan `request`: it leaves the free set, or
    /// moves the next nonce past it, and is reserved to the plan. The caller checked it is
    /// `expectedNonce(chainId:address:)` or already the plan's.
    mutating func take(_ nonce: UInt64, chainId: UInt64, address: String, for request: String) {
        let key = Self.nonceKey(chainId: chainId, address: address)
        if let free = freeNonces[key], let i = free.firstIndex(of: nonce) {
            var rest = free
            rest.remove(at: i)
            freeNonces[key] = rest.isEmpty ? nil : rest
        } else if nonce >= nextNonces[key] ?? 0 {
            nextNonces[key] = nonce + 1
        }
        reserve(nonce, chainId: chainId, address: address, for: request)
    }

    /// Reserves `nonce` of `address` on `chainId` to plan `request` (a governed cancellation
    /// hands a reserved nonce to its own plan).
    mutating func reserve(_ nonce: UInt64, chainId: UInt64, address: String, for request: String) {
        let key = Self.reservationKey(chainId: chainId, address: address, nonce: nonce)
        reservations[key] = request
        journal.record { w in
            w.append(string: "take")
            w.append(string: key)
            w.append(string: request)
        }
    }

    /// Gives back `nonce` of `address` on `chainId`, which no signer ever saw: its reservation
    /// ends and it joins the free set, to be taken before the next nonce.
    mutating func free(_ nonce: UInt64, chainId: UInt64, address: String) {
        let key = Self.nonceKey(chainId: chainId, address: address)
        reservations[Self.reservationKey(chainId: chainId, address: address, nonce: nonce)] = nil
        var free = freeNonces[key] ?? []
        if !free.contains(nonce) {
            free.insert(nonce, at: free.firstIndex { $0 > nonce } ?? free.endIndex)
        }
        freeNonces[key] = free
        journal.record { w in
            w.append(string: "free")
            w.append(string: key)
            w.append(nonce)
        }
    }

    /// `chainId:address`, the address in lowercase hex.
    public static func nonceKey(chainId: UInt64, address: String) -> String { "\(chainId):\(address.lowercased())" }

    /// `chainId:address:nonce`, the address in lowercase hex.
    public static func reservationKey(chainId: UInt64, address: String, nonce: UInt64) -> String {
        "\(nonceKey(chainId: chainId, address: address)):\(nonce)"
    }

    public var values: some Sequence<PlannedTransaction> { plans.values }
    public var count: Int { plans.count }
}
