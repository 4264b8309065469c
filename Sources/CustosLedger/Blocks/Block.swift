import CustosCore

/// A proposed or committed block: height (block 1 follows genesis), the previous block's hash
/// (the genesis digest for block 1), the proposer's timestamp in milliseconds since the Unix
/// epoch, and the entries in log order. Its hash is SHA-256 over its canonical encoding, computed
/// once at construction; a decoded block's hash is recomputed from the bytes, never trusted.
public struct Block: Sendable, Hashable {
    public static let maximumEntries = 10_000
    public static let maximumEncodedBytes = 4 * 1024 * 1024

    public let height: UInt64
    public let previousHash: LedgerHash
    public let timestamp: UInt64
    public let entries: [Entry]
    public let hash: LedgerHash
    /// The canonical encoding the hash is computed over.
    public let serialized: [UInt8]

    /// How many of `entries`, from the front, fit in one block (count and encoded size). A single
    /// entry always fits (its own limits are far below a block's), so a queue never sticks.
    public static func fittingPrefix(of entries: [Entry]) -> Int {
        var size = 2 + 8 + 32 + 8 + 4
        for (i, e) in entries.enumerated() {
            size += e.encodedSize
            if i == maximumEntries || size > maximumEncodedBytes { return i }
        }
        return entries.count
    }

    /// Refuses height 0 (genesis is not a block), more than `maximumEntries` entries, and an
    /// encoding above `maximumEncodedBytes`.
    public init(height: UInt64, previousHash: LedgerHash, timestamp: UInt64, entries: [Entry]) throws(LedgerError) {
        guard entries.count <= Self.maximumEntries else {
            throw LedgerError(.limitExceeded, "\(entries.count) entries in a block, more than \(Self.maximumEntries)")
        }
        let size = 2 + 8 + 32 + 8 + 4 + entries.reduce(0) { $0 + $1.encodedSize }
        guard size <= Self.maximumEncodedBytes else {
            throw LedgerError(.limitExceeded, "a block of \(size) bytes, more than \(Self.maximumEncodedBytes)")
        }
        var w = CanonicalWriter(kind: LedgerWire.Kind.block)
        w.reserve(size)
        w.append(height)
        w.append(previousHash)
        w.append(timestamp)
        w.append(UInt32(entries.count))
        for e in entries { w.append(e) }
        try self.init(height: height, previousHash: previousHash, timestamp: timestamp, entries: entries, serialized: w.bytes)
    }

    private init(height: UInt64, previousHash: LedgerHash, timestamp: UInt64, entries: [Entry], serialized: [UInt8]) throws(LedgerError) {
        guard height >= 1 else { throw LedgerError(.brokenChain, "block heights start at 1") }
        self.height = height
        self.previousHash = previousHash
        self.timestamp = timestamp
        self.entries = entries
        self.serialized = serialized
        self.hash = .digest(domain: "custos.ledger.block.v1", serialized)
    }

    /// Decodes strictly: size limit first, then exact structure, no trailing bytes. Every field
    /// is fixed-width or exactly length-prefixed, so the accepted bytes are the canonical
    /// encoding and are hashed as they are.
    public init(serialized bytes: [UInt8]) throws(LedgerError) {
        guard bytes.count <= Self.maximumEncodedBytes else {
            throw LedgerError(.limitExceeded, "a block of \(bytes.count) bytes, more than \(Self.maximumEncodedBytes)")
        }
        var r = try LedgerReader(bytes, kind: LedgerWire.Kind.block, what: "block")
        let height = try r.uint64("height")
        let previous = try r.hash("previous hash")
        let timestamp = try r.uint64("timestamp")
        let count = try r.count("entry count", max: Self.maximumEntries)
        // Each entry takes at least 10 bytes: refuse a count the remaining bytes cannot hold.
        guard count <= r.remaining / 10 else { throw r.fail("entry count \(count) cannot fit in \(r.remaining) bytes") }
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        for i in 0..<count { entries.append(try r.entry("entry \(i)")) }
        try r.finish()
        try self.init(height: height, previousHash: previous, timestamp: timestamp, entries: entries, serialized: bytes)
    }

    public static func == (a: Block, b: Block) -> Bool { a.hash == b.hash }
    public func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
