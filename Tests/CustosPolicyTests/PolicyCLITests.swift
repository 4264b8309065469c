import CustosTestSupport
import Foundation
import Testing

/// `custos policy …` as an operator runs it: the built executable, its exit codes, and errors
/// on standard error as file:line:column.
@Suite struct PolicyCLITests {
    static func custos(_ arguments: [String]) async throws -> CustosExecutable.Outcome {
        try await CustosExecutable.run(arguments)
    }

    static let example = "examples/policies/trading-firm.yaml"

    @Test func checkAcceptsTheExamplePolicy() async throws {
        let result = try await Self.custos(["policy", "check", Self.example])
        #expect(result.status == 0, "\(result.stderr)")
        // What the poisoning section bounds, and what it leaves unchecked (review helper-58 L4).
        #expect(result.stdout.contains("  poisoning.max_staleness 10m, min_watchers 2: on a chain with a registered asset"), "\(result.stdout)")
        #expect(result.stdout.contains("  with no registered asset (as `make run`) no chain is watched and nothing is checked for staleness"), "\(result.stdout)")
    }

    /// Review helper-58 M2: one watcher is accepted, with a warning that names what it costs.
    @Test func checkWarnsOfASingleWatcher() async throws {
        let original = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent(Self.example), encoding: .utf8)
        let single = original.replacing("min_watchers: 2}", with: "min_watchers: 1}")
        #expect(single != original)
        let (result, strict) = try await Self.check(single, named: "single-watcher")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: poisoning.min_watchers 1: one watcher bot's coverage decides the poisoned test"), "\(result.stderr)")
        #expect(strict.status != 0)
    }

    /// `custos policy check` and `custos policy check --strict` of `yaml`, written to a temporary file.
    static func check(_ yaml: String, named name: String) async throws -> (CustosExecutable.Outcome, strict: CustosExecutable.Outcome) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-\(name)-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return (try await Self.custos(["policy", "check", file.path]), try await Self.custos(["policy", "check", "--strict", file.path]))
    }

    /// Review helper-107 M4: a misspelt role in the roles section is reported, naming the role
    /// meant; `--strict` fails on it.
    @Test func checkReportsAMisspeltRoleInTheRolesSection() async throws {
        let original = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent(Self.example), encoding: .utf8)
        let typo = original.replacing("\ngroups:\n", with: "\nroles:\n  treasury-opz: {environments: [production]}\ngroups:\n")
        #expect(typo != original)
        let (result, strict) = try await Self.check(typo, named: "role-typo")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: role 'treasury-opz' in the roles section is named nowhere else in the policy; did you mean 'treasury-ops'?"),
                "\(result.stderr)")
        #expect(strict.status != 0)
    }

    /// Review of fin14 L2: `custos op propose change-policy` refuses a misspelt role in the new
    /// policy's roles section before it reads a credential or calls a gateway (none runs here),
    /// naming the role meant, as every node would at proposal.
    @Test func proposeRefusesAMisspeltRoleBeforeSendingAnything() async throws {
        let original = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent(Self.example), encoding: .utf8)
        let typo = original.replacing("\ngroups:\n", with: "\nroles:\n  treasury-opz: {environments: [production]}\ngroups:\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-propose-typo-\(UUID().uuidString).yaml")
        try typo.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await Self.custos(["op", "propose", "--gateway", "http://127.0.0.1:9", "--as", "/nonexistent/erin.json",
                                            "change-policy", file.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("role 'treasury-opz' in the roles section is named nowhere else in the policy; did you mean 'treasury-ops'?"),
                "\(result.stderr)")
        #expect(result.stderr.contains("so it was not proposed"), "\(result.stderr)")
    }

    @Test func checkRefusesABrokenPolicyWithPositions() async throws {
        let original = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent(Self.example), encoding: .utf8)
        let broken = original + "\nunknown_section: true\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-broken-\(UUID().uuidString).yaml")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await Self.custos(["policy", "check", file.path])
        #expect(result.status != 0)
        let line = original.split(separator: "\n", omittingEmptySubsequences: false).count + 1
        #expect(result.stderr.contains("\(file.path):\(line):1:"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Stack"))
    }

    @Test func checkReportsAMissingFileOnOneLine() async throws {
        let result = try await Self.custos(["policy", "check", "/nonexistent/policy.yaml"])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test func explainShowsTheFiguresCompared() async throws {
        let result = try await Self.custos(["policy", "explain", Self.example,
                                      "--request", "examples/policies/requests/risk-bot-kraken.json",
                                      "--state", "examples/policies/requests/state.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("DENY"))
        #expect(result.stdout.contains("24h total for counterparty kraken would be 5,250,000 USD > limit 5,000,000 USD"))
    }

    @Test func explainDecidesAMessageRequestFromItsBody() async throws {
        let permit = try await Self.custos(["policy", "explain", Self.example, "--request", "examples/policies/requests/risk-bot-permit2.json"])
        #expect(permit.status == 0, "\(permit.stderr)")
        #expect(permit.stdout.hasPrefix("ALLOW: rule allow-risk-bot-permit2 allows this request"), "\(permit.stdout)")
        #expect(permit.stdout.contains("risk-bot asks hot-trading to sign EIP-712 PermitSingle (domain name Permit2, chainId 1"))
        let text = try await Self.custos(["policy", "explain", Self.example,
                                    "--request", "examples/policies/requests/risk-bot-withdrawal-authorisation.json"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("ALLOW: rule allow-risk-bot-withdrawal-authorisations allows this request"), "\(text.stdout)")
    }

    @Test func diffNamesAWeakenedRule() async throws {
        let original = try String(contentsOf: TestEnvironment.packageRoot.appendingPathComponent(Self.example), encoding: .utf8)
        let same = try await Self.custos(["policy", "diff", Self.example, Self.example])
        #expect(same.status == 0, "\(same.stderr)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("custos-diff-\(UUID().uuidString).yaml")
        try original.replacingOccurrences(of: "max_usd: 5_000_000", with: "max_usd: 9_000_000").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let changed = try await Self.custos(["policy", "diff", Self.example, file.path])
        #expect(changed.stdout.contains("exchange-daily-usd") && changed.stdout.contains("weaker"), "\(changed.stdout)")
    }
}
