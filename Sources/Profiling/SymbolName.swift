/// Turns fully demangled Swift names into the short, readable form a flame graph can show.
///
/// `swift_demangle` only produces the full form (`Mod.f(x: Swift.Int) -> Swift.Int`); the runtime
/// does not expose the simplified printer, so this trims the full text with a small
/// bracket-aware scan: argument types become labels (`Mod.f(x:)`), return types, `throws`,
/// generic parameter clauses and specialisation prefixes go, closures keep their context
/// (`closure #1 in Mod.f()`). Anything it does not recognise is returned unchanged.
enum SymbolName {
    /// The readable form of one fully demangled Swift name.
    static func simplify(_ name: String) -> String {
        simplify(Substring(name), budget: 8)
    }

    private static let droppedPrefixes = [
        "merged ", "outlined ", "dynamic ", "@objc ", "partial apply forwarder for ", "partial apply for ",
        "thunk for ", "dispatch thunk of ", "method lookup function for ",
    ]
    private static let specialisationPrefixes = [
        "generic specialization ", "generic partial specialization ",
        "function signature specialization ", "specialized ",
    ]

    private static func simplify(_ input: Substring, budget: Int) -> String {
        var s = input.trimmingLeadingSpaces()
        guard budget > 0, !s.isEmpty else { return String(s) }

        if s.hasPrefix("reabstraction thunk") { return "reabstraction thunk" }
        for prefix in droppedPrefixes where s.hasPrefix(prefix) {
            return simplify(s.dropFirst(prefix.count), budget: budget - 1)
        }
        // The demangler capitalises the first word of a whole name ("Function signature specialization").
        for prefix in specialisationPrefixes where s.hasPrefix(prefix) || s.hasPrefix(prefix.prefix(1).uppercased() + prefix.dropFirst()) {
            var rest = s.dropFirst(prefix.count)
            if rest.first == "<", let close = matchingClose(in: rest, from: rest.startIndex, anglesOnly: true) {
                rest = rest[rest.index(after: close)...]
            }
            if rest.hasPrefix(" of ") { rest = rest.dropFirst(4) }
            return simplify(rest, budget: budget - 1)
        }
        // "(1) suspend resume partial function for f()" — async funclets are parts of f.
        if s.first == "(", let range = s.firstRange(of: " partial function for ") {
            return simplify(s[range.upperBound...], budget: budget - 1)
        }
        if s.hasPrefix("(extension in "), let close = matchingClose(in: s, from: s.startIndex) {
            s = s[s.index(after: close)...]
            if s.first == ":" { s = s.dropFirst() }
        }
        // Closures and local functions ("bar #1 () -> () in Mod.f() -> ()") are named by their context.
        if let headEnd = localEntityHeadEnd(s) {
            let head = s[..<headEnd]
            if let inRange = topLevelRange(of: " in ", in: s, from: headEnd) {
                return "\(head) in \(simplify(s[inRange.upperBound...], budget: budget - 1))"
            }
            return String(head)
        }
        if s.hasPrefix("protocol witness for "),
           let conformance = topLevelRange(of: " in conformance ", in: s, from: s.startIndex) {
            let inner = simplify(s[s.index(s.startIndex, offsetBy: 21)..<conformance.lowerBound], budget: budget - 1)
            let rest = s[conformance.upperBound...]
            let type = rest.firstRange(of: " : ").map { rest[..<$0.lowerBound] } ?? rest
            return "\(inner) [\(type)]"
        }
        return simplifyFunction(s)
    }

    /// The end of `closure #N`, `implicit closure #N` or a local function's `name #N` at the start
    /// of `s`, or nil when `s` does not start with one.
    private static func localEntityHeadEnd(_ s: Substring) -> Substring.Index? {
        var i = s.startIndex
        if s.hasPrefix("implicit closure #") {
            i = s.index(i, offsetBy: "implicit closure ".count)
        } else {
            while i < s.endIndex, s[i] != " ", s[i] != "(", s[i] != "." { i = s.index(after: i) }
            guard i > s.startIndex, i < s.endIndex, s[i] == " " else { return nil }
            i = s.index(after: i)
        }
        guard i < s.endIndex, s[i] == "#" else { return nil }
        let digits = s.index(after: i)
        let end = s[digits...].firstIndex(where: { !$0.isNumber }) ?? s.endIndex
        return end > digits ? end : nil
    }

    /// `name` when `inner` is a private declaration's `name in _0123ABCD…` (its file discriminator).
    private static func privateName(_ inner: Substring) -> Substring? {
        guard let r = inner.firstRange(of: " in _") else { return nil }
        let name = inner[..<r.lowerBound], discriminator = inner[r.upperBound...]
        guard !name.isEmpty, !name.contains(" "), !discriminator.isEmpty,
              discriminator.allSatisfy({ $0.isHexDigit }) else { return nil }
        return name
    }

    /// `Mod.T.f<A>(x: A, Swift.Int) throws -> B` → `Mod.T.f(x:_:)`; `Mod.v.getter : Swift.Int` → `Mod.v.getter`;
    /// a private `Mod.T.(f in _9A…)(x: Swift.Int)` → `Mod.T.f(x:)`.
    private static func simplifyFunction(_ s: Substring) -> String {
        var out = ""
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == "<", i > s.startIndex, isIdentifierCharacter(s[s.index(before: i)]),
               let close = matchingClose(in: s, from: i) {
                i = s.index(after: close)  // generic parameter clause
                continue
            }
            if c == "(", i == s.startIndex || s[s.index(before: i)] == ".",
               let close = matchingClose(in: s, from: i), let name = privateName(s[s.index(after: i)..<close]) {
                out += name
                i = s.index(after: close)
                continue
            }
            if c == "(", let close = matchingClose(in: s, from: i) {
                out += "(" + labels(of: s[s.index(after: i)..<close]) + ")"
                return out  // everything after the argument list is the signature's tail
            }
            if c == " ", s[i...].hasPrefix(" : ") { return out }
            out.append(c)
            i = s.index(after: i)
        }
        return out
    }

    /// `x: Swift.Int, __owned A` → `x:_:`.
    private static func labels(of parameters: Substring) -> String {
        let trimmed = parameters.trimmingLeadingSpaces()
        if trimmed.isEmpty { return "" }
        return splitTopLevel(trimmed, separator: ",").map { parameter -> String in
            let p = parameter.trimmingLeadingSpaces()
            if let colon = p.firstRange(of: ": "),
               !p[..<colon.lowerBound].isEmpty,
               p[..<colon.lowerBound].allSatisfy(isIdentifierCharacter) {
                return String(p[..<colon.lowerBound]) + ":"
            }
            return "_:"
        }.joined()
    }

    private static func isIdentifierCharacter(_ c: Character) -> Bool {
        c == "_" || c.isLetter || c.isNumber
    }

    private static func isOpening(_ c: Character) -> Bool { c == "(" || c == "[" || c == "<" || c == "{" }

    /// The index of the bracket closing the one at `open`; `->` is not a closing `>`. With
    /// `anglesOnly`, only `<` and `>` count: a specialisation's parameters can hold unbalanced square
    /// brackets, as the demangler prints a propagated closure (`<Arg[1] = [Closure Propagated : …,
    /// Argument Types : […]>`, whose `[Closure` never closes).
    private static func matchingClose(in s: Substring, from open: Substring.Index, anglesOnly: Bool = false) -> Substring.Index? {
        var depth = 0
        var previous: Character = " "
        var i = open
        while i < s.endIndex {
            let c = s[i]
            if anglesOnly ? c == "<" : isOpening(c) {
                depth += 1
            } else if (!anglesOnly && (c == ")" || c == "]" || c == "}")) || (c == ">" && previous != "-") {
                depth -= 1
                if depth == 0 { return i }
            }
            previous = c
            i = s.index(after: i)
        }
        return nil
    }

    private static func topLevelRange(of needle: String, in s: Substring, from start: Substring.Index) -> Range<Substring.Index>? {
        var depth = 0
        var previous: Character = " "
        var i = start
        while i < s.endIndex {
            let c = s[i]
            if depth == 0, c == needle.first, s[i...].hasPrefix(needle) {
                return i..<s.index(i, offsetBy: needle.count)
            }
            if isOpening(c) {
                depth += 1
            } else if c == ")" || c == "]" || c == "}" || (c == ">" && previous != "-") {
                depth = max(0, depth - 1)
            }
            previous = c
            i = s.index(after: i)
        }
        return nil
    }

    private static func splitTopLevel(_ s: Substring, separator: Character) -> [Substring] {
        var parts: [Substring] = []
        var depth = 0
        var previous: Character = " "
        var start = s.startIndex
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if isOpening(c) {
                depth += 1
            } else if c == ")" || c == "]" || c == "}" || (c == ">" && previous != "-") {
                depth = max(0, depth - 1)
            } else if c == separator, depth == 0 {
                parts.append(s[start..<i])
                start = s.index(after: i)
            }
            previous = c
            i = s.index(after: i)
        }
        parts.append(s[start...])
        return parts
    }
}

extension Substring {
    fileprivate func trimmingLeadingSpaces() -> Substring { drop(while: { $0 == " " }) }
}
