/// Locates the first syntax error in a JSON text, for error messages only: Foundation's parser
/// says that a document is invalid but not where, and not whether it was merely cut short.
/// Nesting is limited to ``maxDepth`` levels (as Foundation's parser limits it), so a hostile file of
/// a million `[` cannot exhaust the stack.
struct JSONSyntax {
    /// Deepest nesting accepted; deeper documents are a problem at the first level past it.
    static let maxDepth = 512

    struct Problem: Equatable {
        /// Byte offset of the error (the input's length when it ended early).
        var offset: Int
        var line: Int
        var column: Int
        var message: String
        /// True when the input ended inside a value: a truncated file.
        var atEnd: Bool
        /// What was open when the input ended, e.g. `inside an object inside an array`.
        var context: String
    }

    private let bytes: [UInt8]
    private var i = 0
    private var open: [String] = []

    /// The first problem in `bytes`, or nil when they are valid JSON.
    static func firstProblem(in bytes: [UInt8]) -> Problem? {
        var s = JSONSyntax(bytes: bytes)
        return s.run()
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private struct Failure: Error { var message: String }

    private mutating func run() -> Problem? {
        do throws(Failure) {
            skipSpace()
            try value()
            skipSpace()
            if i < bytes.count { throw Failure(message: "unexpected data after the end of the document") }
            return nil
        } catch {
            return problem(error.message)
        }
    }

    private func problem(_ message: String) -> Problem {
        var line = 1, column = 1
        for b in bytes[..<min(i, bytes.count)] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        let atEnd = i >= bytes.count
        let context = open.isEmpty ? "at the top level"
            : "inside " + open.suffix(4).reversed().joined(separator: " inside ") + (open.count > 4 ? " … (\(open.count) levels deep)" : "")
        return Problem(offset: i, line: line, column: column, message: atEnd ? "unexpected end of input" : message,
                       atEnd: atEnd, context: context)
    }

    private mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    private func peek() throws(Failure) -> UInt8 {
        guard i < bytes.count else { throw Failure(message: "unexpected end of input") }
        return bytes[i]
    }

    private mutating func expect(_ c: Character) throws(Failure) {
        guard try peek() == c.asciiValue! else { throw Failure(message: "expected '\(c)'") }
        i += 1
    }

    private mutating func value() throws(Failure) {
        switch try peek() {
        case UInt8(ascii: "{"): try object()
        case UInt8(ascii: "["): try array()
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw Failure(message: "expected a value")
        }
    }

    private mutating func enter(_ what: String) throws(Failure) {
        guard open.count < Self.maxDepth else {
            throw Failure(message: "nested more than \(Self.maxDepth) levels deep (the limit for a result file)")
        }
        open.append(what)
    }

    private mutating func object() throws(Failure) {
        try enter("an object")
        i += 1
        skipSpace()
        if try peek() == UInt8(ascii: "}") { i += 1; open.removeLast(); return }
        while true {
            skipSpace()
            guard try peek() == UInt8(ascii: "\"") else { throw Failure(message: "expected a quoted key") }
            try string()
            skipSpace()
            try expect(":")
            skipSpace()
            try value()
            skipSpace()
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "}") { break }
            guard c == UInt8(ascii: ",") else { i -= 1; throw Failure(message: "expected ',' or '}'") }
        }
        open.removeLast()
    }

    private mutating func array() throws(Failure) {
        try enter("an array")
        i += 1
        skipSpace()
        if try peek() == UInt8(ascii: "]") { i += 1; open.removeLast(); return }
        while true {
            skipSpace()
            try value()
            skipSpace()
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "]") { break }
            guard c == UInt8(ascii: ",") else { i -= 1; throw Failure(message: "expected ',' or ']'") }
        }
        open.removeLast()
    }

    private mutating func string() throws(Failure) {
        open.append("a string")
        i += 1
        while true {
            let c = try peek()
            i += 1
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { _ = try peek(); i += 1 }
            if c < 0x20 { i -= 1; throw Failure(message: "control character in a string") }
        }
        open.removeLast()
    }

    private mutating func literal(_ word: String) throws(Failure) {
        for b in word.utf8 {
            guard try peek() == b else { throw Failure(message: "expected '\(word)'") }
            i += 1
        }
    }

    private mutating func number() throws(Failure) {
        let start = i
        while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
        if i == start || (i - start == 1 && bytes[start] == UInt8(ascii: "-")) {
            throw Failure(message: "malformed number")
        }
    }
}
