import BenchModel

/// Human-readable numbers for HTML, Markdown and text output (CSV keeps raw base-unit values).
enum Fmt {
    /// An integer with thousands separators: `12,345`.
    static func grouped(_ n: UInt64) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return out
    }

    /// About three significant digits (two below 1), grouped above 1,000: `1,235`, `12.3`, `0.87`, `0.012`.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "−∞") }
        let a = abs(v)
        if a >= 1000 { return (v < 0 ? "-" : "") + grouped(UInt64(a.rounded())) }
        if a >= 100 { return Units.fixed(v, digits: 0) }
        if a >= 10 { return Units.fixed(v, digits: 1) }
        if a >= 1 || a == 0 { return Units.fixed(v, digits: 2) }
        var digits = 2
        var scaled = a
        while scaled < 1 && digits < 9 {
            scaled *= 10
            digits += 1
        }
        return Units.fixed(v, digits: digits - 1)
    }

    /// An axis tick: at most three significant digits, no trailing zeros: `20`, `2.5`, `0.05`, `1,500`.
    static func tick(_ v: Double) -> String {
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
    static func change(_ fraction: Double?) -> String {
        guard let f = fraction, f.isFinite else { return "n/a" }
        let pct = f * 100
        let body = abs(pct) >= 10 ? Units.fixed(abs(pct), digits: 1) : Units.fixed(abs(pct), digits: 2)
        if body == "0.00" { return "0.00%" }
        return (pct < 0 ? "-" : "+") + body + "%"
    }

    /// A p-value: `0.0079`, `<0.0001`.
    static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "<0.0001" }
        return Units.fixed(p, digits: p < 0.01 ? 4 : 3)
    }

    /// `value` of metric `path` in `unit`, formatted for a person.
    static func metric(_ value: Double?, unit: MetricUnit, path: String = "") -> String {
        guard let v = value else { return "–" }
        switch unit {
        case .nanoseconds: return Units.formatNanoseconds(v)
        case .perSecond: return number(v) + "/s"
        case .bytes: return Units.formatBytes(v)
        case .bytesPerEpisode: return Units.formatBytes(v) + "/ep"
        case .perEpisode: return number(v) + "/ep"
        case .percent: return number(v) + "%"
        case .seconds: return number(v) + " s"
        case .count: return v >= 0 && v < 1e18 && v == v.rounded() ? grouped(UInt64(v)) : number(v)
        case .ratio:
            if path.hasSuffix("hit_rate") || path.hasSuffix("error_rate") { return number(v * 100) + "%" }
            return number(v)
        }
    }

    /// Seconds as `42.0 s`, `3m 05s`, `1h 02m`.
    static func duration(_ s: Double) -> String {
        guard s.isFinite else { return "n/a" }
        if s < 120 { return number(s) + " s" }
        let total = Int(s.rounded())
        if total < 3600 { return "\(total / 60)m " + pad2(total % 60) + "s" }
        return "\(total / 3600)h " + pad2((total % 3600) / 60) + "m"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The first 10 characters of a commit hash.
    static func shortCommit(_ commit: String) -> String {
        commit.count > 12 ? String(commit.prefix(10)) : commit
    }
}
