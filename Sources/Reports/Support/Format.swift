import BenchModel

/// Human-readable numbers for HTML, Markdown and text output (CSV keeps raw base-unit values).
public enum Fmt {
    /// An integer with thousands separators: `12,345`.
    static func grouped(_ n: UInt64) -> String { Units.grouped(n) }

    /// About three significant digits (two below 1), grouped above 1,000: `1,235`, `12.3`, `0.87`, `0.012`.
    static func number(_ v: Double) -> String { Units.number(v) }

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
    public static func change(_ fraction: Double?) -> String {
        guard let f = fraction, f.isFinite else { return "n/a" }
        let pct = f * 100
        let body = abs(pct) >= 10 ? Units.fixed(abs(pct), digits: 1) : Units.fixed(abs(pct), digits: 2)
        if body == "0.00" { return "0.00%" }
        return (pct < 0 ? "-" : "+") + body + "%"
    }

    /// A size of change without a sign: `5.00%`, `12.3%`, `0.00%`.
    static func magnitude(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "n/a" }
        let pct = abs(fraction) * 100
        return (pct >= 10 ? Units.fixed(pct, digits: 1) : Units.fixed(pct, digits: 2)) + "%"
    }

    /// A p-value: `0.0079`, `<0.0001`.
    static func pValue(_ p: Double) -> String {
        if p < 0.0001 { return "<0.0001" }
        return Units.fixed(p, digits: p < 0.01 ? 4 : 3)
    }

    /// `value` in `unit`, formatted for a person; `–` when there is none.
    static func metric(_ value: Double?, unit: MetricUnit) -> String {
        value.map(unit.format) ?? "–"
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

extension JSONValue {
    /// Text for a table cell.
    var display: String {
        switch self {
        case .null: "–"
        case .bool(let b): b ? "yes" : "no"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? (d < 0 ? "-" : "") + Fmt.grouped(UInt64(abs(d))) : Fmt.number(d)
        case .string(let s): s
        case .array(let a): a.map(\.display).joined(separator: ", ")
        case .object: "{…}"
        }
    }
}
