import BenchModel
import Foundation

/// A comparison operator in a threshold expression.
public enum ThresholdOperator: String, Sendable, Codable, CaseIterable {
    case lessThan = "<"
    case lessOrEqual = "<="
    case greaterThan = ">"
    case greaterOrEqual = ">="
    case equal = "=="
    case notEqual = "!="

    /// Whether `value OP limit` holds.
    public func holds(_ value: Double, _ limit: Double) -> Bool {
        switch self {
        case .lessThan: value < limit
        case .lessOrEqual: value <= limit
        case .greaterThan: value > limit
        case .greaterOrEqual: value >= limit
        case .equal: value == limit
        case .notEqual: value != limit
        }
    }
}

/// Which part of a run a threshold looks at.
public enum ThresholdScope: Sendable, Equatable, Hashable {
    /// The whole run's summary (no prefix).
    case run
    /// `phase[N].METRIC`: the scenario's phase N (0-based), i.e. every ``PhaseSummary`` with `scenarioPhase == N`
    /// (a closed phase with several concurrency levels has one entry per level).
    case phaseIndex(Int)
    /// `phase:KIND.METRIC`: every ``PhaseSummary`` whose kind is `KIND` (`closed` also matches `closed@20`).
    case phaseKind(String)
}

/// A k6-style threshold, e.g. `e2e.p99 < 5ms`, `throughput > 1000/s`, `cache.hit_rate > 0.8`,
/// `phase[1].throughput >= 20/s`. The limit is held in the metric's base unit (ns for latency,
/// episodes/s for throughput, bytes for sizes, percent for `_pct` metrics, a fraction for ratios).
public struct Threshold: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public var expression: String
    public var scope: ThresholdScope
    /// The metric path without the scope prefix, e.g. `e2e.p99`.
    public var metric: String
    public var op: ThresholdOperator
    /// The limit in the metric's base unit.
    public var limit: Double
    /// The metric's unit, from its catalogue entry.
    public var unit: MetricUnit

    public init(expression: String, scope: ThresholdScope = .run, metric: String, op: ThresholdOperator, limit: Double, unit: MetricUnit) {
        self.expression = expression
        self.scope = scope
        self.metric = metric
        self.op = op
        self.limit = limit
        self.unit = unit
    }

    public var description: String { expression }

    /// Parses `[SCOPE.]METRIC OP VALUE`. `METRIC` must be in `catalogue` (the workload's and the
    /// harness's metrics). `VALUE`'s unit must suit the metric: a duration
    /// (`5ms`) for latency, a rate (`1000/s` or bare) for throughput, a size (`512KB` or bare bytes)
    /// for byte metrics, a bare number or `5%` for percent metrics, a fraction or `80%` for fractions,
    /// a bare number otherwise. `SCOPE` is `phase[N]` or `phase:KIND`; with `phaseCount`, N is checked.
    /// - Throws: ``ThresholdError`` quoting the expression and saying what was expected.
    public static func parse(_ expression: String, catalogue: MetricCatalogue, phaseCount: Int? = nil) throws(ThresholdError) -> Threshold {
        func fail(_ reason: String) -> ThresholdError { .invalid(expression: expression, reason: reason) }
        var rest = Substring(expression.strippingBlanks)
        guard !rest.isEmpty else { throw fail("empty; expected METRIC OP VALUE, e.g. e2e.p99 < 5ms") }

        let scope = try parseScope(&rest, expression: expression, phaseCount: phaseCount)
        let operatorCharacters: Set<Character> = ["<", ">", "=", "!"]
        let metric = String(rest.prefix { !operatorCharacters.contains($0) && $0 != " " && $0 != "\t" })
        rest = rest.dropFirst(metric.count).drop { $0 == " " || $0 == "\t" }
        let opText = String(rest.prefix { operatorCharacters.contains($0) })
        let valueText = rest.dropFirst(opText.count).strippingBlanks
        let operators = ThresholdOperator.allCases.map(\.rawValue).joined(separator: " ")
        guard !metric.isEmpty else { throw fail("missing the metric; expected METRIC OP VALUE, e.g. e2e.p99 < 5ms") }
        guard !opText.isEmpty else {
            throw fail("expected an operator (\(operators)) after \"\(metric)\", e.g. \(metric) < VALUE")
        }
        guard let op = ThresholdOperator(rawValue: opText) else {
            let hint = opText == "=" ? "; use == to test equality" : ""
            throw fail("unknown operator \"\(opText)\"; expected one of \(operators)\(hint)")
        }
        guard !valueText.isEmpty else { throw fail("missing the value after \"\(opText)\"") }
        guard let descriptor = catalogue.descriptor(metric) else {
            let known = catalogue.descriptors.map(\.key)
            throw .unknownMetric(expression: expression, metric: metric,
                                 suggestion: KeySuggestion.closest(to: metric, among: known), known: catalogue.knownMetricsSummary)
        }
        let unit = descriptor.unit
        guard let limit = parseValue(valueText, unit: unit) else {
            throw .badValue(expression: expression, value: valueText, reason: expectedValue(valueText, unit: unit))
        }
        // Unit conversion leaves binary noise (5ms → 5000000.000000001 ns); a limit written in decimal
        // should compare as that decimal, so round to 12 significant digits.
        let clean = Double(String(format: "%.12g", limit)) ?? limit
        return Threshold(expression: expression, scope: scope, metric: descriptor.key, op: op, limit: clean, unit: unit)
    }

    /// Consumes a `phase[N].` or `phase:KIND.` prefix.
    private static func parseScope(_ rest: inout Substring, expression: String, phaseCount: Int?) throws(ThresholdError) -> ThresholdScope {
        func fail(_ reason: String) -> ThresholdError { .invalid(expression: expression, reason: reason) }
        if rest.hasPrefix("phase[") {
            let afterBracket = rest.dropFirst("phase[".count)
            guard let close = afterBracket.firstIndex(of: "]"), let n = Int(afterBracket[..<close]), n >= 0,
                  afterBracket[afterBracket.index(after: close)...].hasPrefix(".") else {
                throw fail("expected a phase scope like phase[0].e2e.p99")
            }
            if let phaseCount, n >= phaseCount {
                throw fail("phase[\(n)] does not exist; the scenario has \(phaseCount) phase\(phaseCount == 1 ? "" : "s"), phase[0]…phase[\(phaseCount - 1)]")
            }
            rest = afterBracket[afterBracket.index(close, offsetBy: 2)...]
            return .phaseIndex(n)
        }
        if rest.hasPrefix("phase:") {
            let afterColon = rest.dropFirst("phase:".count)
            guard let dot = afterColon.firstIndex(of: ".") else { throw fail("expected a phase scope like phase:closed.e2e.p99") }
            let kind = String(afterColon[..<dot])
            let kinds = ["constant", "ramp", "step", "spike", "burst", "closed"]
            let parts = kind.split(separator: "@", omittingEmptySubsequences: false)
            guard kinds.contains(String(parts[0])), parts.count == 1 || (parts.count == 2 && Int(parts[1]) != nil) else {
                throw fail("unknown phase kind \"\(kind)\"; expected one of \(kinds.joined(separator: ", ")) (or closed@N for one concurrency level)")
            }
            rest = afterColon[afterColon.index(after: dot)...]
            return .phaseKind(kind)
        }
        return .run
    }

    /// `text` in the base unit of `unit`, or nil when it has the wrong form for it.
    static func parseValue(_ text: String, unit: MetricUnit) -> Double? {
        func number(_ s: some StringProtocol) -> Double? {
            guard let v = Double(s.strippingBlanks), v.isFinite else { return nil }
            return v
        }
        func dropping(_ suffix: String, _ s: String) -> String { s.hasSuffix(suffix) ? String(s.dropLast(suffix.count)) : s }
        switch unit {
        case .nanoseconds: return Units.duration(text).map { $0 * 1e9 }
        case .seconds: return Units.duration(text, bareSeconds: true)
        case .perSecond: return Units.rate(text)
        case .bytes: return Units.bytes(text)
        case .bytesPerEpisode: return Units.bytes(dropping("/episode", text))
        case .perEpisode: return number(dropping("/episode", text))
        case .percent: return number(dropping("%", text))
        case .fraction: return text.hasSuffix("%") ? number(text.dropLast()).map { $0 / 100 } : number(text)
        case .ratio: return number(text)
        case .count: return number(text)
        }
    }

    private static func expectedValue(_ text: String, unit: MetricUnit) -> String {
        if unit == .nanoseconds, Double(text) != nil { return "latency metrics need a duration unit like \(text)ms" }
        let expected = switch unit {
        case .nanoseconds: "a duration like 5ms (units ns, us, ms, s, m, h)"
        case .seconds: "seconds like 2.5 or a duration like 2500ms"
        case .perSecond: "a rate like 1000/s (or a bare number of episodes/s)"
        case .bytes: "a size like 512KB, 64MiB or a bare number of bytes"
        case .bytesPerEpisode: "a size per episode like 2KB or 2048"
        case .perEpisode: "a number per episode like 12"
        case .percent: "a percentage like 5 or 5%"
        case .fraction: "a fraction like 0.8 (or a percentage like 80%)"
        case .ratio: "a number like 1.5"
        case .count: "a number like 0"
        }
        return "got \"\(text)\", expected \(expected)"
    }

}

extension MetricCatalogue {
    /// The known metrics in a compact form for messages: `{e2e, parse, …}.{p50, …}, throughput, …`.
    public var knownMetricsSummary: String { MetricCatalogue.compactList(descriptors) }
}

/// A threshold checked against a run: what goes into `result.json`, plus a sentence saying why.
public struct ThresholdEvaluation: Sendable, Equatable, CustomStringConvertible {
    public var result: ThresholdResult
    /// Why it passed or failed, e.g. `e2e.p99 = 4.20ms, limit < 5.00ms` or
    /// `no parse latency was recorded in the run` when the metric is missing.
    public var reason: String

    public init(result: ThresholdResult, reason: String) {
        self.result = result
        self.reason = reason
    }

    public var passed: Bool { result.passed }

    /// `pass  e2e.p99 < 5ms: e2e.p99 = 4.20ms, limit < 5.00ms`
    public var description: String {
        "\(passed ? "pass" : "FAIL")  \(result.expression): \(reason)"
    }
}

extension Threshold {
    /// Evaluates the threshold on a result (its summary, or its phases for a phase scope).
    public func evaluate(_ result: BenchResult) -> ThresholdEvaluation {
        evaluate(summary: result.summary, phases: result.phases)
    }

    /// Evaluates every threshold on `result` and stores the outcomes in it.
    public static func evaluate(_ thresholds: [Threshold], into result: inout BenchResult) {
        result.thresholds = thresholds.map { $0.evaluate(result).result }
    }

    /// Evaluates on `summary` (run scope) or on the ``PhaseSummary``s the scope selects. When a scope
    /// selects several entries (a closed phase reported per concurrency level) every one must pass,
    /// and the worst is reported. A metric the run lacks fails, with value nil and the reason.
    public func evaluate(summary: RunSummary, phases: [PhaseSummary] = []) -> ThresholdEvaluation {
        let spans: [(label: String, stats: RunSummary)]
        switch scope {
        case .run:
            spans = [("run", summary)]
        case .phaseIndex(let n):
            spans = phases.filter { $0.scenarioPhase == n }.map { ($0.label, $0.stats) }
            if spans.isEmpty { return missing("the run has no phase[\(n)]") }
        case .phaseKind(let kind):
            spans = phases.filter { $0.matches(kind: kind) }.map { ($0.label, $0.stats) }
            if spans.isEmpty { return missing("the run has no \(kind) phase") }
        }
        var measured: [(label: String, value: Double)] = []
        for span in spans {
            switch value(in: span.stats) {
            case .success(let v): measured.append((span.label, v))
            case .failure(let why): return missing(spans.count > 1 ? "\(span.label): \(why.reason)" : why.reason)
            }
        }
        let failing = measured.filter { !op.holds($0.value, limit) }
        let pool = failing.isEmpty ? measured : failing
        let worst: (label: String, value: Double) = switch op {
        case .lessThan, .lessOrEqual: pool.max { $0.value < $1.value }!
        case .greaterThan, .greaterOrEqual: pool.min { $0.value < $1.value }!
        case .equal, .notEqual: pool[0]
        }
        let passed = failing.isEmpty
        var reason = "\(metric) = \(format(worst.value)), " + (passed ? "limit" : "not") + " \(op.rawValue) \(format(limit))"
        if measured.count > 1 { reason += " (worst of \(measured.count): \(worst.label))" }
        let result = ThresholdResult(expression: expression, metric: metric, op: op.rawValue, limit: limit,
                                     value: worst.value, passed: passed, reason: reason)
        return ThresholdEvaluation(result: result, reason: reason)
    }

    private struct Missing: Error { var reason: String }

    /// The metric's value in `stats`, or why it has none.
    private func value(in stats: RunSummary) -> Result<Double, Missing> {
        if unit == .nanoseconds, let dot = metric.lastIndex(of: ".") {
            let stage = String(metric[..<dot])
            guard (stats.metric("\(stage).count") ?? 0) > 0 else {
                return .failure(Missing(reason: "no \(stage) latency was recorded in the run"))
            }
        }
        guard let v = stats.metric(metric) else {
            let hint = metric.hasPrefix("memory.") ? " (allocator statistics need the jemalloc build)"
                : " (nothing it is computed from was counted)"
            return .failure(Missing(reason: "the run did not produce \(metric)\(hint)"))
        }
        return .success(v)
    }

    private func missing(_ reason: String) -> ThresholdEvaluation {
        ThresholdEvaluation(result: ThresholdResult(expression: expression, metric: metric, op: op.rawValue, limit: limit,
                                                    value: nil, passed: false, reason: reason),
                            reason: reason)
    }

    /// `v` (in the metric's base unit) the way a person reads it: `4.20ms`, `1,000/s`, `16.0 KiB`.
    public func format(_ v: Double) -> String { unit.format(v) }
}

/// Why a threshold expression was rejected. Messages quote the expression: `threshold "…": …`.
public enum ThresholdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not of the form `[SCOPE.]METRIC OP VALUE`, or a bad scope.
    case invalid(expression: String, reason: String)
    /// A metric no run can have; `known` lists the valid ones compactly.
    case unknownMetric(expression: String, metric: String, suggestion: String?, known: String)
    /// A value whose form does not suit the metric's unit; `reason` quotes it and says what fits.
    case badValue(expression: String, value: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let expression, let reason):
            "threshold \"\(expression)\": \(reason)"
        case .unknownMetric(let expression, let metric, let suggestion, let known):
            "threshold \"\(expression)\": unknown metric \"\(metric)\"; "
                + (suggestion.map { "did you mean \"\($0)\"? " } ?? "") + "known: \(known)"
        case .badValue(let expression, _, let reason):
            "threshold \"\(expression)\": \(reason)"
        }
    }
}

extension PhaseSummary {
    /// Whether `phase:KIND.` selects this entry: its kind, or `closed@N` for the closed-loop entry
    /// at concurrency N.
    func matches(kind selector: String) -> Bool {
        if selector == kind { return true }
        let parts = selector.split(separator: "@", maxSplits: 1)
        guard parts.count == 2, parts[0] == kind, let n = Int(parts[1]) else { return false }
        return concurrency == n
    }
}
