import CustosChains
import CustosCore

/// One EVM log a watcher read on a chain, as the chain gave it: the raw log of a contract or
/// token the policy's `monitoring` section names. The watcher decodes nothing; every node
/// decodes the log itself (`MonitoredEvent.events(of:chain:policy:vaults:)`). As JSON, inside a
/// `WatchReport`'s `logs`:
///
///     {"block": 120, "block_hash": "0x…", "transaction": "0x…", "log_index": 3,
///      "address": "0x…", "topics": ["0x…"], "data": "0x…"}
public struct WatchedLog: Sendable, Hashable {
    public let block: UInt64
    /// `0x` and 64 lowercase hex digits.
    public let blockHash: String
    /// `0x` and 64 lowercase hex digits.
    public let transaction: String
    public let logIndex: UInt64
    /// The emitting contract, `0x` and 40 lowercase hex digits.
    public let address: String
    /// 1 to 4 topics of 32 bytes each.
    public let topics: [[UInt8]]
    /// At most `maximumDataBytes`.
    public let data: [UInt8]

    /// The most data bytes a reported log carries: every event class watched fits in 96.
    public static let maximumDataBytes = 256

    public init(block: UInt64, blockHash: String, transaction: String, logIndex: UInt64, address: String, topics: [[UInt8]], data: [UInt8]) {
        self.block = block
        self.blockHash = blockHash.lowercased()
        self.transaction = transaction.lowercased()
        self.logIndex = logIndex
        self.address = address.lowercased()
        self.topics = topics
        self.data = data
    }

    /// The log as a watcher signs it.
    public var json: JSONValue {
        .object([
            ("block", .integer(Int64(clamping: block))), ("block_hash", .string(blockHash)), ("transaction", .string(transaction)),
            ("log_index", .integer(Int64(clamping: logIndex))), ("address", .string(address)),
            ("topics", .array(topics.map { .string("0x" + $0.hexString) })), ("data", .string("0x" + data.hexString)),
        ])
    }

    /// Reads one log strictly (`invalidRequest`): exactly its members; block and log index of at
    /// least 0; hashes of 64 hex digits; an EVM address; 1 to 4 topics of 32 bytes; at most
    /// `maximumDataBytes` of data.
    init(json: JSONValue, index: Int) throws(GovernanceError) {
        func invalid(_ reason: String) -> GovernanceError { GovernanceError(.invalidRequest, "the watch report's log \(index): \(reason)") }
        guard let members = json.objectValue else { throw invalid("it is a \(json.typeName), not an object") }
        let expected: Set = ["block", "block_hash", "transaction", "log_index", "address", "topics", "data"]
        guard Set(members.map(\.key)) == expected, members.count == expected.count else {
            throw invalid("it has exactly the members block, block_hash, transaction, log_index, address, topics and data")
        }
        guard case .integer(let block)? = json["block"], block >= 0 else { throw invalid("block must be a whole number of at least 0") }
        guard case .integer(let logIndex)? = json["log_index"], logIndex >= 0 else { throw invalid("log_index must be a whole number of at least 0") }
        let blockHash = try Self.hash(json["block_hash"], "block_hash", invalid)
        let transaction = try Self.hash(json["transaction"], "transaction", invalid)
        guard let text = json["address"]?.stringValue, let address = try? EVM.Address(hex: text) else { throw invalid("address must be an EVM address") }
        guard case .array(let items)? = json["topics"], (1...4).contains(items.count) else { throw invalid("topics must be a list of 1 to 4 topics") }
        var topics: [[UInt8]] = []
        for item in items {
            guard let text = item.stringValue, text.utf8.count == 66, text.hasPrefix("0x"), let bytes = try? [UInt8](hex: text.dropFirst(2)) else {
                throw invalid("each topic must be 0x and 64 hex digits")
            }
            topics.append(bytes)
        }
        guard let text = json["data"]?.stringValue, text.hasPrefix("0x"), text.utf8.count <= 2 + 2 * Self.maximumDataBytes,
              let data = try? [UInt8](hex: text.dropFirst(2))
        else { throw invalid("data must be 0x and at most \(Self.maximumDataBytes) bytes in hex") }
        self.init(block: UInt64(block), blockHash: blockHash, transaction: transaction, logIndex: UInt64(logIndex),
                  address: "0x" + address.rawValue.hexString, topics: topics, data: data)
    }

    /// A `0x`-prefixed 32-byte hash member, lowercased.
    static func hash(_ value: JSONValue?, _ name: String, _ invalid: (String) -> GovernanceError) throws(GovernanceError) -> String {
        guard let text = value?.stringValue, text.utf8.count == 66, text.hasPrefix("0x"), (try? [UInt8](hex: text.dropFirst(2))) != nil else {
            throw invalid("\(name) must be 0x and 64 hex digits")
        }
        return text.lowercased()
    }
}
