import Crypto

/// Every dust counterparty on one chain that the watch room's detailed records (first
/// appearances, bounded per transaction and per chain) leave out (third security review H-2):
/// a transaction emitting 17 or 10,000 zero-value `Transfer(vault, x, 0)` events costs its
/// sender about a dollar, so its counterparties must still read as poisoned, not as "unknown"
/// for every address on the chain. Each member is kept as a 16-byte fingerprint of its
/// canonical `chain/address` key (`PolicyRequest.destinationKey`), with the flood transaction
/// that planted it (`WatchFlood`), up to `budget` members; only a report that finds the budget
/// spent leaves counterparties out (the room then marks the chain overflowed).
///
/// A fingerprint is the first 16 bytes of SHA-256 of a tag and the key, so an address outside
/// the set reads as a member with probability about 2⁻¹²⁸ per lookup times the members (about
/// 2⁻¹⁰⁸ with a full set of a million): a false "poisoned" the quorum can clear, never a false
/// "clean". Grinding an address onto a real counterparty's fingerprint (to get it denied) costs
/// about 2¹²⁸/T hashes for T public counterparties, out of reach (fourth review M2; with 8 bytes
/// it was 2⁶⁴/T). An address the quorum cleared (`clear`) is never read as a member, whatever
/// shares its fingerprint, and no later insert adds its fingerprint.
///
/// The set changes only in the transition, in report order, so every node holds the same one;
/// `digest` folds every change into a running hash (SHA-256(previous ‖ change)), which the state
/// digest reads with `count`: a block costs what it added, not what the set holds.
public struct WatchFloodSet: Sendable, Hashable {
    /// The chain whose counterparties it holds.
    public let chain: String
    /// The most members it holds.
    public let budget: Int
    /// The running hash of every change, in order; before any, the hash of the tag and chain.
    public private(set) var digest: [UInt8]
    /// The flood transaction of each member, by fingerprint.
    private var members: [UInt128: UInt32] = [:]
    /// The fingerprints of the addresses the quorum cleared: never members again.
    private var cleared: Set<UInt128> = []
    /// The flood transactions, by the id `members` names them with.
    private var floods: [UInt32: WatchFlood] = [:]
    /// The id of each flood transaction, by hash.
    private var ids: [String: UInt32] = [:]
    private var nextId: UInt32 = 0

    /// The members a chain's set holds unless a test sets fewer: a million 20-byte entries
    /// (some 40 MB with the dictionary's slack) per chain.
    public static let defaultBudget = 1_000_000

    public init(chain: String, budget: Int = Self.defaultBudget) {
        precondition(budget >= 0, "a flood set's budget is at least 0")
        self.chain = chain
        self.budget = budget
        digest = Array(SHA256.hash(data: Array("custos.watch.flood-set.v2\n\(chain)".utf8)))
    }

    /// How many counterparties it holds.
    public var count: Int { members.count }

    /// Whether it holds `budget` members (the next new one is left out).
    public var isFull: Bool { members.count >= budget }

    /// The flood transactions with members, sorted by block, then hash.
    public var transactions: [WatchFlood] {
        floods.values.sorted { ($0.block, $0.transaction) < ($1.block, $1.transaction) }
    }

    /// The fingerprint of `key` (`chain/address`, the address normalized): the first 16 bytes,
    /// big-endian, of SHA-256 of a tag and the key.
    public static func fingerprint(_ key: String) -> UInt128 {
        let hash = SHA256.hash(data: Array("custos.watch.flood\n\(key)".utf8))
        return hash.withUnsafeBytes { bytes in bytes.prefix(16).reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
    }

    /// The flood that planted `key` (`chain/address`), if it is a member and not cleared.
    public func flood(of key: String) -> WatchFlood? {
        let fingerprint = Self.fingerprint(key)
        guard !cleared.contains(fingerprint) else { return nil }
        return members[fingerprint].flatMap { floods[$0] }
    }

    /// Whether `key` is a member (a cleared one never is).
    public func contains(_ key: String) -> Bool { flood(of: key) != nil }

    /// Whether the quorum cleared `key`, or an address sharing its fingerprint: an insert of it
    /// adds nothing.
    public func isCleared(_ key: String) -> Bool { cleared.contains(Self.fingerprint(key)) }

    /// Adds `key` as a counterparty of `transaction` in chain block `block`: true when it is a
    /// member afterwards (added now or before), false when it is not, because the budget is spent
    /// or its fingerprint is a cleared address's (`isCleared`, which callers ask first).
    public mutating func insert(_ key: String, transaction: String, block: UInt64) -> Bool {
        let fingerprint = Self.fingerprint(key)
        guard !cleared.contains(fingerprint) else { return false }
        if members[fingerprint] != nil { return true }
        guard !isFull else { return false }
        let id: UInt32
        if let known = ids[transaction] {
            id = known
        } else {
            id = nextId
            nextId &+= 1
            ids[transaction] = id
            floods[id] = WatchFlood(transaction: transaction, block: block, members: 0)
        }
        members[fingerprint] = id
        floods[id]?.members += 1
        var change = digest + Array("add".utf8)
        withUnsafeBytes(of: fingerprint.bigEndian) { change += $0 }
        withUnsafeBytes(of: block.bigEndian) { change += $0 }
        change += Array(transaction.utf8)
        digest = Array(SHA256.hash(data: change))
        return true
    }

    /// Clears `key` for good (the quorum's `clear-watch-flag` of an address): removes it if it
    /// is a member, and no address of its fingerprint is read as a member or added again (fourth
    /// review M2: a second ground address must not deny a cleared one). Returns whether it was a
    /// member.
    public mutating func clear(_ key: String) -> Bool {
        let fingerprint = Self.fingerprint(key)
        let wasMember = !cleared.contains(fingerprint) && members[fingerprint] != nil
        cleared.insert(fingerprint)
        if let id = members.removeValue(forKey: fingerprint) {
            release([id: 1], change: "address \(fingerprint)")
        } else {
            digest = Array(SHA256.hash(data: digest + Array("clear \(fingerprint)".utf8)))
        }
        return wasMember
    }

    /// Removes every member planted by a flood `matches`; returns how many.
    public mutating func remove(where matches: (WatchFlood) -> Bool) -> Int {
        let gone = Set(floods.filter { matches($0.value) }.keys)
        guard !gone.isEmpty else { return 0 }
        var removed: [UInt32: Int] = [:]
        members = members.filter { member in
            guard gone.contains(member.value) else { return true }
            removed[member.value, default: 0] += 1
            return false
        }
        release(removed, change: "floods \(gone.count)")
        return removed.values.reduce(0, +)
    }

    /// Counts the members removed from each flood, drops floods left empty, and folds the
    /// change (what was removed and how many; the room's journal names the clearance) into
    /// `digest`.
    private mutating func release(_ removed: [UInt32: Int], change: String) {
        for (id, n) in removed {
            guard var flood = floods[id] else { continue }
            flood.members -= n
            if flood.members > 0 {
                floods[id] = flood
            } else {
                floods[id] = nil
                ids[flood.transaction] = nil
            }
        }
        digest = Array(SHA256.hash(data: digest + Array("remove \(change) \(removed.values.reduce(0, +))".utf8)))
    }

    /// Two sets are equal when they hold the chain, budget and count and went through the same
    /// changes (`digest`): comparing a million members is not needed.
    public static func == (a: Self, b: Self) -> Bool {
        a.chain == b.chain && a.budget == b.budget && a.count == b.count && a.digest == b.digest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(chain)
        hasher.combine(digest)
    }
}
