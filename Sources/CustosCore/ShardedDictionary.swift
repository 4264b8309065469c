/// A dictionary kept in `shardCount` smaller ones, chosen by the key's hash. It has value
/// semantics like `Dictionary`, but a copy that then changes a few keys copies only the shards
/// holding them, not every element: the replicated state is copied for each block a node checks,
/// and its rooms that grow with traffic (signing sessions, requests, nonces) must not cost a full
/// copy per block. Iteration order is unspecified, as a `Dictionary`'s is.
public struct ShardedDictionary<Key: Hashable, Value> {
    /// Enough that a shard of a room of 100,000 elements holds about a hundred.
    public static var shardCount: Int { 1024 }

    private var shards: [[Key: Value]]
    public private(set) var count = 0

    public init() { shards = Array(repeating: [:], count: Self.shardCount) }

    private static func shard(of key: Key) -> Int { key.hashValue & (shardCount - 1) }

    public subscript(key: Key) -> Value? {
        get { shards[Self.shard(of: key)][key] }
        set {
            let i = Self.shard(of: key)
            let before = shards[i].count
            shards[i][key] = newValue
            count += shards[i].count - before
        }
    }

    public var isEmpty: Bool { count == 0 }

    public var keys: some Sequence<Key> { shards.lazy.flatMap(\.keys) }
    public var values: some Sequence<Value> { shards.lazy.flatMap(\.values) }

    /// The elements for which `isIncluded` holds.
    public func filter(_ isIncluded: (Key, Value) throws -> Bool) rethrows -> ShardedDictionary {
        var kept = self
        for i in kept.shards.indices {
            let before = kept.shards[i].count
            kept.shards[i] = try kept.shards[i].filter { try isIncluded($0.key, $0.value) }
            kept.count -= before - kept.shards[i].count
        }
        return kept
    }
}

extension ShardedDictionary: Sequence {
    public func makeIterator() -> FlattenSequence<[[Key: Value]]>.Iterator { shards.joined().makeIterator() }
}

extension ShardedDictionary: Sendable where Key: Sendable, Value: Sendable {}

extension ShardedDictionary: Equatable where Value: Equatable {
    public static func == (a: Self, b: Self) -> Bool {
        a.count == b.count && a.allSatisfy { b[$0.key] == $0.value }
    }
}

extension ShardedDictionary: Hashable where Value: Hashable {
    /// Order-independent, as equality is.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        var combined = 0
        for (key, value) in self {
            var h = Hasher()
            h.combine(key)
            h.combine(value)
            combined ^= h.finalize()
        }
        hasher.combine(combined)
    }
}

extension ShardedDictionary: Codable where Key: Codable, Value: Codable {
    /// Encoded as the `Dictionary` it holds.
    public func encode(to encoder: any Encoder) throws {
        var all: [Key: Value] = [:]
        for (key, value) in self { all[key] = value }
        try all.encode(to: encoder)
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        for (key, value) in try [Key: Value](from: decoder) { self[key] = value }
    }
}
