import Foundation

/// Per-function costs of one event (instructions, `Ir`, by default) from a callgrind output file
/// (format version 1, as valgrind's callgrind writes it and callgrind_annotate reads it).
///
/// Self cost is what a function's own cost lines add up to; inclusive cost adds the cost lines that
/// follow its `calls=` lines, which callgrind writes as the inclusive cost of each call. So the
/// inclusive cost of a trampoline that only calls a stage body is that stage's cost.
package struct CallgrindProfile: Sendable, Equatable {
    /// Costs of one function, summed over every object and file it appears under.
    package struct Function: Sendable, Equatable {
        /// Cost of the function's own instructions.
        package var selfCost: UInt64 = 0
        /// Self cost plus the inclusive cost of every call it made.
        package var inclusiveCost: UInt64 = 0
        /// How often it was called (from its callers' `calls=` lines).
        package var calls: UInt64 = 0
        /// Estimated cycles of its own instructions and inclusive (``CallgrindProfile/estimatedCycles``);
        /// 0 when the file has no cache-simulation events.
        package var selfCycles: UInt64 = 0
        package var inclusiveCycles: UInt64 = 0

        package init(selfCost: UInt64 = 0, inclusiveCost: UInt64 = 0, calls: UInt64 = 0, selfCycles: UInt64 = 0, inclusiveCycles: UInt64 = 0) {
            self.selfCost = selfCost
            self.inclusiveCost = inclusiveCost
            self.calls = calls
            self.selfCycles = selfCycles
            self.inclusiveCycles = inclusiveCycles
        }
    }

    /// The events callgrind's cache simulation (`--cache-sim=yes`) writes, which estimated cycles need.
    package static let cacheEvents = ["Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw"]

    /// Estimated cycles of one cost line, as CodSpeed and iai-callgrind estimate them from the cache
    /// simulation: L1 hits + 5 × last-level hits + 35 × memory accesses, where the accesses are
    /// instruction fetches, data reads and data writes (Ir + Dr + Dw), the L1 misses I1mr + D1mr + D1mw
    /// and the last-level misses ILmr + DLmr + DLmw. Linear in the counts, so it adds up along the call
    /// graph like instructions do: accesses + 4 × L1 misses + 30 × last-level misses.
    /// - Parameter counts: the line's counts in ``cacheEvents`` order.
    /// - Returns: the estimate, nil when it exceeds 64 bits (or `counts` has the wrong length).
    package static func estimatedCycles(_ counts: [UInt64]) -> UInt64? {
        guard counts.count == cacheEvents.count else { return nil }
        // In 128 bits, where no sum of these 64-bit counts can overflow on the way.
        let c = counts.map { UInt128($0) }
        return UInt64(exactly: (c[0] + c[1] + c[2]) + 4 * (c[3] + c[4] + c[5]) + 30 * (c[6] + c[7] + c[8]))
    }

    /// The event the costs are of (`Ir` when present, else the first event).
    package var event: String
    /// Functions by name, as callgrind wrote them.
    package var functions: [String: Function]
    /// Everything collected: the `totals:` (or `summary:`) line, or the sum of self costs without one.
    package var total: UInt64
    /// The command callgrind ran (`cmd:`), if given.
    package var command: String?
    /// The call graph: caller → callee → the inclusive cost of all its calls to that callee.
    package var calls: [String: [String: UInt64]]
    /// Whether the file has the cache simulation's events, so that functions carry estimated cycles.
    package var hasCycles: Bool
    /// The call graph by context, when callgrind separated functions by their callers
    /// (`--separate-callers=N` names a function `f'caller'caller's caller…`): context → callee context
    /// → inclusive cost. ``functions`` and ``calls`` add the contexts up by function; this keeps them
    /// apart, so that a call tree unrolled from it is exact to N callers. Empty without contexts.
    package var contextCalls: [String: [String: UInt64]] = [:]
    /// Inclusive cost of each context in ``contextCalls``.
    package var contextInclusive: [String: UInt64] = [:]

    /// The function a context belongs to: the name before callgrind's first `'`.
    package static func function(ofContext name: String) -> String {
        name.firstIndex(of: "'").map { String(name[..<$0]) } ?? name
    }

    package init(event: String, functions: [String: Function], total: UInt64, command: String? = nil,
                calls: [String: [String: UInt64]] = [:], hasCycles: Bool = false) {
        self.event = event
        self.functions = functions
        self.total = total
        self.command = command
        self.calls = calls
        self.hasCycles = hasCycles
    }

    /// Every function reachable from `root` through the call graph (`root` included).
    package func reachable(from root: String) -> Set<String> {
        var seen: Set<String> = [root], queue = [root]
        while let f = queue.popLast() {
            for callee in calls[f, default: [:]].keys where !seen.contains(callee) {
                seen.insert(callee)
                queue.append(callee)
            }
        }
        return seen
    }

    /// Reads and parses the callgrind output file at `path`.
    /// - Throws: ``InstructionCountError/io(path:reason:)`` when it cannot be read,
    ///   ``InstructionCountError/callgrindFormat(file:line:reason:)`` when it is malformed.
    package init(contentsOf path: String) throws(InstructionCountError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(parsing: text, file: path)
    }

    /// Parses callgrind output; `file` only names it in errors.
    /// - Throws: ``InstructionCountError/callgrindFormat(file:line:reason:)`` for a line that is not
    ///   callgrind format, a cost that is not a 64-bit count, a call without a called function or
    ///   cost line, a missing `events:` line, or sums that overflow 64 bits.
    package init(parsing text: String, file: String = "callgrind output") throws(InstructionCountError) {
        var parser = Parser(file: file)
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            try parser.consume(line.hasSuffix("\r") ? line.dropLast() : line, number: number)
        }
        try parser.finish(lines: number)
        self.init(event: parser.events[parser.eventIndex], functions: parser.functions,
                  total: parser.total ?? parser.selfSum, command: parser.command, calls: parser.calls,
                  hasCycles: parser.cacheIndices != nil)
        if parser.sawContexts {
            contextCalls = parser.contextCalls
            contextInclusive = parser.contextInclusive
        }
    }

    /// Inclusive cost of `name`, or nil when callgrind never saw it run.
    package func inclusive(_ name: String) -> UInt64? { functions[name]?.inclusiveCost }
}

/// The line-by-line state of a callgrind file being read.
private struct Parser {
    let file: String
    var events: [String] = []
    var eventIndex = 0
    /// Where each of ``CallgrindProfile/cacheEvents`` is in `events`, when all are there.
    var cacheIndices: [Int]?
    var positions = 1
    var command: String?
    var total: UInt64?
    var selfSum: UInt64 = 0
    var functions: [String: CallgrindProfile.Function] = [:]
    var calls: [String: [String: UInt64]] = [:]
    /// The same by context (names with callers), kept when any name has them.
    var contextCalls: [String: [String: UInt64]] = [:]
    var contextInclusive: [String: UInt64] = [:]
    var sawContexts = false
    /// Compressed names: `fn=(3) name` defines id 3, a later `fn=(3)` or `cfn=(3)` refers to it.
    var names: [String: String] = [:]
    /// The `fn=` being read (with its callers, if separated) and the function it is of.
    var current: String?
    var currentFunction = ""
    var called: String?
    /// A `calls=` line was read: its count and callee; the next cost line is the call's cost.
    var pendingCall: (callee: String, count: UInt64)?

    init(file: String) { self.file = file }

    func fail(_ line: Int, _ reason: String) -> InstructionCountError {
        .callgrindFormat(file: file, line: line, reason: reason)
    }

    mutating func consume(_ line: Substring, number: Int) throws(InstructionCountError) {
        guard let first = line.first, first != "#" else { return }
        if first.isNumber || first == "+" || first == "-" || first == "*" {
            try costLine(line, number: number)
            return
        }
        // "key=value" (body) or "key: value" (header); a key is lowercase letters.
        guard let end = line.firstIndex(where: { !($0.isLetter && $0.isLowercase) }), end > line.startIndex,
              line[end] == "=" || line[end] == ":" else {
            throw fail(number, "expected `key: value`, `key=value` or a cost line, got \"\(line.prefix(60))\"")
        }
        let key = line[..<end]
        let value = line[line.index(after: end)...].drop(while: { $0 == " " })
        if line[end] == ":" {
            try header(String(key), value, number: number)
        } else {
            try body(String(key), value, number: number)
        }
    }

    mutating func header(_ key: String, _ value: Substring, number: Int) throws(InstructionCountError) {
        switch key {
        case "events":
            events = value.split(separator: " ").map(String.init)
            guard !events.isEmpty else { throw fail(number, "`events:` names no event") }
            eventIndex = events.firstIndex(of: "Ir") ?? 0
            let found = CallgrindProfile.cacheEvents.compactMap { events.firstIndex(of: $0) }
            cacheIndices = found.count == CallgrindProfile.cacheEvents.count ? found : nil
        case "positions":
            positions = value.split(separator: " ").count
            guard (1...2).contains(positions) else { throw fail(number, "unsupported `positions: \(value)`") }
        case "totals", "summary":
            // Both say the same (summary in the header, totals at the end); totals wins.
            guard !events.isEmpty else { throw fail(number, "`\(key):` before `events:`") }
            let counts = try costs(value.split(separator: " "), number: number).value
            if key == "totals" || total == nil { total = counts }
        case "cmd":
            command = String(value)
        default:
            break  // version, creator, pid, part, thread, desc, event: nothing we need
        }
    }

    mutating func body(_ key: String, _ value: Substring, number: Int) throws(InstructionCountError) {
        switch key {
        case "fn":
            let context = try name(value, number: number)
            current = context
            currentFunction = CallgrindProfile.function(ofContext: context)
            if currentFunction != context { sawContexts = true }
            pendingCall = nil
        case "cfn":
            called = try name(value, number: number)
        case "calls":
            guard let callee = called else { throw fail(number, "`calls=` without a preceding `cfn=`") }
            guard let countText = value.split(separator: " ").first, let count = UInt64(countText) else {
                throw fail(number, "`calls=` needs a call count, got \"\(value)\"")
            }
            pendingCall = (callee, count)
        case "ob", "fl", "fi", "fe", "cob", "cfi", "cfl", "jump", "jcnd":
            break  // objects, files and jumps do not change which function a cost belongs to
        default:
            throw fail(number, "unknown specification `\(key)=`")
        }
    }

    /// `(id) name` defines a compressed name, `(id)` uses one, a bare `name` is itself.
    mutating func name(_ value: Substring, number: Int) throws(InstructionCountError) -> String {
        guard value.first == "(" else { return String(value) }
        guard let close = value.firstIndex(of: ")") else { throw fail(number, "unterminated name id in \"\(value)\"") }
        let id = String(value[value.index(after: value.startIndex)..<close])
        let rest = value[value.index(after: close)...].drop(while: { $0 == " " })
        if rest.isEmpty {
            guard let known = names[id] else { throw fail(number, "name id (\(id)) used before it was defined") }
            return known
        }
        names[id] = String(rest)
        return String(rest)
    }

    mutating func costLine(_ line: Substring, number: Int) throws(InstructionCountError) {
        guard !events.isEmpty else { throw fail(number, "cost line before `events:`") }
        guard let context = current else { throw fail(number, "cost line before any `fn=`") }
        let function = currentFunction
        let fields = line.split(separator: " ")
        guard fields.count >= positions else { throw fail(number, "cost line without its \(positions) position(s)") }
        let (counts, cycles) = try costs(fields.dropFirst(positions), number: number)
        contextInclusive[context] = try add(contextInclusive[context] ?? 0, counts, number: number)
        var caller = functions[function] ?? CallgrindProfile.Function()
        caller.inclusiveCost = try add(caller.inclusiveCost, counts, number: number)
        caller.inclusiveCycles = try add(caller.inclusiveCycles, cycles, number: number)
        if let call = pendingCall {
            pendingCall = nil
            functions[function] = caller
            let calleeFunction = CallgrindProfile.function(ofContext: call.callee)
            var callee = functions[calleeFunction] ?? CallgrindProfile.Function()
            callee.calls = try add(callee.calls, call.count, number: number)
            functions[calleeFunction] = callee
            calls[function, default: [:]][calleeFunction] = try add(calls[function]?[calleeFunction] ?? 0, counts, number: number)
            contextCalls[context, default: [:]][call.callee] = try add(contextCalls[context]?[call.callee] ?? 0, counts, number: number)
        } else {
            caller.selfCost = try add(caller.selfCost, counts, number: number)
            caller.selfCycles = try add(caller.selfCycles, cycles, number: number)
            functions[function] = caller
            selfSum = try add(selfSum, counts, number: number)
        }
    }

    /// The chosen event's count from a list of event counts (absent trailing counts are zero), and
    /// the line's estimated cycles (0 without the cache simulation's events).
    func costs(_ fields: some Sequence<Substring>, number: Int) throws(InstructionCountError) -> (value: UInt64, cycles: UInt64) {
        var value: UInt64 = 0
        var all: [UInt64] = []
        for (i, field) in fields.enumerated() {
            guard let v = UInt64(field) else { throw fail(number, "cost \"\(field.prefix(30))\" is not a 64-bit count") }
            if i == eventIndex { value = v }
            if cacheIndices != nil { all.append(v) }
        }
        guard let cacheIndices else { return (value, 0) }
        guard let cycles = CallgrindProfile.estimatedCycles(cacheIndices.map { $0 < all.count ? all[$0] : 0 }) else {
            throw fail(number, "estimated cycles overflow 64 bits")
        }
        return (value, cycles)
    }

    func add(_ a: UInt64, _ b: UInt64, number: Int) throws(InstructionCountError) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw fail(number, "costs overflow 64 bits") }
        return sum
    }

    func finish(lines: Int) throws(InstructionCountError) {
        guard !events.isEmpty else { throw fail(lines, "no `events:` line: empty or truncated file") }
        if pendingCall != nil { throw fail(lines, "the file ends after a `calls=` line: truncated") }
    }
}
