/// `custos-bench [AREA ...]` runs the release-mode benchmarks of the named areas (all by
/// default) and prints Markdown sections; `make bench` writes them to BENCHMARKS.md.
let areas: [(name: String, run: () async throws -> String)] = [
    ("frost", FROSTBenchmarks.run),
    ("frost-profile", FROSTBenchmarks.profile),
    ("ecdsa", ECDSABenchmarks.run),
    ("evm", evmBenchmarks),
    ("policy", PolicyBenchmarks.run),
    ("ledger", LedgerBenchmarks.run),
    ("cluster", ClusterBenchmarks.run),
]

let requested = Set(CommandLine.arguments.dropFirst())
for area in areas where requested.contains(area.name) || (requested.isEmpty && !area.name.hasSuffix("-profile")) {
    print(try await area.run())
}
