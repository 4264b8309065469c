import Foundation

/// `custos-bench [AREA ...] [options]` runs the release-mode benchmarks of the named areas (all
/// but the `-profile` ones by default) and prints Markdown sections; `make bench` writes them to
/// BENCHMARKS.md. `BenchOptions` lists the options (the signing workload's duration and load).
/// Bad input or a failed benchmark ends it with a one-line message and a non-zero status.
let options: BenchOptions
do { options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst())) } catch {
    complain("custos-bench: \(error.description)")
    exit(2)
}

/// Writes one line to standard error.
func complain(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }

/// The cluster `signing` and `erc20` share, started by the first of them that runs.
let session = BenchSession(options)
let areas: [(name: String, run: () async throws -> String)] = [
    ("frost", FROSTBenchmarks.run),
    ("frost-profile", FROSTBenchmarks.profile),
    ("ecdsa", ECDSABenchmarks.run),
    ("evm", evmBenchmarks),
    ("policy", PolicyBenchmarks.run),
    ("watch", FloodSetBenchmarks.run),
    ("ledger", LedgerBenchmarks.run),
    ("cluster", ClusterBenchmarks.run),
    ("signing", { try await SigningBenchmarks.run(session) }),
    ("erc20", { try await ERC20Benchmarks.run(session) }),
]
for name in options.areas where !areas.contains(where: { $0.name == name }) {
    complain("custos-bench: no area \(name)\n\(BenchOptions.usage)")
    exit(2)
}
for area in areas where options.runs(area.name) {
    do { print(try await area.run()) } catch {
        complain("custos-bench: \(area.name): \(error)")
        await session.stop()
        exit(1)
    }
}
await session.stop()
