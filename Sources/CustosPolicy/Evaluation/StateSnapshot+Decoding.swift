import CustosCore

extension StateSnapshot {
    /// Reads a snapshot from JSON (or YAML):
    ///
    ///     {"time": "2026-11-21T14:00:00Z", "prices": {"ETH": "3200", "USDC": "1"},
    ///      "frozen": false, "key_rotations": {"risk-bot": "2026-08-01T00:00:00Z"},
    ///      "windows": {"exchange-daily": {"kraken": {"usd": "4750000", "count": 12}}}}
    ///
    /// `time`, and each bot's time in `key_rotations`, is Unix seconds or an ISO 8601 UTC time
    /// (`YYYY-MM-DDTHH:MM:SSZ`).
    public static func decode(json text: String) throws(PolicyLoadError) -> StateSnapshot {
        let root = try SafeYAML.parse(text, limits: .request)
        var r = NodeReader()
        var state = StateSnapshot(time: 0)
        guard let f = r.mapping(root, "the state", allowed: ["time", "prices", "frozen", "windows", "key_rotations"], required: ["time"]) else {
            throw PolicyLoadError(r.diagnostics)
        }
        if let t = f["time"] {
            if case .scalar(let s, _) = t.value.kind, let seconds = Int64(s) {
                state.time = seconds
            } else if case .scalar(let s, _) = t.value.kind, let seconds = parseISO8601(s) {
                state.time = seconds
            } else {
                r.error(.wrongType, t.value.location, "time must be Unix seconds or YYYY-MM-DDTHH:MM:SSZ")
            }
        }
        if let p = f["prices"], case .mapping(let entries) = p.value.kind {
            for e in entries {
                if let d = r.decimal(e.value, "price of \(e.key)") { state.prices[e.key] = d.value }
            }
        } else if let p = f["prices"] {
            r.error(.wrongType, p.value.location, "prices must be a mapping of asset to USD price")
        }
        if let k = f["key_rotations"] {
            for bot in r.namedMapping(k.value, "key_rotations") {
                if case .scalar(let s, _) = bot.value.kind, let seconds = Int64(s) ?? parseISO8601(s) {
                    state.keyRotations[bot.key] = seconds
                } else {
                    r.error(.wrongType, bot.value.location, "key_rotations.\(bot.key) must be Unix seconds or YYYY-MM-DDTHH:MM:SSZ")
                }
            }
        }
        if let fr = f["frozen"] { state.frozen = r.bool(fr.value, "frozen") ?? false }
        if let w = f["windows"] {
            for limit in r.namedMapping(w.value, "windows") {
                guard case .mapping(let keys) = limit.value.kind else {
                    r.error(.wrongType, limit.value.location, "windows.\(limit.key) must map keys to totals")
                    continue
                }
                for key in keys {
                    guard let tf = r.mapping(key.value, "window total", allowed: ["usd", "count"]) else { continue }
                    let usd = tf["usd"].flatMap { r.decimal($0.value, "usd")?.value } ?? .zero
                    let count = tf["count"].flatMap { r.integer($0.value, "count", range: 0...1_000_000_000)?.value } ?? 0
                    state.windows[limit.key, key.key] = WindowTotals.Total(usd: usd, count: count)
                }
            }
        }
        if !r.diagnostics.isEmpty { throw PolicyLoadError(r.diagnostics) }
        return state
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` to Unix seconds (proleptic Gregorian calendar, UTC).
    public static func parseISO8601(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), let hh = number(11..<13),
              let mm = number(14..<16), let ss = number(17..<19), (1...12).contains(m), (1...31).contains(d),
              hh < 24, mm < 60, ss < 60
        else { return nil }
        // Howard Hinnant's days_from_civil.
        let yy = m <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + hh * 3600 + mm * 60 + ss
    }
}
