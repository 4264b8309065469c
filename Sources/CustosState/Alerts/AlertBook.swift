import CustosCore

/// The alerts room of the replicated state: every alert raised, in order, and which (kind,
/// request) pairs have one, so that each is raised once. Every alert raised, and every later
/// change to one (a member added to a dispute, a receipt confirmed), is folded into a
/// `WriteJournal` that the state digest takes in place of the list.
public struct AlertBook: Sendable, Hashable, Codable {
    public private(set) var all: [Alert] = []
    /// The index in `all` of the alert of each (kind, request) pair.
    private var raised: [String: Int] = [:]
    private(set) var journal = WriteJournal(room: "alerts")

    public init() {}

    /// How many alerts of each kind were raised.
    public var counts: [Alert.Kind: Int] {
        Dictionary(grouping: all, by: \.kind).mapValues(\.count)
    }

    /// Whether an alert of `kind` was raised for `request`.
    public func contains(_ kind: Alert.Kind, request: String) -> Bool { raised[Self.key(kind, request)] != nil }

    /// The alert of `kind` raised for `request`, if any.
    public func alert(_ kind: Alert.Kind, request: String) -> Alert? { raised[Self.key(kind, request)].map { all[$0] } }

    /// Raises the next alert, unless one of its kind exists for its request; its id either way.
    @discardableResult
    mutating func raise(_ kind: Alert.Kind, plan: PlannedTransaction, codes: [ReceiptMismatch.Code], basis: Alert.Basis, members: [String] = [],
                        height: UInt64, time: UInt64) -> UInt64 {
        let key = Self.key(kind, plan.requestId)
        if let index = raised[key] { return all[index].id }
        raised[key] = all.count
        let alert = Alert(id: UInt64(all.count + 1), kind: kind, requestId: plan.requestId, vault: plan.vault, chain: plan.chain,
                          transactionHash: plan.transactionHash ?? [], codes: codes, basis: basis, members: members, height: height, blockTime: time)
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
            w.append(strings: alert.members)
            w.append(alert.height)
            w.append(alert.blockTime)
        }
        return alert.id
    }

    /// Raises the next monitoring alert for `event`, reported by `watchers`, unless one was raised
    /// for it (or, for `monitoring-lagging`, for the lag episode `episode` of its chain); its id either way.
    @discardableResult
    mutating func raise(_ event: MonitoredEvent, watchers: [String], episode: UInt64 = 0, height: UInt64, time: UInt64) -> UInt64 {
        let key = Self.key(event.kind, event.kind == .monitoringLagging ? "\(event.chain)/\(episode)" : event.key)
        if let index = raised[key] { return all[index].id }
        raised[key] = all.count
        let alert = Alert(id: UInt64(all.count + 1), kind: event.kind, requestId: "", vault: "", chain: event.chain,
                          transactionHash: (try? [UInt8](hex: event.transaction.dropFirst(2))) ?? [], codes: [], basis: .watched, members: watchers,
                          event: event, height: height, blockTime: time)
        all.append(alert)
        journal.record { w in
            w.append(alert.id)
            w.append(string: "event")
            event.append(to: &w)
            w.append(strings: watchers)
            w.append(alert.height)
            w.append(alert.blockTime)
        }
        return alert.id
    }

    /// Adds `member` to the members of the alert of `kind` for `request` (a dispute another member joins).
    mutating func add(member: String, to kind: Alert.Kind, request: String) {
        guard let index = raised[Self.key(kind, request)], !all[index].members.contains(member) else { return }
        all[index].members.append(member)
        journal.record { w in
            w.append(string: "member")
            w.append(all[index].id)
            w.append(string: member)
        }
    }

    /// Sets the basis of the alert of `kind` for `request`, if there is one.
    mutating func rebase(_ kind: Alert.Kind, request: String, to basis: Alert.Basis) {
        guard let index = raised[Self.key(kind, request)], all[index].basis != basis else { return }
        all[index].basis = basis
        journal.record { w in
            w.append(string: "basis")
            w.append(all[index].id)
            w.append(string: basis.rawValue)
        }
    }

    private static func key(_ kind: Alert.Kind, _ request: String) -> String { "\(kind.rawValue)/\(request)" }
}
