import ArgumentParser
import CustosClusterAPI
import CustosCore
import Foundation

/// `custos drill`: scripted incident exercises against a development cluster (`custos dev up`),
/// each step timed in wall-clock time and block heights and checked on every signer node's
/// committed state, with a report of what was done, by whom, and what blocked it.
struct DrillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill", abstract: "Run incident drills against a development cluster and report each step.",
        subcommands: [List.self, Run.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the drills and their steps.")
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if json {
                struct Entry: Encodable { var name, title, summary: String; var steps: [DrillStep]; var limit: String? }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let entries = DrillScenario.allCases.map { Entry(name: $0.rawValue, title: $0.title, summary: $0.summary, steps: $0.steps, limit: $0.limit) }
                return print(String(decoding: try encoder.encode(entries), as: UTF8.self))
            }
            printTable(header: ["DRILL", "STEPS", "WHAT"], rows: DrillScenario.allCases.map { [$0.rawValue, "\($0.steps.count)", $0.summary] })
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one drill; the report goes to standard output and to --report (or the drill's folder).",
            discussion: """
                SCENARIO is one of \(DrillScenario.allCases.map(\.rawValue).joined(separator: ", ")). Development clusters only (the genesis \
                must say so): the drills freeze signing, rotate keys, offboard a person they added, remove node-4 (node-compromised) \
                and stop two nodes for a while (lost-site; a drill killed meanwhile leaves them stopped: kill -CONT them). A step \
                that blocks stops the drill; the report still says what blocked it. Exit status 0: every step done; 2: a step \
                blocked; 1: the drill could not start.
                """)

        @Argument(help: "The drill.") var scenario: String
        @Option(help: "The development cluster's folder (custos dev up --dir).") var dir: String = ".custos-dev"
        @Option(help: "The gateway's base URL (default: from the folder's gateway.port).") var gateway: String?
        @Option(help: "Where to write the report as well.") var report: String?
        @Flag(help: "The report as JSON.") var json = false

        func validate() throws {
            guard DrillScenario(rawValue: scenario) != nil else {
                throw ValidationError("unknown drill \"\(scenario.printable(limit: 64))\"; one of \(DrillScenario.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            let scenario = DrillScenario(rawValue: self.scenario)!
            let context = DrillContext(dir: dir, gateway: gateway, scenario: scenario)
            let progress = { (line: String) in FileHandle.standardError.write(Data((line + "\n").utf8)) }
            progress("drill \(scenario.rawValue) on \(context.clusterName) (\(context.gateway)); its commands' output is in \(context.work)")
            var run = DrillRun(scenario)
            let started = DrillContext.now()
            while let step = run.next {
                progress("  \(step.id): \(step.action)…")
                let (startedAt, startHeight) = (DrillContext.now(), context.height())
                let result = await context.perform(scenario, step)
                run.record(result, startedAt: startedAt, endedAt: DrillContext.now(), startHeight: startHeight, endHeight: context.height())
                progress("  \(step.id): \(result.outcome.rawValue)" + (result.blockedBy.map { ": \($0)" } ?? ""))
            }
            let aftermath = await context.restore(after: scenario)
            let report = run.report(cluster: context.clusterName, gateway: context.gateway, startedAt: started, endedAt: DrillContext.now(),
                                    aftermath: aftermath)
            let text = json ? try report.json() + "\n" : report.markdown
            let path = self.report ?? (context.work as NSString).appendingPathComponent(json ? "report.json" : "report.md")
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch { fail("cannot write the report to \(path): \(error)") }
            print(text, terminator: "")
            progress("report written to \(path)")
            if report.outcome != .done { throw ExitCode(2) }
        }
    }
}
