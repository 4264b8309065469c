/// What every Custos error offers, whatever its domain (`CustosError` is the one conforming
/// type): a stable `code` that tests and clients match on, and a human `reason`. Two errors are
/// equal when their codes are, whatever the reasons say. Lets code that handles errors of any
/// domain (an HTTP edge, a CLI) read the code without knowing the domain.
public protocol CodedError: Error, Hashable, CustomStringConvertible {
    associatedtype Code: Hashable & CustomStringConvertible
    var code: Code { get }
    var reason: String { get }
}

extension CodedError {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(code): \(reason)" }
}
