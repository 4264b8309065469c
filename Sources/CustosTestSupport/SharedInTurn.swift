/// A value that the tests of one `.exclusiveProcesses` suite share, such as a cluster that
/// several tests use where they do not interfere (a cluster with its vaults costs tens of
/// seconds on two cores). The first test that asks makes it; it is ended when the suite's turn
/// ends, whatever order the tests ran in. A test that fails calls `keepData()`, so that
/// `end` can leave its files for the reader of the failure.
public actor SharedInTurn<Value: Sendable> {
    private let make: @Sendable () async throws -> Value
    private let end: @Sendable (Value, _ keepData: Bool) async -> Void
    private var made: Task<Value, any Error>?
    private var keep = false

    /// `make` builds the value (and cleans up after itself if it fails); `end` stops it.
    public init(make: @escaping @Sendable () async throws -> Value,
                end: @escaping @Sendable (Value, _ keepData: Bool) async -> Void) {
        self.make = make
        self.end = end
    }

    /// The shared value, made on first use in this turn.
    public func value() async throws -> Value {
        guard ExclusiveProcesses.inTurn else {
            throw TestEnvironmentError("SharedInTurn is for the tests of an .exclusiveProcesses suite")
        }
        if let made { return try await made.value }
        let task = Task { try await make() }
        made = task
        await ExclusiveProcesses.atEndOfTurn { await self.finish() }
        return try await task.value
    }

    /// Keeps the value's data when it ends (a test using it failed).
    public func keepData() { keep = true }

    private func finish() async {
        guard let task = made else { return }
        made = nil
        if let value = try? await task.value { await end(value, keep) }
        keep = false
    }
}
