import ArgumentParser
import CustosClusterAPI
import CustosPolicy
import Foundation

/// `custos access matrix`: who may propose, approve, freeze, initiate and approve what — per
/// person, bot and role, per governance operation and per vault — derived by the gateway from the
/// policy and registries in force at its committed height (`GET /v1/access-matrix`), as Markdown
/// (the default), CSV or JSON; with `--diff OLD NEW`, what changing the policy from OLD to NEW
/// does to it (each document compiled with the registries in force, `POST /v1/access-matrix`).
struct AccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access", abstract: "Show who may do what, derived from the policy in force.", subcommands: [Matrix.self])

    struct Matrix: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the access matrix (Markdown, --csv or --json), or --diff OLD NEW for what a policy change does to it.",
            discussion: "Each cell says that some operation or request of that kind is allowed or held for approvals for them; amounts, destinations, times and limits still decide each request. The gateway computes it from its committed state; no node verifies it.")

        @OptionGroup var connection: OperationCommand.Connection
        @Flag(help: "Print CSV (RFC 4180), one row per person, bot or role.") var csv = false
        @Flag(help: "Print JSON.") var json = false
        @Option(parsing: .upToNextOption, help: "Two policy files, OLD and NEW: the cells a change from OLD to NEW moves.") var diff: [String] = []

        func validate() throws {
            if json && csv { throw ValidationError("choose --json or --csv, not both") }
            if !diff.isEmpty && diff.count != 2 { throw ValidationError("--diff takes two policy files, OLD and NEW") }
            if !diff.isEmpty && csv { throw ValidationError("--diff prints lines (or --json), not CSV") }
        }

        func run() async throws {
            let call = GatewayCall(connection.gateway)
            if diff.count == 2 {
                var views: [AccessMatrixView] = []
                for file in diff {
                    views.append(try await call.post("/v1/access-matrix", AccessMatrixView.Query(policy: try PolicyCommand.read(file))))
                }
                // For people, names and cells (the gateway's word) are escaped, never the arrow (review helper-99 L3).
                let lines = AccessMatrix.diff(from: views[0].matrix, to: views[1].matrix, escape: json ? { $0 } : { printable($0) })
                if json {
                    print(String(decoding: try JSONEncoder().encode(lines), as: UTF8.self))
                    return
                }
                print("access matrix, policy version \(views[0].policyVersion) → \(views[1].policyVersion): "
                      + "\(lines.count) cell\(lines.count == 1 ? "" : "s") change (\(PolicyReplayView.note(height: views[1].height)))")
                for line in lines { print("  " + line) }
                return
            }
            var view: AccessMatrixView = try await call.get("/v1/access-matrix")
            view.note = PolicyReplayView.note(height: view.height)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(view), as: UTF8.self))
                return
            }
            if csv {
                // Every line through `printable`: the cells are the gateway's word (review helper-99 L3).
                for line in view.matrix.csv().split(separator: "\n", omittingEmptySubsequences: false).dropLast() { print(printable(String(line))) }
                return
            }
            print("# Access matrix, policy version \(view.policyVersion)\n\n\(view.note). A cell says that some operation or request "
                  + "of that kind is allowed, or held for approvals, for them; amounts, destinations, times and limits still decide each one.\n")
            print(view.matrix.markdown(escape: printable))
        }
    }
}
