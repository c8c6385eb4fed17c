/// Escaping for every text format the reports write. Everything that comes from a result file
/// (scenario names, labels, warnings, commit strings) is user-controlled and goes through here.
enum Escape {
    /// Text or attribute content for HTML and SVG: `&`, `<`, `>`, `"` and `'` become entities.
    static func xml(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab, newline and carriage return, and the
                // noncharacters U+FFFE/U+FFFF, are not allowed in XML 1.0.
                if ch.value < 0x20 && ch != "\n" && ch != "\t" && ch != "\r" {
                    out += " "
                } else if ch.value == 0xFFFE || ch.value == 0xFFFF {
                    continue
                } else {
                    out.unicodeScalars.append(ch)
                }
            }
        }
        return out
    }

    /// One field of an RFC 4180 CSV record: quoted when it holds a comma, quote, CR or LF,
    /// with embedded quotes doubled.
    static func csv(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
    }

    /// A GitHub-flavoured Markdown table cell: pipes and backslashes escaped, HTML disarmed,
    /// line breaks flattened, so a cell can never break the table or inject markup.
    static func markdownCell(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "|": out += "\\|"
            case "\\": out += "\\\\"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "`": out += "\\`"
            case "\n", "\r", "\r\n": out += " "
            default: out.append(ch)
            }
        }
        return out
    }

    /// Markdown running text (headings, list items): the same treatment as a cell.
    static func markdown(_ text: String) -> String { markdownCell(text) }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self {
            if ch == target { out += replacement } else { out.append(ch) }
        }
        return out
    }
}
