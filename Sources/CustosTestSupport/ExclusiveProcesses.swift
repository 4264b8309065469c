import CustosCore
import Foundation
import Testing

extension Trait where Self == ExclusiveProcesses {
    /// The suite starts servers (a cluster, PostgreSQL, the EVM chain, a browser): it runs while
    /// no other such suite does.
    public static var exclusiveProcesses: Self { ExclusiveProcesses(share: .whole) }

    /// The suite starts servers but mostly waits on them (measured: its turn leaves most of the
    /// CPU idle): it may run beside one other such suite, never beside a `.exclusiveProcesses`
    /// one.
    public static var halfExclusiveProcesses: Self { ExclusiveProcesses(share: .half) }
}

/// Runs a whole suite that starts other processes while no other suite marked with it runs (or,
/// for two suites marked `.halfExclusiveProcesses`, while only the other runs), in the order
/// they asked among those that fit (`TurnGate`).
/// On two cores, two busy clusters starting at once starve each other and the test process, and
/// long polls and time limits run out for no fault of the code under test; a suite whose turn
/// mostly waits (on attempt deadlines, on a chain, on a browser) leaves room for one more such.
/// It holds for the suite as a whole, so a cluster that a suite shares between its tests is
/// ended with the suite's own turn. Tests of other suites (pure logic) still run beside it.
/// A suite's time limits count only its own tests' time: waiting for its turn is not counted.
/// Each turn's length is written to standard error, with how much of the machine's CPU time
/// went to processes at normal priority meanwhile ("turn: Suite held 212 s, CPU 41 % busy"; the
/// user time of `make test`'s niced test process is not counted, its system time is, so a turn
/// beside it reads busier than alone), so a test log shows where the run's time goes and which
/// turns mostly wait.
public struct ExclusiveProcesses: SuiteTrait, TestScoping {
    /// How much of the machine a suite's turn takes.
    public enum Share: Int, Sendable {
        case half = 1
        case whole = 2
    }

    /// The turns of the whole test process, handed over in the order asked.
    private static let turns = TurnGate(capacity: Share.whole.rawValue)
    /// The endings of the turn the current task runs in (`SharedInTurn`); nil outside a turn.
    @TaskLocal static var turn: TurnEndings?

    let share: Share

    /// Whether the current task runs in a suite's turn.
    static var inTurn: Bool { turn != nil }

    /// Runs `action` when the current suite's turn ends, after its last test.
    static func atEndOfTurn(_ action: @escaping @Sendable () async -> Void) async {
        await turn?.add(action)
    }

    public var isRecursive: Bool { false }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite ? self : nil
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        await Self.turns.enter(share.rawValue)
        let start = ContinuousClock.now, cpu = CPUTimes.now()
        defer { Self.report(test.name, share: share, held: ContinuousClock.now - start, cpu: cpu.map { CPUTimes.now()?.busyShare(since: $0) } ?? nil) }
        let endings = TurnEndings()
        do {
            try await Self.$turn.withValue(endings) { try await function() }
        } catch {
            await endings.run()
            await Self.turns.leave(share.rawValue)
            throw error
        }
        await endings.run()
        await Self.turns.leave(share.rawValue)
    }

    private static func report(_ suite: String, share: Share, held: Duration, cpu: Double?) {
        let seconds = held.components.seconds
        let busy = cpu.map { ", CPU \(Int(($0 * 100).rounded())) % busy" } ?? ""
        let beside = share == .half ? " (half: beside one other)" : ""
        FileHandle.standardError.write(Data("turn: \(suite) held \(seconds) s\(busy)\(beside)\n".utf8))
    }
}

/// Admits turns while their shares fit in `capacity`, in the order they asked among those that
/// fit: a half turn may pass a whole one that waits for the room a running half turn holds. The
/// whole one waits at most for the half turns, which are few and each run once.
private actor TurnGate {
    private let capacity: Int
    private var used = 0
    private var waiting: [(share: Int, resume: CheckedContinuation<Void, Never>)] = []

    init(capacity: Int) { self.capacity = capacity }

    func enter(_ share: Int) async {
        if used + share <= capacity {
            used += share
            return
        }
        await withCheckedContinuation { waiting.append((share, $0)) }
    }

    func leave(_ share: Int) {
        used -= share
        var index = 0
        while index < waiting.count {
            guard used + waiting[index].share <= capacity else {
                index += 1
                continue
            }
            let next = waiting.remove(at: index)
            used += next.share
            next.resume.resume()
        }
    }
}

/// The actions to run when a turn ends, in the order they were asked.
actor TurnEndings {
    private var actions: [@Sendable () async -> Void] = []

    func add(_ action: @escaping @Sendable () async -> Void) { actions.append(action) }

    func run() async {
        let due = actions
        actions = []
        for action in due { await action() }
    }
}

/// The machine's CPU time so far, from the first line of /proc/stat (Linux; nil elsewhere).
private struct CPUTimes {
    /// Time in user, system, interrupt and stolen states: processes at normal priority.
    var busy: UInt64
    /// Every state, niced user time and idle included.
    var total: UInt64

    static func now() -> CPUTimes? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ") else { return nil }
        // user nice system idle iowait irq softirq steal …
        let fields = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard fields.count >= 8 else { return nil }
        return CPUTimes(busy: fields[0] + fields[2] + fields[5] + fields[6] + fields[7], total: fields.prefix(8).reduce(0, +))
    }

    /// The share of the CPU time since `earlier` that was busy.
    func busyShare(since earlier: CPUTimes) -> Double? {
        guard total > earlier.total, busy >= earlier.busy else { return nil }
        return Double(busy - earlier.busy) / Double(total - earlier.total)
    }
}
