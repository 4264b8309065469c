import Crypto
import CustosCore

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
///
/// Memory and the cost of a block are bounded (review helper-54 M3). A member is its fingerprint
/// and a 4-byte record id, kept in a `ShardedDictionary`, so the copy of the state a node checks
/// a block on copies only the shards the block's members fall in, not the set. The records are
/// at most `recordCap` transactions with their own (32-byte hash, block, watcher, count), kept in
/// the order they are listed in (block, then hash, then watcher), so a listing reads the first
/// few without sorting; beyond the cap each watcher's further members share one summary record.
/// A summary's members leave with its watcher (`reporter:BOT`), one by one, or by `below:N` once
/// N is past its highest block; a clearance by transaction hash reaches only transactions with
/// their own record.
///
/// A member a second watcher reports too (the same counterparty, from its own report of any
/// dust transaction) is corroborated (review helper-64 M2): the member keeps the second
/// watcher's record beside its first, so a clearance that removes the first record (say
/// `reporter:BOT` of a compromised watcher) leaves it, counted in the second; it leaves only when
/// both records go. One corroboration per member keeps the set bounded.
public struct WatchFloodSet: Sendable, Hashable, Codable {
    /// The chain whose counterparties it holds.
    public let chain: String
    /// The most members it holds.
    public let budget: Int
    /// The most transactions with their own record; beyond them, a watcher's members share its
    /// summary record.
    public let recordCap: Int
    /// The running hash of every change, in order; before any, the hash of the tag and chain.
    public private(set) var digest: [UInt8]
    /// The record of each member, by fingerprint, sharded so that a copy changing a few members
    /// copies only their shards.
    private var members = ShardedDictionary<UInt128, UInt32>()
    /// The record of a second watcher's report of a member, by fingerprint (`corroborate`).
    private var corroborations = ShardedDictionary<UInt128, UInt32>()
    /// The fingerprints of the addresses the quorum cleared: never members again.
    private var cleared: Set<UInt128> = []
    /// The records (`WatchFlood`), by the id `members` names them with.
    private var floods: [UInt32: WatchFlood] = [:]
    /// The id of each transaction's own record, by transaction and watcher.
    private var ids: [Origin: UInt32] = [:]
    /// The id of each watcher's summary record, by watcher.
    private var summaryIds: [String: UInt32] = [:]
    /// The ids of the own records, sorted by block, then transaction, then watcher.
    private var order: [UInt32] = []
    private var nextId: UInt32 = 0

    /// A transaction as one watcher reported it.
    private struct Origin: Hashable, Sendable, Codable {
        let transaction: TransactionHash
        let reporter: String
    }

    /// The members a chain's set holds unless a test sets fewer: a million fingerprints with
    /// their 4-byte record ids (some 40 MB with the dictionaries' slack) per chain.
    public static let defaultBudget = 1_000_000
    /// The transactions with their own record unless a test sets fewer.
    public static let defaultRecordCap = 4_096

    public init(chain: String, budget: Int = Self.defaultBudget, recordCap: Int = Self.defaultRecordCap) {
        precondition(budget >= 0, "a flood set's budget is at least 0")
        precondition(recordCap >= 0, "a flood set's record cap is at least 0")
        self.chain = chain
        self.budget = budget
        self.recordCap = recordCap
        digest = Array(SHA256.hash(data: Array("custos.watch.flood-set.v4\n\(chain)".utf8)))
    }

    /// How many counterparties it holds.
    public var count: Int { members.count }

    /// How many members a second watcher corroborated.
    public var corroboratedCount: Int { corroborations.count }

    /// Whether it holds `budget` members (the next new one is left out).
    public var isFull: Bool { members.count >= budget }

    /// How many transactions have their own record (at most `recordCap`).
    public var transactionCount: Int { order.count }

    /// The transactions with their own record and members, sorted by block, then hash, then
    /// watcher.
    public var transactions: [WatchFlood] { transactions(first: order.count) }

    /// The first `n` of `transactions`, without reading the others.
    public func transactions(first n: Int) -> [WatchFlood] { order.prefix(max(n, 0)).compactMap { floods[$0] } }

    /// The summary records (members beyond the record cap, one per watcher), sorted by watcher.
    public var summaries: [WatchFlood] { summaryIds.keys.sorted().compactMap { summaryIds[$0].flatMap { floods[$0] } } }

    /// The fingerprint of `key` (`chain/address`, the address normalized): the first 16 bytes,
    /// big-endian, of SHA-256 of a tag and the key.
    public static func fingerprint(_ key: String) -> UInt128 {
        let hash = SHA256.hash(data: Array("custos.watch.flood\n\(key)".utf8))
        return hash.withUnsafeBytes { bytes in bytes.prefix(16).reduce(UInt128(0)) { $0 << 8 | UInt128($1) } }
    }

    /// The record that planted `key` (`chain/address`), if it is a member and not cleared.
    public func flood(of key: String) -> WatchFlood? {
        let fingerprint = Self.fingerprint(key)
        guard !cleared.contains(fingerprint) else { return nil }
        return members[fingerprint].flatMap { floods[$0] }
    }

    /// The record of the second watcher that reported `key`, if it is a corroborated member.
    public func corroboration(of key: String) -> WatchFlood? {
        let fingerprint = Self.fingerprint(key)
        guard !cleared.contains(fingerprint), members[fingerprint] != nil else { return nil }
        return corroborations[fingerprint].flatMap { floods[$0] }
    }

    /// Whether `key` is a member (a cleared one never is).
    public func contains(_ key: String) -> Bool { flood(of: key) != nil }

    /// Whether the quorum cleared `key`, or an address sharing its fingerprint: an insert of it
    /// adds nothing.
    public func isCleared(_ key: String) -> Bool { cleared.contains(Self.fingerprint(key)) }

    /// Adds `key` as a counterparty of `transaction` in chain block `block`, reported by watcher
    /// `reporter`: true when it is a member afterwards (added now or before), false when it is
    /// not, because the budget is spent or its fingerprint is a cleared address's (`isCleared`,
    /// which callers ask first). It is counted in the transaction's own record for `reporter`,
    /// or, when `recordCap` transactions have one and this one does not, in `reporter`'s summary.
    public mutating func insert(_ key: String, transaction: TransactionHash, block: UInt64, reporter: String) -> Bool {
        let fingerprint = Self.fingerprint(key)
        guard !cleared.contains(fingerprint) else { return false }
        if members[fingerprint] != nil { return true }
        guard !isFull else { return false }
        let id = record(of: transaction, block: block, reporter: reporter)
        members[fingerprint] = id
        floods[id]?.members += 1
        fold("add", fingerprint, block: block, transaction: transaction, reporter: reporter)
        return true
    }

    /// Records that watcher `reporter` reported member `key` too, from `transaction` in chain
    /// block `block` (review helper-64 M2), when another watcher's report made it a member and
    /// no second watcher corroborated it yet; else changes nothing. It is counted in
    /// `reporter`'s record of the transaction (or its summary beyond the cap).
    public mutating func corroborate(_ key: String, transaction: TransactionHash, block: UInt64, reporter: String) {
        let fingerprint = Self.fingerprint(key)
        guard !cleared.contains(fingerprint), let first = members[fingerprint], corroborations[fingerprint] == nil,
              let firstReporter = floods[first]?.reporter, firstReporter != reporter else { return }
        let id = record(of: transaction, block: block, reporter: reporter)
        corroborations[fingerprint] = id
        floods[id]?.members += 1
        fold("corroborate", fingerprint, block: block, transaction: transaction, reporter: reporter)
    }

    /// Folds a member's change (`what`: added or corroborated) into `digest`: its fingerprint,
    /// block, transaction and watcher (review helper-54 M1: a clearance by watcher removes what
    /// it planted).
    private mutating func fold(_ what: String, _ fingerprint: UInt128, block: UInt64, transaction: TransactionHash, reporter: String) {
        var change = digest + Array(what.utf8)
        withUnsafeBytes(of: fingerprint.bigEndian) { change += $0 }
        withUnsafeBytes(of: block.bigEndian) { change += $0 }
        change += Array(transaction.hex.utf8)
        withUnsafeBytes(of: UInt32(reporter.utf8.count).bigEndian) { change += $0 }
        change += Array(reporter.utf8)
        digest = Array(SHA256.hash(data: change))
    }

    /// The id of the record a member of `transaction` in `block` from `reporter` is counted in,
    /// made if needed: its own, or beyond the cap `reporter`'s summary (its blocks widened).
    private mutating func record(of transaction: TransactionHash, block: UInt64, reporter: String) -> UInt32 {
        let origin = Origin(transaction: transaction, reporter: reporter)
        if let id = ids[origin] { return id }
        if order.count >= recordCap {
            if let id = summaryIds[reporter], var summary = floods[id] {
                summary.block = min(summary.block, block)
                summary.lastBlock = max(summary.lastBlock, block)
                floods[id] = summary
                return id
            }
            let id = newId()
            summaryIds[reporter] = id
            floods[id] = WatchFlood(transaction: nil, reporter: reporter, block: block, members: 0)
            return id
        }
        let id = newId()
        ids[origin] = id
        let flood = WatchFlood(transaction: transaction, reporter: reporter, block: block, members: 0)
        floods[id] = flood
        // Binary search for the first record listed after it.
        var low = 0, high = order.count
        while low < high {
            let mid = (low + high) / 2
            if let other = floods[order[mid]], Self.listed(other, before: flood) { low = mid + 1 } else { high = mid }
        }
        order.insert(id, at: low)
        return id
    }

    private mutating func newId() -> UInt32 {
        defer { nextId &+= 1 }
        return nextId
    }

    /// The listing order of own records: block, then hash, then watcher.
    private static func listed(_ a: WatchFlood, before b: WatchFlood) -> Bool {
        guard let ta = a.transaction, let tb = b.transaction else { return false }
        return (a.block, ta, a.reporter) < (b.block, tb, b.reporter)
    }

    /// Clears `key` for good (the quorum's `clear-watch-flag` of an address): removes it if it
    /// is a member, and no address of its fingerprint is read as a member or added again (fourth
    /// review M2: a second ground address must not deny a cleared one). Returns whether it was a
    /// member.
    public mutating func clear(_ key: String) -> Bool {
        let fingerprint = Self.fingerprint(key)
        let wasMember = !cleared.contains(fingerprint) && members[fingerprint] != nil
        cleared.insert(fingerprint)
        if let id = members[fingerprint] {
            members[fingerprint] = nil
            var released = [id: 1]
            if let second = corroborations[fingerprint] {
                corroborations[fingerprint] = nil
                released[second, default: 0] += 1
            }
            release(released, change: "address \(fingerprint)")
        } else {
            digest = Array(SHA256.hash(data: digest + Array("clear \(fingerprint)".utf8)))
        }
        return wasMember
    }

    /// Removes every member planted by a record `matches`, unless a record that does not match
    /// corroborates it (`corroborate`): such a member stays, counted in that record alone.
    /// Returns how many members left the set and how many of those the matching records held
    /// stayed for another watcher's record. It reads every member: only the quorum's clearances
    /// call it.
    public mutating func remove(where matches: (WatchFlood) -> Bool) -> (removed: Int, kept: Int) {
        let gone = Set(floods.filter { matches($0.value) }.keys)
        guard !gone.isEmpty else { return (0, 0) }
        var released: [UInt32: Int] = [:]
        var promoted: [UInt128: UInt32] = [:]
        var ended: [UInt128] = []
        var kept = 0
        for (fingerprint, second) in corroborations {
            guard let first = members[fingerprint] else { continue }
            let firstGoes = gone.contains(first)
            let secondGoes = gone.contains(second)
            guard firstGoes || secondGoes else { continue }
            ended.append(fingerprint)
            if firstGoes && !secondGoes {
                // The second watcher's record now holds it alone.
                promoted[fingerprint] = second
                released[first, default: 0] += 1
                kept += 1
            } else {
                released[second, default: 0] += 1
                if !firstGoes { kept += 1 }
            }
        }
        for fingerprint in ended { corroborations[fingerprint] = nil }
        var removed = 0
        members = members.filter { fingerprint, id in
            guard gone.contains(id), promoted[fingerprint] == nil else { return true }
            released[id, default: 0] += 1
            removed += 1
            return false
        }
        for (fingerprint, id) in promoted { members[fingerprint] = id }
        release(released, change: "floods \(gone.count) removed \(removed) kept \(kept)")
        return (removed, kept)
    }

    /// Counts the members removed from each record, drops records left empty, and folds the
    /// change (what was removed and how many; the room's journal names the clearance) into
    /// `digest`.
    private mutating func release(_ removed: [UInt32: Int], change: String) {
        var emptied: Set<UInt32> = []
        for (id, n) in removed {
            guard var flood = floods[id] else { continue }
            flood.members -= n
            if flood.members > 0 {
                floods[id] = flood
            } else {
                floods[id] = nil
                emptied.insert(id)
                if let transaction = flood.transaction {
                    ids[Origin(transaction: transaction, reporter: flood.reporter)] = nil
                } else {
                    summaryIds[flood.reporter] = nil
                }
            }
        }
        if !emptied.isEmpty { order.removeAll { emptied.contains($0) } }
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
