#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Times one operation repeatedly and keeps every sample, so that medians and tails are honest.
struct Measurement {
    let name: String
    let samples: [UInt64]  // nanoseconds, sorted ascending

    var p50: Double { percentile(0.50) }
    var p99: Double { percentile(0.99) }

    func percentile(_ p: Double) -> Double {
        let index = min(samples.count - 1, Int((Double(samples.count - 1) * p).rounded()))
        return Double(samples[index])
    }
}

/// Monotonic nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body` `warmup` times untimed, then `iterations` times timed one by one.
func measure(
    _ name: String, iterations: Int, warmup: Int = 10, _ body: () throws -> Void
) rethrows -> Measurement {
    for _ in 0..<warmup { try body() }
    var samples: [UInt64] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
        let start = nowNanoseconds()
        try body()
        samples.append(nowNanoseconds() - start)
    }
    return Measurement(name: name, samples: samples.sorted())
}

/// Times `target` and `baseline` alternately, one call each per iteration, so that both see
/// the same machine load; the ratio of their medians is then robust to drift on shared hosts.
func measureInterleaved(
    _ name: String, iterations: Int, warmup: Int = 5, baseline: () throws -> Void, _ target: () throws -> Void
) rethrows -> (target: Measurement, baseline: Measurement) {
    for _ in 0..<warmup {
        try baseline()
        try target()
    }
    var targetSamples: [UInt64] = []
    var baselineSamples: [UInt64] = []
    for _ in 0..<iterations {
        var start = nowNanoseconds()
        try baseline()
        baselineSamples.append(nowNanoseconds() - start)
        start = nowNanoseconds()
        try target()
        targetSamples.append(nowNanoseconds() - start)
    }
    return (Measurement(name: name, samples: targetSamples.sorted()),
            Measurement(name: "baseline", samples: baselineSamples.sorted()))
}

/// Times `body` once over a batch of `operations` and returns one sample per operation
/// (for work that only makes sense in batches, such as presignature generation).
func measureBatch(
    _ name: String, rounds: Int, operations: Int, _ body: () throws -> Void
) rethrows -> Measurement {
    var samples: [UInt64] = []
    for _ in 0..<rounds {
        let start = nowNanoseconds()
        try body()
        samples.append((nowNanoseconds() - start) / UInt64(operations))
    }
    return Measurement(name: name, samples: samples.sorted())
}

/// A Markdown section: a baseline and the measurements expressed as ratios to it.
struct Section {
    let title: String
    let baseline: Measurement
    // A measurement, the baseline measured alongside it (interleaved) if any, and a note.
    var rows: [(Measurement, Measurement?, String)] = []

    init(_ title: String, baseline: Measurement) {
        self.title = title
        self.baseline = baseline
    }

    mutating func add(_ measurement: Measurement, note: String = "") {
        rows.append((measurement, nil, note))
    }

    /// A row whose ratio is taken against the baseline measured interleaved with it.
    mutating func add(_ pair: (target: Measurement, baseline: Measurement), note: String = "") {
        rows.append((pair.target, pair.baseline, note))
    }

    func render() -> String {
        var lines = ["## \(title)", ""]
        lines.append("| operation | p50 | p99 | p50 / baseline | note |")
        lines.append("|---|---:|---:|---:|---|")
        lines.append(
            "| \(baseline.name) (baseline) | \(formatNanoseconds(baseline.p50)) | "
                + "\(formatNanoseconds(baseline.p99)) | 1.00× | |")
        for (m, local, note) in rows {
            let reference = local ?? baseline
            let interleaved = local == nil ? "" : "interleaved with the baseline (its p50 there: \(formatNanoseconds(reference.p50)))"
            let text = [interleaved, note].filter { !$0.isEmpty }.joined(separator: "; ")
            lines.append(
                "| \(m.name) | \(formatNanoseconds(m.p50)) | \(formatNanoseconds(m.p99)) | "
                    + "\(formatRatio(m.p50 / reference.p50)) | \(text) |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}

func formatNanoseconds(_ ns: Double) -> String {
    if ns >= 1_000_000 { return formatFixed(ns / 1_000_000, digits: 2) + " ms" }
    if ns >= 1_000 { return formatFixed(ns / 1_000, digits: 2) + " µs" }
    return formatFixed(ns, digits: 0) + " ns"
}

func formatRatio(_ r: Double) -> String { formatFixed(r, digits: 2) + "×" }

func formatFixed(_ value: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    guard digits > 0 else { return String(whole) }
    var fraction = String(abs(scaled) % Int(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return "\(whole).\(fraction)"
}

/// Keeps the optimizer from discarding a computed value.
@inline(never)
func blackHole<T>(_ value: T) {
    withUnsafePointer(to: value) { _ = $0 }
}
