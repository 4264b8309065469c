/// The one error shape of Custos (after swift-certificates' `CertificateError`): a stable `code`
/// from the domain's code enum, a human `reason`, and the domain's `context` when it has one
/// (read through as if it were the error's own members: `error.culprit`). Two errors are equal,
/// and hash alike, when their codes are, whatever their reasons and contexts say, so tests and
/// callers match codes. `description` is `code: reason`, extended by the context when it has
/// something to add. Each domain names its instance: `typealias LedgerError = CustosError<LedgerErrorCode>`.
@dynamicMemberLookup
public struct CustosError<Domain: ErrorCode>: Error, Hashable, CustomStringConvertible, Sendable {
    /// The domain's code enum, as `LedgerError.Code`.
    public typealias Code = Domain

    public let code: Code
    /// For people: what was refused and why; never secret material.
    public let reason: String
    public let context: Code.Context

    public init(_ code: Code, _ reason: String, context: Code.Context = .init()) {
        self.code = code
        self.reason = reason
        self.context = context
    }

    public subscript<Value>(dynamicMember keyPath: KeyPath<Code.Context, Value>) -> Value {
        context[keyPath: keyPath]
    }

    public var description: String { context.describe("\(code): \(reason)") }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }

    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// An error as its code's stable name, its reason and its context (a state snapshot holds the
/// refusals every node recorded). A code this version does not know does not decode.
extension CustosError: Codable where Code.Context: Codable {
    private enum CodingKeys: String, CodingKey { case code, reason, context }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let name = try c.decode(String.self, forKey: .code)
        guard let code = Code(rawValue: name) else {
            throw DecodingError.dataCorruptedError(forKey: .code, in: c, debugDescription: "unknown error code \(name)")
        }
        self.init(code, try c.decode(String.self, forKey: .reason), context: try c.decode(Code.Context.self, forKey: .context))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.rawValue, forKey: .code)
        try c.encode(reason, forKey: .reason)
        try c.encode(context, forKey: .context)
    }
}
