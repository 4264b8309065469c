import CustosCore
import Foundation
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
/// Each turn's length is written to standard error ("turn: Suite held 212 s"), so a test log
/// shows where the run's time goes: these suites run one after another and add up.
public struct ExclusiveProcesses: SuiteTrait, TestScoping {
    /// One turn at a time for the whole test process, handed over in the order asked.
    private static let turns = AsyncSerialQueue()
    /// What the suite holding the turn asked to be done when it ends (`SharedInTurn`).
    private static let endings = TurnEndings()
    /// Whether the current task runs in a suite's turn.
    @TaskLocal static var inTurn = false

    /// Runs `action` when the current suite's turn ends, after its last test.
    static func atEndOfTurn(_ action: @escaping @Sendable () async -> Void) async {
        await endings.add(action)
    }

    public var isRecursive: Bool { false }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? self : nil
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        await Self.turns.enter()
        let start = ContinuousClock.now
        defer { Self.report(test.name, held: ContinuousClock.now - start) }
        do {
            try await Self.$inTurn.withValue(true) { try await function() }
        } catch {
            await Self.endings.run()
            await Self.turns.leave()
            throw error
        }
        await Self.endings.run()
        await Self.turns.leave()
    }

    private static func report(_ suite: String, held: Duration) {
        let seconds = held.components.seconds
        FileHandle.standardError.write(Data("turn: \(suite) held \(seconds) s\n".utf8))
    }
}

/// The actions to run when the current turn ends, in the order they were asked.
private actor TurnEndings {
    private var actions: [@Sendable () async -> Void] = []

    func add(_ action: @escaping @Sendable () async -> Void) { actions.append(action) }

    func run() async {
        let due = actions
        actions = []
        for action in due { await action() }
    }
}
