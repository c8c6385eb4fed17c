import Foundation
import Testing

/// A small RFC 4180 reader for checking what the reports write: quoted fields, doubled quotes,
/// commas and line breaks inside quotes, CRLF or LF record ends.
enum CSVReader {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var chars = Array(text)
        if chars.last != "\n" && chars.last != "\r\n" { chars.append("\n") }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { quoted = false; afterQuote = true }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                guard field.isEmpty && !afterQuote else { throw Malformed(description: "quote inside an unquoted field at \(i)") }
                quoted = true
            } else if c == "," {
                record.append(field); field = ""; afterQuote = false
            } else if c == "\r\n" || c == "\n" {
                record.append(field); field = ""; afterQuote = false
                records.append(record); record = []
            } else {
                guard !afterQuote else { throw Malformed(description: "text after a closing quote at \(i)") }
                field.append(c)
            }
            i += 1
        }
        guard !quoted else { throw Malformed(description: "unterminated quoted field") }
        return records
    }
}

enum MarkdownChecks {
    /// Every table: a header row, a separator row of `---`/`---:` cells, and the same number of
    /// cells on every row (escaped pipes do not count).
    static func expectWellFormedTables(_ md: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lines = md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        var tables = 0
        while i < lines.count {
            guard lines[i].hasPrefix("|") else { i += 1; continue }
            tables += 1
            let width = cells(lines[i]).count
            #expect(i + 1 < lines.count, "table without separator", sourceLocation: sourceLocation)
            let sep = cells(lines[i + 1])
            #expect(sep.count == width, "separator has \(sep.count) cells, header \(width): \(lines[i + 1])", sourceLocation: sourceLocation)
            #expect(sep.allSatisfy { $0 == "---" || $0 == "---:" || $0 == ":---" }, "bad separator \(lines[i + 1])", sourceLocation: sourceLocation)
            i += 2
            while i < lines.count && lines[i].hasPrefix("|") {
                #expect(cells(lines[i]).count == width, "row has \(cells(lines[i]).count) cells, header \(width): \(lines[i])",
                        sourceLocation: sourceLocation)
                #expect(lines[i].hasSuffix("|"), sourceLocation: sourceLocation)
                i += 1
            }
        }
        #expect(tables > 0, "no tables found", sourceLocation: sourceLocation)
    }

    /// Cells of a table row, splitting on pipes not escaped with a backslash.
    static func cells(_ line: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var escaped = false
        for ch in line.dropFirst() {
            if escaped { cur.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; cur.append(ch); continue }
            if ch == "|" { out.append(cur.trimmingCharacters(in: .whitespaces)); cur = ""; continue }
            cur.append(ch)
        }
        return out
    }
}
