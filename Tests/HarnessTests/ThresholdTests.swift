import BenchModel
import Harness
import Testing

private let stages = ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit"]
private let catalogue = testCatalogue(stages: stages)

/// A catalogue with the given stages and a cache's hit rate, as the pipeline declares one.
func testCatalogue(stages: [String]) -> MetricCatalogue {
    MetricCatalogue.standard(for: WorkloadVocabulary(
        name: "test", stages: stages.map { s in .init(s, parent: s.hasPrefix("PHI.") ? "PHI" : nil) },
        counters: ["phi.hits", "phi.misses"],
        metrics: [MetricDescriptor(key: "phi.cache_hit_rate", label: "Φ cache hit rate", unit: .fraction, direction: .higherIsBetter,
                                   source: .ratio(["phi.hits"], over: ["phi.hits", "phi.misses"]))]))
}

struct ValidThreshold: CustomTestStringConvertible, Sendable {
    var expression: String
    var metric: String
    var op: ThresholdOperator
    var limit: Double
    var scope: ThresholdScope = .run
    var testDescription: String { expression }
}

struct InvalidThreshold: CustomTestStringConvertible, Sendable {
    var expression: String
    var message: String
    var testDescription: String { expression.isEmpty ? "(empty)" : expression }
}

@Suite struct ThresholdTests {
    static let valid: [ValidThreshold] = [
        ValidThreshold(expression: "e2e.p99 < 5ms", metric: "e2e.p99", op: .lessThan, limit: 5e6),
        ValidThreshold(expression: "e2e.p50<200us", metric: "e2e.p50", op: .lessThan, limit: 2e5),
        ValidThreshold(expression: "  e2e.max   <=   1.5s  ", metric: "e2e.max", op: .lessOrEqual, limit: 1.5e9),
        ValidThreshold(expression: "ESGT.p95 <= 1ms", metric: "ESGT.p95", op: .lessOrEqual, limit: 1e6),
        ValidThreshold(expression: "PHI.hit.p99 < 800ns", metric: "PHI.hit.p99", op: .lessThan, limit: 800),
        ValidThreshold(expression: "e2e.count >= 100", metric: "e2e.count", op: .greaterOrEqual, limit: 100),
        ValidThreshold(expression: "throughput > 1000/s", metric: "throughput", op: .greaterThan, limit: 1000),
        ValidThreshold(expression: "throughput >= 1000", metric: "throughput", op: .greaterOrEqual, limit: 1000),
        ValidThreshold(expression: "throughput > 600/m", metric: "throughput", op: .greaterThan, limit: 10),
        ValidThreshold(expression: "memory.rss_growth_pct < 5", metric: "memory.rss_growth_pct", op: .lessThan, limit: 5),
        ValidThreshold(expression: "memory.rss_growth_pct < 5%", metric: "memory.rss_growth_pct", op: .lessThan, limit: 5),
        ValidThreshold(expression: "phi.cache_hit_rate > 0.8", metric: "phi.cache_hit_rate", op: .greaterThan, limit: 0.8),
        ValidThreshold(expression: "phi.cache_hit_rate > 80%", metric: "phi.cache_hit_rate", op: .greaterThan, limit: 0.8),
        ValidThreshold(expression: "errors == 0", metric: "errors", op: .equal, limit: 0),
        ValidThreshold(expression: "dropped != 0", metric: "dropped", op: .notEqual, limit: 0),
        ValidThreshold(expression: "memory.rss_peak_bytes < 512KB", metric: "memory.rss_peak_bytes", op: .lessThan, limit: 512_000),
        ValidThreshold(expression: "memory.rss_peak_bytes < 1MiB", metric: "memory.rss_peak_bytes", op: .lessThan, limit: 1_048_576),
        ValidThreshold(expression: "memory.rss_peak_bytes < 4096", metric: "memory.rss_peak_bytes", op: .lessThan, limit: 4096),
        ValidThreshold(expression: "memory.bytes_allocated_per_episode < 2KB", metric: "memory.bytes_allocated_per_episode",
                       op: .lessThan, limit: 2000),
        ValidThreshold(expression: "memory.allocations_per_episode < 40/episode", metric: "memory.allocations_per_episode",
                       op: .lessThan, limit: 40),
        ValidThreshold(expression: "cpu.user_s < 2", metric: "cpu.user_s", op: .lessThan, limit: 2),
        ValidThreshold(expression: "cpu.user_s < 500ms", metric: "cpu.user_s", op: .lessThan, limit: 0.5),
        ValidThreshold(expression: "phase[1].throughput > 20/s", metric: "throughput", op: .greaterThan, limit: 20, scope: .phaseIndex(1)),
        ValidThreshold(expression: "phase:closed.e2e.p99 < 5ms", metric: "e2e.p99", op: .lessThan, limit: 5e6, scope: .phaseKind("closed")),
        ValidThreshold(expression: "phase:closed@20.e2e.p99 < 5ms", metric: "e2e.p99", op: .lessThan, limit: 5e6,
                       scope: .phaseKind("closed@20")),
    ]

    @Test(arguments: valid)
    func parsesWithUnitsInTheMetricsBaseUnit(_ c: ValidThreshold) throws {
        let t = try Threshold.parse(c.expression, catalogue: catalogue, phaseCount: 3)
        #expect(t.expression == c.expression)
        #expect(t.metric == c.metric)
        #expect(t.op == c.op)
        #expect(abs(t.limit - c.limit) <= abs(c.limit) * 1e-12)
        #expect(t.scope == c.scope)
        #expect(t.unit == catalogue.descriptor(c.metric)?.unit)
    }

    static let invalid: [InvalidThreshold] = [
        InvalidThreshold(expression: "", message: "threshold \"\": empty; expected METRIC OP VALUE"),
        InvalidThreshold(expression: "e2e.p99 < 5", message: "threshold \"e2e.p99 < 5\": latency metrics need a duration unit like 5ms"),
        InvalidThreshold(expression: "ESGT.p95 <= 0.5",
                         message: "threshold \"ESGT.p95 <= 0.5\": latency metrics need a duration unit like 0.5ms"),
        InvalidThreshold(expression: "e3e.p99 < 5ms",
                         message: "threshold \"e3e.p99 < 5ms\": unknown metric \"e3e.p99\"; did you mean \"e2e.p99\"? known: {e2e, service, lateness, MMEI"),
        InvalidThreshold(expression: "ESGT.p98 < 1ms", message: "threshold \"ESGT.p98 < 1ms\": unknown metric \"ESGT.p98\""),
        InvalidThreshold(expression: "GPU.p99 < 1ms", message: "unknown metric \"GPU.p99\""),
        InvalidThreshold(expression: "thruput > 5/s", message: "unknown metric \"thruput\""),
        InvalidThreshold(expression: "e2e.p99 5ms", message: "threshold \"e2e.p99 5ms\": expected an operator (< <= > >= == !=)"),
        InvalidThreshold(expression: "e2e.p99 = 5ms", message: "unknown operator \"=\"; expected one of < <= > >= == !=; use == to test equality"),
        InvalidThreshold(expression: "e2e.p99 =< 5ms", message: "unknown operator \"=<\""),
        InvalidThreshold(expression: "e2e.p99 <", message: "threshold \"e2e.p99 <\": missing the value after \"<\""),
        InvalidThreshold(expression: "< 5ms", message: "threshold \"< 5ms\": missing the metric"),
        InvalidThreshold(expression: "e2e.p99 < 5ms < 6ms", message: "got \"5ms < 6ms\", expected a duration like 5ms"),
        InvalidThreshold(expression: "e2e.p99 < infms", message: "got \"infms\", expected a duration"),
        InvalidThreshold(expression: "e2e.p99 < 5 parsecs", message: "got \"5 parsecs\", expected a duration"),
        InvalidThreshold(expression: "throughput > fast", message: "threshold \"throughput > fast\": got \"fast\", expected a rate like 1000/s"),
        InvalidThreshold(expression: "throughput > 5ms", message: "got \"5ms\", expected a rate"),
        InvalidThreshold(expression: "phi.cache_hit_rate > high", message: "got \"high\", expected a fraction like 0.8"),
        InvalidThreshold(expression: "memory.rss_growth_pct < 5ms", message: "got \"5ms\", expected a percentage"),
        InvalidThreshold(expression: "memory.rss_peak_bytes < 5 parsecs", message: "got \"5 parsecs\", expected a size like 512KB"),
        InvalidThreshold(expression: "errors == none", message: "threshold \"errors == none\": got \"none\", expected a number"),
        InvalidThreshold(expression: "errors == nan", message: "got \"nan\", expected a number"),
        InvalidThreshold(expression: "phase[9].e2e.p99 < 5ms", message: "phase[9] does not exist; the scenario has 3 phases"),
        InvalidThreshold(expression: "phase[x].e2e.p99 < 5ms", message: "expected a phase scope like phase[0].e2e.p99"),
        InvalidThreshold(expression: "phase[1]e2e.p99 < 5ms", message: "expected a phase scope like phase[0].e2e.p99"),
        InvalidThreshold(expression: "phase:warp.e2e.p99 < 5ms", message: "unknown phase kind \"warp\""),
        InvalidThreshold(expression: "phase:closed", message: "expected a phase scope like phase:closed.e2e.p99"),
    ]

    @Test(arguments: invalid)
    func malformedExpressionIsAnErrorQuotingIt(_ c: InvalidThreshold) {
        do throws(ThresholdError) {
            let t = try Threshold.parse(c.expression, catalogue: catalogue, phaseCount: 3)
            Issue.record("parsed: \(t)")
        } catch {
            #expect(error.description.hasPrefix("threshold \"\(c.expression)\": "), "\(error)")
            #expect(error.description.contains(c.message), "\(error)")
        }
    }

    @Test func aStageTheWorkloadLacksIsUnknown() throws {
        #expect(throws: ThresholdError.self) { try Threshold.parse("TIG.p99 < 1ms", catalogue: testCatalogue(stages: ["ESGT"])) }
        _ = try Threshold.parse("TIG.p99 < 1ms", catalogue: testCatalogue(stages: ["TIG"]))
    }
}

// MARK: - Evaluation

extension ThresholdTests {
    static func summary(e2eP99: Double = 4_000_000, throughput: Double = 1200, errors: UInt64 = 0, cacheLookups: Bool = true) -> RunSummary {
        var span = Span(seconds: 1000 / throughput, episodes: 1000, errors: errors,
                        counters: cacheLookups ? ["phi.hits": 90, "phi.misses": 10] : [:],
                        gauges: [SpanKey.rss: Gauge(start: 100_000_000, end: 103_000_000, peak: 104_000_000)])
        var e2e = LatencyHistogram()
        for v in [1_000, 2_000_000] { e2e.record(UInt64(v)) }
        span.histograms["e2e"] = e2e
        var summary = catalogue.summarize(span)
        summary.metrics["throughput"] = throughput
        // Round figures, so the expected messages below read plainly.
        for (stat, v) in [("count", 1000.0), ("min", 1000), ("mean", 2e6), ("p50", 2e6), ("p90", 3e6), ("p95", 3.5e6),
                          ("p99", e2eP99), ("p999", 6e6), ("max", 9e6)] {
            summary.metrics["e2e.\(stat)"] = v
        }
        summary.metrics["ESGT.count"] = 0
        return summary
    }

    private func evaluate(_ expression: String, _ summary: RunSummary = summary(), phases: [PhaseSummary] = []) throws
        -> ThresholdEvaluation {
        try Threshold.parse(expression, catalogue: catalogue).evaluate(summary: summary, phases: phases)
    }

    @Test(arguments: [
        ("e2e.p99 < 5ms", true), ("e2e.p99 < 4ms", false), ("e2e.p99 <= 4ms", true), ("e2e.p99 < 4000us", false),
        ("e2e.p99 < 4000001ns", true), ("e2e.p99 > 1ms", true), ("e2e.max < 10ms", true), ("e2e.max < 0.009s", false),
        ("throughput > 1000/s", true), ("throughput > 1500/s", false), ("throughput >= 72000/m", true),
        ("errors == 0", true), ("errors != 0", false),
        ("phi.cache_hit_rate > 0.8", true), ("phi.cache_hit_rate > 95%", false),
        ("memory.rss_growth_pct < 5", true), ("memory.rss_growth_pct < 2%", false),
        ("memory.rss_peak_bytes < 100MiB", true), ("memory.rss_peak_bytes < 100MB", false),
    ])
    func evaluatesWithUnitsConverted(_ expression: String, _ passes: Bool) throws {
        let e = try evaluate(expression)
        #expect(e.passed == passes, "\(e)")
        #expect(e.result.value != nil)
        #expect(e.result.expression == expression)
    }

    @Test func resultCarriesTheMeasuredValueAndTheLimitInBaseUnits() throws {
        let e = try evaluate("e2e.p99 < 3ms")
        #expect(e.result == ThresholdResult(expression: "e2e.p99 < 3ms", metric: "e2e.p99", op: "<", limit: 3e6, value: 4e6, passed: false,
                                               reason: "e2e.p99 = 4.00ms, not < 3.00ms"))
        #expect(e.reason == "e2e.p99 = 4.00ms, not < 3.00ms")
        #expect(e.description == "FAIL  e2e.p99 < 3ms: e2e.p99 = 4.00ms, not < 3.00ms")
        let ok = try evaluate("throughput > 1000/s")
        #expect(ok.reason == "throughput = 1,200/s, limit > 1,000/s")
    }

    @Test func errorsFailWhenThereAreAny() throws {
        let e = try evaluate("errors == 0", Self.summary(errors: 3))
        #expect(!e.passed && e.result.value == 3)
    }

    @Test(arguments: [
        ("PHI.p99 < 1ms", "no PHI latency was recorded"),
        ("ESGT.p99 < 1ms", "no ESGT latency was recorded"),
        ("memory.allocations_per_episode < 10", "did not produce memory.allocations_per_episode"),
        ("phase[2].throughput > 1", "the run has no phase[2]"),
        ("phase:spike.throughput > 1", "the run has no spike phase"),
    ])
    func aMissingMetricFailsWithTheReason(_ expression: String, _ reason: String) throws {
        let e = try evaluate(expression)
        #expect(!e.passed && e.result.value == nil)
        #expect(e.reason.contains(reason), "\(e.reason)")
    }

    @Test func aCacheThatWasNeverLookedUpHasNoHitRate() throws {
        let e = try evaluate("phi.cache_hit_rate < 0.5", Self.summary(cacheLookups: false))
        #expect(!e.passed && e.result.value == nil)
    }

    @Test func phaseScopeTakesTheWorstOfTheMatchingPhases() throws {
        func phase(_ index: Int, _ kind: String, concurrency: Int = 1, throughput: Double) -> PhaseSummary {
            PhaseSummary(index: index, scenarioPhase: index == 0 ? 0 : 1, kind: kind,
                         label: kind == "closed" ? "closed c=\(concurrency)" : kind, targetRate: nil, concurrency: concurrency,
                         maxQueueDepth: 0, drainSeconds: nil, startSeconds: 0, durationSeconds: 1,
                         stats: Self.summary(throughput: throughput))
        }
        let phases = [phase(0, "constant", throughput: 15), phase(1, "closed", concurrency: 1, throughput: 25),
                      phase(2, "closed", concurrency: 5, throughput: 18), phase(3, "closed", concurrency: 10, throughput: 30)]
        let all = try evaluate("phase[1].throughput > 20/s", phases: phases)
        #expect(!all.passed && all.result.value == 18)
        #expect(all.reason.contains("worst of 3: closed c=5"), "\(all.reason)")
        #expect(try evaluate("phase[1].throughput > 10/s", phases: phases).result.value == 18)
        #expect(try evaluate("phase[1].throughput < 40/s", phases: phases).result.value == 30)
        #expect(try evaluate("phase:closed@1.throughput > 20/s", phases: phases).passed)
        #expect(try evaluate("phase:closed.throughput > 16/s", phases: phases).passed)
        #expect(try !evaluate("phase:constant.throughput > 16/s", phases: phases).passed)
        #expect(try evaluate("throughput > 1000/s", phases: phases).passed, "run scope ignores phases")
    }

    @Test(arguments: ThresholdOperator.allCases)
    func operatorsCompareAsWritten(_ op: ThresholdOperator) {
        let expected: (Bool, Bool, Bool) = switch op { // 1 OP 2, 2 OP 2, 3 OP 2
        case .lessThan: (true, false, false)
        case .lessOrEqual: (true, true, false)
        case .greaterThan: (false, false, true)
        case .greaterOrEqual: (false, true, true)
        case .equal: (false, true, false)
        case .notEqual: (true, false, true)
        }
        #expect(op.holds(1, 2) == expected.0 && op.holds(2, 2) == expected.1 && op.holds(3, 2) == expected.2)
    }
}
