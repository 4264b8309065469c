import CustosPolicy

/// How far the exact sum behind a saturated window total is beyond the largest decimal, kept
/// exactly (as `wraps` × `Int128.max` + `rest`) so that releasing or expiring a request takes
/// off exactly what it added: the total never drops below what the requests still counted add
/// up to, and never wraps.
struct WindowExcess: Sendable, Hashable, Codable {
    private(set) var wraps = 0
    /// Always in `0..<Int128.max`.
    private(set) var rest: Int128 = 0

    var isZero: Bool { wraps == 0 && rest == 0 }

    /// Adds `amount`, in `0...Int128.max`.
    mutating func add(_ amount: Int128) {
        if amount >= Int128.max - rest {
            wraps += 1
            rest = amount - (Int128.max - rest)
        } else {
            rest += amount
        }
    }

    /// Whether the excess is at least `amount`.
    func covers(_ amount: Int128) -> Bool { wraps > 0 || rest >= amount }

    /// Takes off `amount`, in `0...Int128.max`, which the excess covers.
    mutating func subtract(_ amount: Int128) {
        if rest >= amount {
            rest -= amount
        } else {
            wraps -= 1
            rest = Int128.max - (amount - rest)
        }
    }
}
