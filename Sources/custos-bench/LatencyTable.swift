/// The latency table of an end-to-end workload: each measurement's p50 and p99, and its p50
/// against one HTTP round trip to the gateway and one plain signature, both baselines first.
struct LatencyTable {
    let roundTrip: Measurement
    let plain: Measurement
    private(set) var lines = [
        "| operation | p50 | p99 | p50 / round trip | p50 / plain signature | note |",
        "|---|---:|---:|---:|---:|---|",
    ]

    init(roundTrip: Measurement, plain: Measurement) {
        self.roundTrip = roundTrip
        self.plain = plain
        row(Measurement(name: "\(roundTrip.name) (baseline)", samples: roundTrip.samples), "")
        row(Measurement(name: "\(plain.name) (baseline)", samples: plain.samples), "one key, one process")
    }

    /// A row for `m`, or one saying it has no samples.
    mutating func row(_ m: Measurement, _ note: String) {
        guard !m.samples.isEmpty else {
            lines.append("| \(m.name) | – | – | – | – | no samples; \(note) |")
            return
        }
        lines.append("| \(m.name) | \(formatNanoseconds(m.p50)) | \(formatNanoseconds(m.p99)) | \(formatRatio(m.p50 / roundTrip.p50)) | "
            + "\(formatRatio(m.p50 / plain.p50)) | \(note) |")
    }
}
