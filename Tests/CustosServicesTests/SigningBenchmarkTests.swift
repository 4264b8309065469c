import CustosTestSupport
import Foundation
import Testing

/// `make bench`'s end-to-end workloads (`custos-bench signing erc20`, one cluster for both) run
/// with the debug builds for a few seconds each, so that they cannot rot: a gateway and four
/// nodes, the vaults and bots registered through governance, messages signed; then the local EVM
/// chain's USDC registered, the executor and the price bots running, ERC-20 transfers signed and
/// mined, each read back and checked by the bench. Its figures are not checked: timing belongs to
/// the benchmark, not to a test.
// Half a turn: alone, its turn kept the CPU 37 % busy (make test, 2026-12-08).
@Suite(.halfExclusiveProcesses, .serialized, .timeLimit(.minutes(10)))
struct SigningBenchmarkTests {
    @Test func theSigningAndERC20WorkloadsHaveRequestsSignedAndReportThem() async throws {
        // The bench runs for a while: wait for it off the cooperative pool (see `Blocking`).
        let (status, report, errors) = try await Blocking.run { try Self.runBench() }
        #expect(status == 0, "custos-bench failed: \(errors.suffix(4000))")
        #expect(report.contains("## Signing end to end, frost-ed25519"), "\(report)")
        Self.checkTransfers(report)
        // The latency row names how many signatures the committed log held, verified by the bench.
        let row = report.split(separator: "\n").first { $0.hasPrefix("| submission → verified signature in the committed log |") }
        let count = row.flatMap { $0.split(separator: "|")[5].split(separator: " ").first.flatMap { Int($0) } }
        #expect((count ?? 0) >= 1, "no signature was verified: \(report)")
        #expect(!report.contains("Requests without a verified signature"), "\(report)")
        #expect(!report.contains("did not verify here"), "\(report)")
    }

    /// The same run's ERC-20 section: at least one transfer signed and one receipt recorded, each
    /// signed transaction read back recovering the vault's address, every receipt without a
    /// mismatch and confirmed by f+1 nodes from the chain, not on the executor's word.
    static func checkTransfers(_ report: String) {
        #expect(report.contains("## ERC-20 transfers end to end"), "\(report)")
        // "Read back from the committed state: S of N signed transactions … ; R of M receipts show them mined with no mismatch and
        // confirmed by the nodes' own readings of the chain" (every node runs with the chain's endpoint: review of bench11 M1).
        let line = report.split(separator: "\n").first { $0.hasPrefix("Read back from the committed state: ") }
        let numbers = line.map { $0.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } } ?? []
        #expect(numbers.count == 4 && numbers[0] >= 1 && numbers[0] == numbers[1], "no transfer was signed, or one did not check out: \(report)")
        #expect(numbers.count == 4 && numbers[2] >= 1 && numbers[2] == numbers[3], "no receipt was recorded, or one did not check out: \(report)")
        #expect(!report.contains("Transfers that failed those checks"), "\(report)")
    }

    /// Runs the workload; returns its exit status, its report and its stderr.
    static func runBench() throws -> (Int32, String, String) {
        let custos = CustosExecutable.url
        let bench = custos.deletingLastPathComponent().appendingPathComponent("custos-bench")
        guard FileManager.default.isExecutableFile(atPath: bench.path) else {
            throw TestEnvironmentError("no custos-bench executable at \(bench.path); run swift build --build-tests first")
        }
        let process = Process()
        process.executableURL = bench
        process.arguments = ["signing", "erc20", "--duration", "3", "--submitters", "2", "--pool-depth", "8"]
        process.currentDirectoryURL = TestEnvironment.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["CUSTOS_BINARY"] = custos.path
        process.environment = environment
        // Its progress and the CLI's go to stderr, kept in a file: a pipe nobody reads could fill up.
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("custos-bench-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorLog) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: errorLog)
        try process.run()
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
        return (process.terminationStatus, report, errors)
    }
}
