/// The shape every Custos error domain shares (after swift-certificates' `CertificateError`):
/// a stable, extensible `code` that tests and clients match on, and a human `reason`. Two
/// errors are equal when their codes are, whatever the reasons say.
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
