import CustosCore

/// One finding about a policy document: an error (the document is refused) or a warning (it is
/// accepted, but a reviewer should look). Equality is on code, severity and location, so tests
/// can match codes without matching wording.
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    /// A stable machine-readable code: an extensible set of named values.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Reading the document.
        public static let tooLarge = Code("too-large")
        public static let yamlSyntax = Code("yaml-syntax")
        public static let yamlFeature = Code("yaml-feature-refused")
        public static let limitExceeded = Code("limit-exceeded")
        public static let duplicateKey = Code("duplicate-key")
        public static let unknownField = Code("unknown-field")
        public static let missingField = Code("missing-field")
        public static let wrongType = Code("wrong-type")
        public static let invalidValue = Code("invalid-value")
        public static let duplicateName = Code("duplicate-name")
        public static let unknownReference = Code("unknown-reference")
        // Expressions.
        public static let expressionSyntax = Code("expression-syntax")
        public static let expressionType = Code("expression-type")
        // Static checks.
        public static let neverFires = Code("never-fires")
        public static let shadowed = Code("shadowed")
        public static let redundant = Code("redundant")
        public static let lockout = Code("lockout")
        public static let unreachableCount = Code("unreachable-count")
        public static let unlimitedAllow = Code("unlimited-allow")
        public static let governanceLockout = Code("governance-lockout")
        public static let transfersOnly = Code("transfers-only")
        public static let undecodableFunction = Code("undecodable-function")
        public static let openTypedData = Code("open-typed-data")
        public static let thinPrices = Code("thin-prices")
        public static let singleWatcher = Code("single-watcher")
        public static let lookalikeEntries = Code("lookalike-entries")
        /// The `roles` section against the rest of the document (`PolicyDocument.roleSectionFindings`).
        public static let unusedRole = Code("unused-role")
        public static let unscopedRole = Code("unscoped-role")
        public static let misspeltRole = Code("misspelt-role")
        /// An onboarding step whose `attested_by` role nobody holds (`PolicyChecker`).
        public static let unheldAttester = Code("unheld-attester")
        /// A role a group, rule or the governance section names that nobody holds (`PolicyChecker`).
        public static let unheldRole = Code("unheld-role")
    }

    public let severity: Severity
    public let code: Code
    public let location: SourceLocation
    public let message: String

    public init(_ severity: Severity, _ code: Code, at location: SourceLocation, _ message: String) {
        self.severity = severity
        self.code = code
        self.location = location
        self.message = message
    }

    public static func error(_ code: Code, at location: SourceLocation, _ message: String) -> Self {
        Self(.error, code, at: location, message)
    }

    public static func warning(_ code: Code, at location: SourceLocation, _ message: String) -> Self {
        Self(.warning, code, at: location, message)
    }

    /// `line:column: severity: message [code]`; prefix it with the file name for `file:line:column`.
    public var description: String { "\(location): \(severity.rawValue): \(message) [\(code)]" }

    /// `file:line:column: severity: message [code]`, the form the CLI prints.
    public func formatted(file: String) -> String { "\(file):\(description)" }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.severity == rhs.severity && lhs.code == rhs.code && lhs.location == rhs.location
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(severity)
        hasher.combine(code)
        hasher.combine(location)
    }
}
