import CustosCore

/// The signing room of the replicated state: the signing session of every allowed request that a
/// vault signs, by request id, with its signature once made. Sessions still waiting or signing
/// are indexed, so a block walks only those however many signatures came before, and every write
/// is folded into a `WriteJournal` that the state digest takes in place of the sessions.
public struct SigningBook: Sendable, Hashable, Codable {
    private var sessions = ShardedDictionary<String, SigningSession>()
    /// Ids of the sessions waiting or signing.
    private var openIDs: Set<String> = []
    /// Every write to a session, in order.
    private(set) var journal = WriteJournal(room: "signing")

    public init() {}

    /// The session of `request`; setting one records the write in the journal.
    public internal(set) subscript(request: String) -> SigningSession? {
        get { sessions[request] }
        set {
            sessions[request] = newValue
            if let s = newValue, s.status == .waiting || s.status == .signing { openIDs.insert(request) } else { openIDs.remove(request) }
            journal.record { w in
                w.append(string: request)
                w.append(newValue != nil)
                if let newValue { w.append(newValue) }
            }
        }
    }

    /// The sessions waiting or signing, by request id.
    public var open: [SigningSession] { openIDs.sorted().map { sessions[$0]! } }

    public var values: some Sequence<SigningSession> { sessions.values }
    public var count: Int { sessions.count }
    public var isEmpty: Bool { sessions.isEmpty }
}
