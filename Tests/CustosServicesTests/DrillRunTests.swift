import CustosClusterAPI
import Foundation
import Testing

/// The drills' pure logic: the script's order, a blocked step stopping it, and the report
/// (Markdown and JSON) however the run ended.
struct DrillRunTests {
    @Test(arguments: DrillScenario.allCases)
    func everyScenarioHasStepsWithDistinctIds(_ scenario: DrillScenario) {
        let ids = scenario.steps.map(\.id)
        #expect(!ids.isEmpty && Set(ids).count == ids.count && ids.allSatisfy { !$0.isEmpty })
        #expect(scenario.steps.allSatisfy { !$0.actor.isEmpty && !$0.action.isEmpty && !$0.check.isEmpty })
    }

    @Test func aBlockedStepStopsTheDrillAndTheReportSaysWhatBlockedIt() throws {
        var run = DrillRun(.nodeCompromised)
        #expect(run.next?.id == "freeze")
        run.record(.done(["every node is frozen"]), startedAt: 1_000, endedAt: 2_500, startHeight: 10, endHeight: 12)
        #expect(run.next?.id == "replacement")
        run.record(.blocked("operation x is failed: too few members"), startedAt: 2_500, endedAt: 4_000, startHeight: 12, endHeight: 13)
        #expect(run.next == nil && run.blocked)
        // Nothing more is recorded once the script stopped.
        run.record(.done(["late"]), startedAt: 5_000, endedAt: 6_000, startHeight: 13, endHeight: 13)
        #expect(run.records.count == 2)

        let report = run.report(cluster: "dev", gateway: "http://127.0.0.1:1", startedAt: 1_000, endedAt: 4_100, aftermath: ["nothing to settle"])
        #expect(report.outcome == .blocked && report.blockedAt == "replacement")
        #expect(report.steps.map(\.outcome) == [.done, .blocked, .notRun, .notRun, .notRun, .notRun])
        #expect(report.steps[1].blockedBy == "operation x is failed: too few members" && report.steps[1].durationMillis == 1_500)
        #expect(report.steps[2].startedAt == nil && report.steps[2].durationMillis == nil)

        let markdown = report.markdown
        #expect(markdown.contains("- outcome: BLOCKED at step `replacement`"))
        #expect(markdown.contains("| 1 | freeze all signing | heidi (security officer), alone | 1970-01-01 00:00:01.000 UTC | 1.5 s | 10 → 12 | done |"), "\(markdown)")
        #expect(markdown.contains("| 3 | remove-member node-4 | erin proposes; frank and grace approve | - | - | - | not-run |"), "\(markdown)")
        #expect(markdown.contains("- BLOCKED BY: operation x is failed: too few members"))
        #expect(markdown.contains("## After the drill\n\n- nothing to settle"))
        #expect(!markdown.contains("What the system cannot do here"))

        let decoded = try JSONDecoder().decode(DrillReport.self, from: Data(try report.json().utf8))
        #expect(decoded == report)
    }

    @Test func aRunWithEveryStepDoneIsDone() {
        var run = DrillRun(.botKeyStolen)
        var time: Int64 = 0
        while run.next != nil {
            run.record(.done(["seen"]), startedAt: time, endedAt: time + 61_000, startHeight: 1, endHeight: 2)
            time += 61_000
        }
        let report = run.report(cluster: "dev", gateway: "g", startedAt: 0, endedAt: time)
        #expect(report.outcome == .done && report.blockedAt == nil && report.steps.count == 4)
        #expect(report.markdown.contains("- outcome: every step done") && report.markdown.contains("| 1 min 01 s |"))
    }

    /// A step result that claims `notRun` is a block, and a blocked result without a reason
    /// still says one is missing: the report never shows a silent stop.
    @Test func aStepCannotStopTheDrillSilently() {
        var run = DrillRun(.lostSite)
        run.record(DrillStepResult(outcome: .notRun, blockedBy: nil, evidence: []), startedAt: 0, endedAt: 1, startHeight: nil, endHeight: nil)
        #expect(run.records.first?.outcome == .blocked && run.records.first?.blockedBy == "no reason given" && run.next == nil)
        let report = run.report(cluster: "dev", gateway: "g", startedAt: 0, endedAt: 1)
        #expect(report.markdown.contains("| 1 | stop node-3 and node-4 answering (SIGSTOP: the site is unreachable) | the drill (simulating the outage) | 1970-01-01 00:00:00.000 UTC | 1 ms | - | blocked |"),
                "\(report.markdown)")
        // The lost site's limit is in its report whatever the outcome.
        #expect(report.markdown.contains("## What the system cannot do here") && report.limit?.contains("3 of 4 votes") == true)
    }
}
