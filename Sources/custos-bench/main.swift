/// `custos-bench [AREA ...]` runs the release-mode benchmarks of the named areas (all by
/// default) and prints Markdown sections; `make bench` writes them to BENCHMARKS.md.
let areas: [(name: String, run: () throws -> String)] = [
    ("policy", PolicyBenchmarks.run),
]

let requested = Set(CommandLine.arguments.dropFirst())
for area in areas where requested.isEmpty || requested.contains(area.name) {
    print(try area.run())
}
