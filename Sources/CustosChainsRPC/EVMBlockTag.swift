import CustosChains
import CustosCore

/// A block selector for state queries.
public enum EVMBlockTag: Sendable, Hashable {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)

    var json: JSONValue {
        switch self {
        case .latest: .string("latest")
        case .pending: .string("pending")
        case .earliest: .string("earliest")
        case .safe: .string("safe")
        case .finalized: .string("finalized")
        case .number(let n): .string("0x" + String(n, radix: 16))
        }
    }
}
