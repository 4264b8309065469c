/// Why a condition or figure could not be evaluated. Never escapes evaluation: a rule whose
/// clause fails this way is applied if it denies or requires approvals, and ignored if it
/// allows (fail closed).
struct EvaluationFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
