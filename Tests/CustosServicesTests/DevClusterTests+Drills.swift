import CustosClusterAPI
import CustosTestSupport
import Foundation
import Testing

extension DevClusterTests {
    /// The four incident drills, each run through the CLI as a person would on the cluster the
    /// lifecycle test made (no cluster of their own), in an order where none breaks the next:
    /// the stolen bot key and the rogue insider first, then the lost site (its nodes return and
    /// its queued replacement is withdrawn), the member replacement and removal last. Each report's steps and
    /// outcomes are checked, not its timings; the lost site blocks where the quorum is lost.
    func theDrillsRunAndReport(_ dir: URL, gateway: String) async throws {
        let drills: [(DrillScenario, [DrillOutcome])] = [
            (.botKeyStolen, [.done, .done, .done, .done]),
            (.rogueInsider, [.done, .done, .done, .done, .done, .done]),
            (.lostSite, [.done, .done, .blocked, .notRun]),
            (.nodeCompromised, [.done, .done, .done, .done, .done, .done]),
        ]
        for (scenario, expected) in drills {
            let file = dir.appendingPathComponent("drill-\(scenario.rawValue).json")
            let run = try await CustosExecutable.run(["drill", "run", scenario.rawValue, "--dir", dir.path, "--gateway", gateway, "--json",
                                                      "--report", file.path])
            let report = try #require(try? JSONDecoder().decode(DrillReport.self, from: Data(contentsOf: file)), "\(run.stdout) \(run.stderr)")
            // For CI time (not asserted): how long each drill held the shared cluster.
            print("drill \(scenario.rawValue): \(report.endedAt - report.startedAt) ms, \(report.outcome.rawValue)")
            let seen = report.steps.map { "\($0.step.id): \($0.outcome.rawValue) \($0.blockedBy ?? "") \($0.evidence)" }
            #expect(report.scenario == scenario.rawValue && report.steps.map(\.step) == scenario.steps)
            #expect(report.steps.map(\.outcome) == expected, "\(seen) \(run.stderr)")
            #expect(run.status == (expected.allSatisfy { $0 == .done } ? 0 : 2), "\(run.stderr)")
            #expect(run.stdout.contains("\"scenario\" : \"\(scenario.rawValue)\""), "the report on standard output too")
            // Every step run has its times and heights; those after a blocked one have none.
            for record in report.steps {
                #expect((record.startedAt != nil && record.startHeight != nil) == (record.outcome != .notRun), "\(record)")
                #expect(record.evidence.isEmpty == (record.outcome == .notRun), "\(record)")
            }
            if scenario == .lostSite {
                #expect(report.blockedAt == "add-replacement")
                let reason = report.steps[2].blockedBy ?? ""
                #expect(reason.contains("no quorum") && reason.contains("still at height") && reason.contains("needs 3 of 4 votes"), "\(reason)")
                #expect(report.limit?.contains("does not recover until one of the lost nodes returns") == true)
                #expect(report.aftermath.contains { $0.contains("node-3") && $0.contains("runs again") }
                        && report.aftermath.contains { $0.contains("erin withdrew it") }, "\(report.aftermath)")
            }
        }
        // The replacement node node-compromised started runs outside dev up: stopped here.
        let nodes = dir.appendingPathComponent("nodes")
        for node in try FileManager.default.contentsOfDirectory(atPath: nodes.path) {
            guard let text = try? String(contentsOf: nodes.appendingPathComponent("\(node)/drill-node.pid"), encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            kill(pid, SIGTERM)
            #expect(try await Self.survivors([pid]).isEmpty, "\(node) (process \(pid)) did not stop")
        }
        let reports = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("drills").path)
        #expect(reports.count == drills.count, "one folder per drill run: \(reports)")
        let unknown = try await CustosExecutable.run(["drill", "run", "../node-compromised\u{1b}[2J", "--dir", dir.path])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown drill") && !unknown.stderr.contains("\u{1b}"), "\(unknown.stderr)")
        let list = try await CustosExecutable.run(["drill", "list"])
        #expect(DrillScenario.allCases.allSatisfy { list.stdout.contains($0.rawValue) }, "\(list.stdout)")
    }
}
