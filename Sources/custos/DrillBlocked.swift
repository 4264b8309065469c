/// Why a drill step could not be done: the error a command printed, or the condition that did
/// not hold on a named node in time. Caught by `DrillContext.perform` and put in the report.
struct DrillBlocked: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
