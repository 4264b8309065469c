/// The initiating bot's request-signing key as one evaluation sees it: its class, when it was
/// last set and when rotation is due (seconds, block time), where it stands, and its age in whole
/// days.
struct InitiatorKey: Sendable, Hashable {
    let keyClass: KeyClass
    let rotatedAt: Int64
    let due: Int64
    let graceEnds: Int64
    let status: KeyRotationStatus
    let ageDays: Int64
}
