import CustosCore
import Testing

extension Trait where Self == ExclusiveProcesses {
    /// The suite starts servers (a cluster, PostgreSQL, the EVM chain, a browser): it runs while
    /// no other such suite does.
    public static var exclusiveProcesses: Self { ExclusiveProcesses() }
}

/// Runs a whole suite that starts other processes while no other suite marked with it runs, in
/// the order they asked (FIFO). On two cores, two clusters starting at once starve each other
/// and the test process, and long polls and time limits run out for no fault of the code under
/// test. It holds for the suite as a whole, so a cluster that a suite shares between its tests
/// never runs beside another suite's. Tests of other suites (pure logic) still run beside it.
/// A suite's time limits count only its own tests' time: waiting for its turn is not counted.
public struct ExclusiveProcesses: SuiteTrait, TestScoping {
    /// One turn at a time for the whole test process, handed over in the order asked.
    private static let turns = AsyncSerialQueue()

    public var isRecursive: Bool { false }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? self : nil
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        await Self.turns.enter()
        do {
            try await function()
        } catch {
            await Self.turns.leave()
            throw error
        }
        await Self.turns.leave()
    }
}
