import CustosCore

/// The alerts room of the replicated state: every alert raised, in order, and which (kind,
/// request) pairs have one, so that each is raised once. Every alert raised is folded into a
/// `WriteJournal` that the state digest takes in place of the list.
public struct AlertBook: Sendable, Hashable {
    public private(set) var all: [Alert] = []
    private var raised: Set<String> = []
    private(set) var journal = WriteJournal(room: "alerts")

    public init() {}

    /// How many alerts of each kind were raised.
    public var counts: [Alert.Kind: Int] {
        Dictionary(grouping: all, by: \.kind).mapValues(\.count)
    }

    /// Whether an alert of `kind` was raised for `request`.
    public func contains(_ kind: Alert.Kind, request: String) -> Bool { raised.contains(Self.key(kind, request)) }

    /// Raises the next alert, unless one of its kind exists for its request.
    mutating func raise(_ kind: Alert.Kind, plan: PlannedTransaction, codes: [ReceiptMismatch.Code], basis: Alert.Basis, height: UInt64, time: UInt64) {
        guard raised.insert(Self.key(kind, plan.requestId)).inserted else { return }
        let alert = Alert(id: UInt64(all.count + 1), kind: kind, requestId: plan.requestId, vault: plan.vault, chain: plan.chain,
                          transactionHash: plan.transactionHash ?? [], codes: codes, basis: basis, height: height, blockTime: time)
        all.append(alert)
        journal.record { w in
            w.append(alert.id)
            w.append(string: alert.kind.rawValue)
            w.append(string: alert.requestId)
            w.append(string: alert.vault)
            w.append(string: alert.chain)
            w.append(lengthPrefixed: alert.transactionHash)
            w.append(strings: alert.codes.map(\.rawValue))
            w.append(string: alert.basis.rawValue)
            w.append(alert.height)
            w.append(alert.blockTime)
        }
    }

    private static func key(_ kind: Alert.Kind, _ request: String) -> String { "\(kind.rawValue)/\(request)" }
}
