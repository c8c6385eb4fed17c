import BenchModel

extension JSONValue {
    /// Text for a table cell.
    var display: String {
        switch self {
        case .null: "–"
        case .bool(let b): b ? "yes" : "no"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? (d < 0 ? "-" : "") + Units.grouped(UInt64(abs(d))) : Units.number(d)
        case .string(let s): s
        case .array(let a): a.map(\.display).joined(separator: ", ")
        case .object: "{…}"
        }
    }
}
