import Foundation

/// The CPU table of an end-to-end workload: each process's CPU time (user + system, from /proc,
/// over `elapsed` seconds) per operation, against one plain signature, and as a share of one
/// core; `order` first, then every other process measured, then all together.
struct CPUShares {
    let cpu: [String: Double]
    let operations: Int
    let elapsed: Double
    let plain: Measurement

    /// The Markdown lines: a title naming `noun` ("signature", "transfer"), then the table.
    func lines(_ noun: String, of what: String, order: [String]) -> [String] {
        let names = order.filter { cpu[$0] != nil } + cpu.keys.filter { !order.contains($0) }.sorted()
        let total = cpu.values.reduce(0, +)
        func per(_ seconds: Double) -> String { operations == 0 ? "–" : formatNanoseconds(seconds * 1e9 / Double(operations)) }
        func ratio(_ seconds: Double) -> String { operations == 0 ? "–" : formatRatio(seconds * 1e9 / Double(operations) / plain.p50) }
        var lines = [
            "CPU time per \(noun), \(what) (user + system, from /proc, over \(formatFixed(elapsed, digits: 1)) s; "
                + "the machine has \(ProcessInfo.processInfo.activeProcessorCount) cores):",
            "",
            "| process | CPU per \(noun) | per \(noun) / plain signature | share of one core |",
            "|---|---:|---:|---:|",
        ]
        for name in names + ["all"] {
            let seconds = name == "all" ? total : cpu[name] ?? 0
            lines.append("| \(name) | \(per(seconds)) | \(ratio(seconds)) | \(formatFixed(100 * seconds / elapsed, digits: 0)) % |")
        }
        return lines
    }
}
