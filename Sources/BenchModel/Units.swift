/// Units in text, both ways: parsing what scenario files and thresholds say (durations, byte sizes,
/// rates, shares), and the one formatter of numbers for people that every writer uses (terminal,
/// Markdown, HTML, the gate's tables): `MetricUnit.format`, `number`, `change`, `pValue`, ….
public enum Units {
    /// Seconds in `text`, e.g. `500ns`, `200us`, `100ms`, `10s`, `1.5m`, `2h`.
    /// A bare number is seconds only when `bareSeconds` is true; otherwise it is rejected (nil),
    /// because `duration: 10` in a scenario is more likely a mistake than ten seconds.
    public static func duration(_ text: String, bareSeconds: Bool = false) -> Double? {
        let s = text.trimmingSpaces
        let suffixes: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
        ]
        for (suffix, scale) in suffixes where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count).trimmingSpaces), v.isFinite else { return nil }
            return v * scale
        }
        guard bareSeconds, let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// Bytes in `text`: `512`, `512B`, `16KB` (×1000), `16KiB` (×1024), `MB`, `MiB`, `GB`, `GiB`.
    public static func bytes(_ text: String) -> Double? {
        let s = text.trimmingSpaces
        let suffixes: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024 * 1024 * 1024),
            ("KB", 1e3), ("kB", 1e3), ("MB", 1e6), ("GB", 1e9), ("B", 1),
        ]
        for (suffix, scale) in suffixes where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count).trimmingSpaces), v.isFinite else { return nil }
            return v * scale
        }
        guard let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// Per-second rate in `text`: `1000/s`, `1000`, `60/m`.
    public static func rate(_ text: String) -> Double? {
        let s = text.trimmingSpaces
        for (suffix, scale) in [("/s", 1.0), ("/m", 1.0 / 60), ("/h", 1.0 / 3600)] where s.hasSuffix(suffix) {
            guard let v = Double(s.dropLast(suffix.count).trimmingSpaces), v.isFinite else { return nil }
            return v * scale
        }
        guard let v = Double(s), v.isFinite else { return nil }
        return v
    }

    /// A share strictly between 0 and 1, written as a percentage (`5%`, `0.5%`) or as a fraction
    /// (`0.05`); nil otherwise. A bare number of 1 or more is refused because it is ambiguous: `1`
    /// could mean 1% or 100%.
    public static func share(_ text: String) -> Double? {
        var s = Substring(text.trimmingSpaces)
        let percent = s.hasSuffix("%")
        if percent { s = s.dropLast() }
        guard let v = Double(s.trimmingSpaces), v.isFinite else { return nil }
        let fraction = percent ? v / 100 : v
        guard percent || v < 1, fraction > 0, fraction < 1 else { return nil }
        return fraction
    }

    /// A human-readable duration for nanoseconds: `850ns`, `12.3µs`, `4.56ms`, `1.20s`.
    public static func formatNanoseconds(_ ns: Double) -> String {
        switch abs(ns) {
        case ..<1_000: return ns.isFinite ? "\(Int(ns.rounded()))ns" : Units.number(ns)
        case ..<1_000_000: return format(ns / 1e3, "µs")
        case ..<1_000_000_000: return format(ns / 1e6, "ms")
        default: return format(ns / 1e9, "s")
        }
    }

    /// A human-readable byte size: `512 B`, `12.3 KiB`, `4.56 MiB`, `1.20 GiB`.
    public static func formatBytes(_ b: Double) -> String {
        switch abs(b) {
        case ..<1024: return b.isFinite ? "\(Int(b.rounded())) B" : Units.number(b)
        case ..<(1024 * 1024): return format(b / 1024, " KiB")
        case ..<(1024 * 1024 * 1024): return format(b / (1024 * 1024), " MiB")
        default: return format(b / (1024 * 1024 * 1024), " GiB")
        }
    }

    /// Three significant digits, the way latency tables read best.
    public static func format(_ v: Double, _ unit: String) -> String {
        let digits = abs(v) >= 100 ? 0 : abs(v) >= 10 ? 1 : 2
        return fixed(v, digits: digits) + unit
    }

    /// `v` with exactly `digits` decimals (no Foundation needed).
    public static func fixed(_ v: Double, digits: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(v) * scale).rounded()
        // Beyond Int's range only the magnitude matters (and Int() would trap).
        guard scaled < 9.0e18 else { return "\(v)" }
        let whole = Int(scaled / scale)
        let frac = Int(scaled - Double(whole) * scale)
        var s = (v < 0 && scaled != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(frac)
            s += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return s
    }
}

extension Units {
    /// An integer with thousands separators: `12,345`.
    public static func grouped(_ n: UInt64) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return out
    }

    /// About three significant digits (two below 1), grouped above 1,000: `1,235`, `12.3`, `0.87`, `0.012`.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "−∞") }
        let a = abs(v)
        if a >= 1000 { return (v < 0 ? "-" : "") + (a < 1.8e19 ? grouped(UInt64(a.rounded())) : fixed(a, digits: 0)) }
        if a >= 100 { return fixed(v, digits: 0) }
        if a >= 10 { return fixed(v, digits: 1) }
        if a >= 1 || a == 0 { return fixed(v, digits: 2) }
        var digits = 2
        var scaled = a
        while scaled < 1 && digits < 9 {
            scaled *= 10
            digits += 1
        }
        return fixed(v, digits: digits - 1)
    }
}

extension Units {
    /// An axis tick: at most three significant digits, no trailing zeros: `20`, `2.5`, `0.05`, `1,500`.
    public static func tick(_ v: Double) -> String {
        guard v.isFinite else { return "" }
        if abs(v) >= 1000 { return number(v) }
        var s = number(v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    /// A relative change as a signed percentage: `+30.0%`, `-2.14%`; `n/a` when undefined.
    public static func change(_ fraction: Double?) -> String {
        guard let f = fraction, f.isFinite else { return "n/a" }
        let pct = f * 100
        let body = abs(pct) >= 10 ? fixed(abs(pct), digits: 1) : fixed(abs(pct), digits: 2)
        if body == "0.00" { return "0.00%" }
        return (pct < 0 ? "-" : "+") + body + "%"
    }

    /// A size of change without a sign: `5.00%`, `12.3%`, `0.00%`.
    public static func magnitude(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "n/a" }
        let pct = abs(fraction) * 100
        return (pct >= 10 ? fixed(pct, digits: 1) : fixed(pct, digits: 2)) + "%"
    }

    /// A p-value: `0.0079`, `<0.0001`.
    public static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "<0.0001" }
        return fixed(p, digits: p < 0.01 ? 4 : 3)
    }

    /// `value` in `unit`, formatted for a person; `–` when there is none.
    public static func metric(_ value: Double?, unit: MetricUnit) -> String {
        value.map(unit.format) ?? "–"
    }

    /// Seconds as `42.0 s`, `3m 05s`, `1h 02m`.
    public static func formatDuration(_ s: Double) -> String {
        guard s.isFinite else { return "n/a" }
        if s < 120 { return number(s) + " s" }
        let total = Int(s.rounded())
        if total < 3600 { return "\(total / 60)m " + pad2(total % 60) + "s" }
        return "\(total / 3600)h " + pad2((total % 3600) / 60) + "m"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The first 10 characters of a commit hash.
    public static func shortCommit(_ commit: String) -> String {
        commit.count > 12 ? String(commit.prefix(10)) : commit
    }
}

extension MetricUnit {
    /// `value` (in this unit's base: ns, bytes, episodes/s, a fraction) the way a person reads it:
    /// `4.20ms`, `1,000/s`, `16.0 KiB`, `82.1%`, `0.87`. The one formatter every writer uses.
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return Units.number(value) }
        switch self {
        case .nanoseconds: return Units.formatNanoseconds(value)
        case .perSecond: return Units.number(value) + "/s"
        case .bytes: return Units.formatBytes(value)
        case .bytesPerEpisode: return Units.formatBytes(value) + "/episode"
        case .perEpisode: return Units.number(value) + "/episode"
        case .percent: return Units.number(value) + "%"
        case .seconds:
            // Sub-millisecond durations (CPU per episode) read better as ns/µs.
            if value != 0 && abs(value) < 1e-3 { return Units.formatNanoseconds(value * 1e9) }
            return Units.number(value) + " s"
        case .fraction: return Units.number(value * 100) + "%"
        case .ratio: return Units.number(value)
        case .count: return value >= 0 && value < 1e18 && value == value.rounded() ? Units.grouped(UInt64(value)) : Units.number(value)
        }
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
