/// What an `offboard-user` operation did to one person and what they had just before, kept by
/// every node (`ReplicatedState.offboardings`) for the exit report and the heightened-monitoring
/// window. Bounded: a person holds few roles and credentials, the access row has one cell per
/// column of the access matrix (itself bounded by `ReplicatedState.maximumAccessMatrixCells`),
/// and the lists below are capped. Times are block times in milliseconds since the Unix epoch.
public struct Offboarding: Sendable, Hashable, Codable {
    /// One non-empty cell of the person's row of the access matrix just before the offboarding.
    public struct Capability: Sendable, Hashable, Codable {
        /// The column's key (`approve:change_policy`, `initiate:hot`).
        public let key: String
        /// The column's title for people.
        public let title: String
        /// What they could do there (`approve`, `propose, approve`, `transfer`, …).
        public let cell: String
    }

    public let user: String
    /// The `offboard-user` operation, and the block time and height that executed it.
    public let operationId: String
    public let at: UInt64
    public let height: UInt64
    /// Roles held just before, sorted.
    public let roles: [String]
    /// Credential ids (base64url) held just before, in registration order: all revoked.
    public let credentials: [String]
    /// What they could propose, approve, freeze, initiate or approve just before
    /// (`ReplicatedState.accessMatrix`, their row), in the matrix's column order.
    public let access: [Capability]
    /// Bots whose `add-bot` or `rotate-bot-key` they proposed or approved, sorted.
    public let administeredBots: [String]
    /// The active bots among them whose current key was set by such an operation: due for
    /// rotation at `at` until rotated again (`ReplicatedState.offboardingRotationDue(of:)`).
    public let botsDue: [String]
    /// Their requests still waiting for approvals, withdrawn in their name, then their
    /// transactions approved but still waiting for parameters, ended unsigned: none is signed.
    public let withdrawnRequests: [String]
    /// Their governance operations still open, withdrawn in their name.
    public let withdrawnOperations: [String]
    /// End of the heightened-monitoring window; nil without one.
    public let monitorUntil: UInt64?
    /// The destinations (`PolicyRequest.destinationKey`) they added to the address book or last
    /// sent a request to, sorted, at most `ReplicatedState.maximumMonitoredDestinations`; empty
    /// without a monitoring window.
    public let monitoredDestinations: [String]

    /// Whether the monitoring window is open at block time `time` (ms).
    public func isMonitoring(at time: UInt64) -> Bool { monitorUntil.map { time < $0 } ?? false }
}
