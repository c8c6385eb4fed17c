/// A parser for `Server-Timing` response headers (W3C Server Timing): a comma-separated list of
/// metrics, each `name` followed by `;param=value` pairs, a value being a token or a quoted string
/// (`db;dur=53.2;desc="cache miss, slow"`). Several headers concatenate into one list.
///
/// It is lenient where the grammar lets a reader be (spaces around `;` and `=`, empty list
/// elements, unknown parameters, parameter names in any case, the first of repeated parameters
/// winning, as the specification says) and reports what it cannot read instead of dropping it
/// silently: a malformed entry or a `dur` that is not a non-negative number is a ``Problem``.
package enum ServerTiming {
    /// One metric of the header.
    package struct Entry: Sendable, Equatable {
        package var name: String
        /// Duration in milliseconds, when the entry has a valid `dur`.
        package var milliseconds: Double?
        package var description: String?

        package init(name: String, milliseconds: Double?, description: String? = nil) {
            self.name = name
            self.milliseconds = milliseconds
            self.description = description
        }
    }

    /// Something in the header that is not a valid entry, quoted (at most 80 characters).
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package var text: String
        package var reason: String
        package var description: String { "`\(text)`: \(reason)" }
    }

    /// Parses every `Server-Timing` header value of one response, in order.
    package static func parse(_ values: [String]) -> (entries: [Entry], problems: [Problem]) {
        var entries: [Entry] = []
        var problems: [Problem] = []
        for value in values {
            for element in split(Array(value.utf8), on: UInt8(ascii: ",")) {
                let text = trim(element)
                if text.isEmpty { continue }
                switch entry(text) {
                case .success(let e): entries.append(e)
                case .failure(let p): problems.append(p)
                }
            }
        }
        return (entries, problems)
    }

    /// Splits at `separator` outside quoted strings (a backslash escapes inside quotes).
    static func split(_ bytes: [UInt8], on separator: UInt8) -> [ArraySlice<UInt8>] {
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        var quoted = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if quoted {
                if b == UInt8(ascii: "\\") { i += 1 } else if b == UInt8(ascii: "\"") { quoted = false }
            } else if b == UInt8(ascii: "\"") {
                quoted = true
            } else if b == separator {
                parts.append(bytes[start..<i])
                start = i + 1
            }
            i += 1
        }
        parts.append(bytes[start..<min(bytes.count, max(start, bytes.count))])
        return parts
    }

    static func trim(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, f == 0x20 || f == 0x09 { s = s.dropFirst() }
        while let l = s.last, l == 0x20 || l == 0x09 { s = s.dropLast() }
        return s
    }

    static func isToken(_ s: ArraySlice<UInt8>) -> Bool {
        !s.isEmpty && s.allSatisfy { tokenBytes.contains($0) }
    }
    private static let tokenBytes = Set(Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))

    private static func entry(_ text: ArraySlice<UInt8>) -> Result<Entry, Problem> {
        func problem(_ reason: String) -> Result<Entry, Problem> {
            let quoted = String(decoding: text.prefix(80), as: UTF8.self) + (text.count > 80 ? "…" : "")
            return .failure(Problem(text: quoted, reason: reason))
        }
        let parts = split(Array(text), on: UInt8(ascii: ";"))
        let name = trim(parts[0])
        guard isToken(name) else { return problem("the metric name is not a token") }
        var entry = Entry(name: String(decoding: name, as: UTF8.self), milliseconds: nil)
        var seen: Set<String> = []
        for raw in parts.dropFirst() {
            let param = trim(raw)
            if param.isEmpty { continue }
            let key: ArraySlice<UInt8>
            var value: String?
            if let eq = param.firstIndex(of: UInt8(ascii: "=")) {
                key = trim(param[param.startIndex..<eq])
                let v = trim(param[(eq + 1)...])
                if v.first == UInt8(ascii: "\"") {
                    guard let unquoted = unquote(v) else { return problem("an unterminated quoted string") }
                    value = unquoted
                } else {
                    guard isToken(v) else { return problem("a parameter value that is neither a token nor a quoted string") }
                    value = String(decoding: v, as: UTF8.self)
                }
            } else {
                key = param
            }
            guard isToken(key) else { return problem("a parameter name that is not a token") }
            let name = String(decoding: key, as: UTF8.self).lowercased()
            // The specification: only the first occurrence of a parameter counts.
            guard seen.insert(name).inserted else { continue }
            switch name {
            case "dur":
                guard let v = value, let ms = Double(v), ms.isFinite, ms >= 0 else {
                    return problem("dur must be a non-negative number of milliseconds")
                }
                entry.milliseconds = ms
            case "desc":
                entry.description = value
            default:
                continue
            }
        }
        return .success(entry)
    }

    /// The content of a quoted string (with `\x` unescaped), or nil when it does not end with `"`.
    private static func unquote(_ v: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        var i = v.startIndex + 1
        while i < v.endIndex {
            let b = v[i]
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < v.endIndex else { return nil }
                out.append(v[i])
            } else if b == UInt8(ascii: "\"") {
                // Anything after the closing quote is malformed.
                return i == v.endIndex - 1 ? String(decoding: out, as: UTF8.self) : nil
            } else {
                out.append(b)
            }
            i += 1
        }
        return nil
    }
}
