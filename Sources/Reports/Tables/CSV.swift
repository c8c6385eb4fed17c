/// An RFC 4180 CSV document: a header record, then records, CRLF line ends, fields quoted when they
/// hold a comma, quote or line break.
struct CSVDocument {
    var header: [String]
    var rows: [[String]] = []

    mutating func append(_ row: [String]) {
        precondition(row.count == header.count, "CSV row has \(row.count) fields, header has \(header.count)")
        rows.append(row)
    }

    func render() -> String {
        var out = ""
        for record in [header] + rows {
            out += record.map(Escape.csv).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    /// A number as CSV text: integers without a decimal point, others in Swift's shortest
    /// round-tripping form; empty for nil or non-finite values.
    static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }
}

/// A GitHub-flavoured Markdown table; every cell is escaped so it cannot break the table.
struct MarkdownTable {
    enum Align { case left, right }

    var headers: [String]
    var align: [Align]
    var rows: [[String]] = []

    init(_ headers: [String], align: [Align]? = nil) {
        self.headers = headers
        self.align = align ?? headers.map { _ in .left }
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == headers.count, "Markdown row has \(row.count) cells, header has \(headers.count)")
        rows.append(row)
    }

    func render() -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map(Escape.markdownCell).joined(separator: " | ") + " |" }
        var out = line(headers) + "\n"
        out += "|" + align.map { $0 == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for r in rows { out += line(r) + "\n" }
        return out
    }
}
