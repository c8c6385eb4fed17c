import BenchModel
import Foundation
import History
import Statistics

/// What a metric is, as far as the gate needs to know.
public struct ABMetricInfo: Sendable, Equatable, Codable {
    /// True: higher is worse; false: lower is worse; nil: informational (never gated).
    public var higherIsWorse: Bool?
    /// In the catalogue's default gate.
    public var gatedByDefault: Bool
    public var unit: MetricUnit

    public init(higherIsWorse: Bool?, gatedByDefault: Bool, unit: MetricUnit) {
        self.higherIsWorse = higherIsWorse
        self.gatedByDefault = gatedByDefault
        self.unit = unit
    }
}

/// One process of one side: its instances' values per metric.
public struct ABUnit: Sendable, Equatable, Codable {
    public var side: ABSideID
    /// 0-based among the side's processes.
    public var index: Int
    /// Per metric key, one value per workload instance (complete trial) the process ran.
    public var values: [String: [Double]]
    public var metrics: [String: ABMetricInfo]
    public var seconds: Double
    /// Host steal time while the process ran (/proc/stat), seconds; nil where unreadable.
    public var stealSeconds: Double?
    /// Where its result.json is (for the merged per-side results).
    public var resultFile: String?

    public init(side: ABSideID, index: Int, values: [String: [Double]], metrics: [String: ABMetricInfo], seconds: Double,
                stealSeconds: Double? = nil, resultFile: String? = nil) {
        self.side = side
        self.index = index
        self.values = values
        self.metrics = metrics
        self.seconds = seconds
        self.stealSeconds = stealSeconds
        self.resultFile = resultFile
    }

    enum CodingKeys: String, CodingKey {
        case side, index, values, seconds
        case stealSeconds = "stealS"
        case resultFile = "result"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        side = try c.decode(ABSideID.self, forKey: .side)
        index = try c.decode(Int.self, forKey: .index)
        values = try c.decode([String: [Double]].self, forKey: .values)
        seconds = try c.decode(Double.self, forKey: .seconds)
        stealSeconds = try c.decodeIfPresent(Double.self, forKey: .stealSeconds)
        resultFile = try c.decodeIfPresent(String.self, forKey: .resultFile)
        metrics = [:]
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(side, forKey: .side)
        try c.encode(index, forKey: .index)
        try c.encode(values, forKey: .values)
        try c.encode(seconds, forKey: .seconds)
        try c.encodeIfPresent(stealSeconds, forKey: .stealSeconds)
        try c.encodeIfPresent(resultFile, forKey: .resultFile)
    }
}

/// Runs processes of either side: the real one spawns phibench binaries, tests simulate.
public protocol ABUnitSource {
    mutating func run(_ side: ABSideID, index: Int) throws(ABError) -> ABUnit
}

/// Which metrics the gate judges and how.
public struct ABGateSpec: Sendable, Equatable {
    /// Key patterns (`*` wildcards); nil: every metric the catalogue gates by default.
    public var patterns: [String]?
    /// The primary metric (the larger α share); nil: none (α split evenly).
    public var primary: String?
    /// Latency changes smaller than this are never a regression (the threshold rises to meet it).
    public var latencyFloorNanoseconds: Double
    /// True when the user named the primary: then it must be gated (else it is used where present).
    public var primaryRequired: Bool

    public init(patterns: [String]? = nil, primary: String? = MetricKey.e2e(.p50), primaryRequired: Bool = false,
                latencyFloorNanoseconds: Double = 100) {
        self.patterns = patterns
        self.primary = primary
        self.primaryRequired = primaryRequired
        self.latencyFloorNanoseconds = latencyFloorNanoseconds
    }
}

/// The one A/B loop: processes of A and B in rounds whose order is drawn from a recorded seed, a
/// look after every block, and a stop as soon as every gated metric is decided (or one regressed),
/// or when the plan's budget is spent.
public struct ABEngine {
    public var plan: ABPlan
    public var gate: ABGateSpec
    /// Called after every look (progress output).
    public var onLook: (ABLookRecord) -> Void = { _ in }
    /// Stops after the current process when it returns true (SIGINT).
    public var shouldStop: () -> Bool = { false }
    /// Seconds since the start; injectable so tests can simulate slow processes.
    public var clock: () -> Double
    /// Boundaries of designs already seen (a simulation runs one design many times).
    public var boundaries = GroupSequential.Cache()

    public init(plan: ABPlan, gate: ABGateSpec, clock: @escaping () -> Double = ABEngine.monotonicSeconds()) {
        self.plan = plan
        self.gate = gate
        self.clock = clock
    }

    /// A clock that reads 0 at its creation.
    public static func monotonicSeconds() -> () -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        return { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    }

    public func run<S: ABUnitSource>(_ source: inout S) throws(ABError) -> ABOutcome {
        try plan.validate()
        var rng = SplitMix64(seed: plan.seed)
        var units: [ABUnit] = []
        var order = ""
        let start = clock()
        var interrupted = false

        func pairs(_ count: Int) throws(ABError) {
            for _ in 0..<count {
                if shouldStop() { interrupted = true; return }
                let aFirst = rng.next() & 1 == 0
                let index = units.count / 2
                for side in aFirst ? [ABSideID.a, .b] : [.b, .a] {
                    units.append(try source.run(side, index: index))
                }
                order += aFirst ? "AB " : "BA "
            }
        }

        try pairs(plan.firstLook)
        let family = try resolveFamily(units)
        // The plan: as many processes a side as the budget holds at the first block's pace.
        let perPair = max(1e-6, (clock() - start) / Double(plan.firstLook))
        var maxUnits = min(plan.maxProcesses, Int((plan.budgetSeconds / perPair).rounded(.down)))
        maxUnits = max(plan.firstLook, plan.firstLook + (maxUnits - plan.firstLook) / plan.block * plan.block)
        let looks = Array(stride(from: plan.firstLook, through: maxUnits, by: plan.block))
        var sequential = SequentialGate(metrics: family, looks: looks, power: plan.power, trim: plan.trim, cache: boundaries)

        var records: [ABLookRecord] = []
        var stopReason = ""
        var lookIndex = 0
        while true {
            let n = units.count / 2
            if !interrupted, lookIndex < sequential.looks.count - 1 {
                // Will the next block fit the budget? If not, this look is the last.
                let elapsed = clock() - start
                if elapsed + perPairEstimate(units, elapsed) * Double(plan.block) > plan.budgetSeconds { sequential.truncate(at: n) }
            }
            if interrupted {
                // An interrupt mid-block: what was measured becomes the last look.
                sequential.truncate(at: n)
                lookIndex = sequential.looks.count - 1
            }
            let record = look(sequential, lookIndex, family, units, elapsed: clock() - start)
            records.append(record)
            onLook(record)
            let verdicts = record.metrics.map(\.verdict)
            if interrupted {
                stopReason = "interrupted after \(n) processes a side: the verdicts are those of the last look"
                break
            }
            if lookIndex == sequential.looks.count - 1 {
                stopReason = n >= plan.maxProcesses ? "reached --max-processes (\(plan.maxProcesses) a side)"
                    : "the budget (\(Int(plan.budgetSeconds)) s) allows no further block"
                break
            }
            if !plan.fixed {
                if let r = record.metrics.first(where: { $0.verdict == .regressed }) {
                    stopReason = "\(r.key) regressed beyond its boundary at look \(lookIndex + 1)"
                    break
                }
                if verdicts.allSatisfy({ $0 == .within || $0 == .improved }) {
                    stopReason = "every gated metric decided (within the threshold or improved) at look \(lookIndex + 1)"
                    break
                }
                // Stopping is always safe for the false-alarm rate (it only forgoes later chances to
                // find a regression), so the gate does not wait for metrics the budget cannot resolve:
                // once the primary is decided, a secondary whose MDE at the full budget is more than
                // twice its threshold stays inconclusive rather than cost the whole budget.
                let primaryDecided = record.metrics.first { m in family.contains { $0.key == m.key && $0.primary } }
                    .map { $0.verdict == .within || $0.verdict == .improved } ?? false
                let hopeless = record.metrics.filter { m in
                    guard m.verdict == .undecided, let g = family.first(where: { $0.key == m.key }), !g.primary else { return false }
                    return (m.mdeAtBudget ?? .infinity) > 2 * g.threshold
                }
                if primaryDecided, lookIndex >= 1,
                   record.metrics.allSatisfy({ m in m.verdict == .within || m.verdict == .improved || hopeless.contains(m) }) {
                    stopReason = "the primary and every resolvable metric decided at look \(lookIndex + 1); "
                        + "\(hopeless.map(\.key).joined(separator: ", ")) cannot be resolved within the budget (MDE > 2× threshold)"
                    for i in records[records.count - 1].metrics.indices where hopeless.contains(records[records.count - 1].metrics[i]) {
                        records[records.count - 1].metrics[i].verdict = .inconclusive
                    }
                    break
                }
            }
            try pairs(plan.block)
            lookIndex += 1
        }
        return ABOutcome(plan: plan, family: family, looks: records, units: units, order: order.trimmingCharacters(in: .whitespaces),
                         stopReason: stopReason, seconds: clock() - start, interrupted: interrupted,
                         spending: "efficacy: \(sequential.efficacySpending.description); futility: \(sequential.futilitySpending.description), non-binding")
    }

    private func perPairEstimate(_ units: [ABUnit], _ elapsed: Double) -> Double {
        elapsed / Double(max(1, units.count / 2))
    }

    /// One look over every gated metric.
    func look(_ sequential: SequentialGate, _ index: Int, _ family: [GatedMetric], _ units: [ABUnit], elapsed: Double) -> ABLookRecord {
        let metrics = family.map { m -> MetricLook in
            let a = Self.processValues(units, .a, m.key), b = Self.processValues(units, .b, m.key)
            return sequential.judge(m, look: index, a: a, b: b)
        }
        return ABLookRecord(look: index + 1, processesPerSide: units.count / 2, elapsedSeconds: elapsed,
                            fraction: sequential.fractions[index], metrics: metrics)
    }

    /// Per-process means of the log of the instances' values (geometric means): one value a process.
    /// A non-positive value (a count of 0) is floored at 1e-12 so its log stays finite.
    static func processValues(_ units: [ABUnit], _ side: ABSideID, _ key: String) -> [Double] {
        units.filter { $0.side == side }.compactMap { u in
            guard let v = u.values[key], !v.isEmpty else { return nil }
            return v.reduce(0) { $0 + log(max($1, 1e-12)) } / Double(v.count)
        }
    }

    /// The gated family from the first units: the patterns (or the catalogue's defaults), metrics
    /// both sides have, each with its α share and threshold (raised to the latency floor).
    func resolveFamily(_ units: [ABUnit]) throws(ABError) -> [GatedMetric] {
        guard let a = units.first(where: { $0.side == .a }), let b = units.first(where: { $0.side == .b }) else {
            throw .incompatible("no process of one side completed")
        }
        let common = a.metrics.keys.filter { k in b.metrics[k] != nil && a.metrics[k]?.higherIsWorse != nil }.sorted()
        var keys: [String]
        if let patterns = gate.patterns {
            keys = []
            for p in patterns {
                let matched = common.filter { MetricSelection.matches(pattern: p, name: $0) }
                guard !matched.isEmpty else { throw .unknownGate(pattern: p, known: common.joined(separator: ", ")) }
                for k in matched where !keys.contains(k) { keys.append(k) }
            }
        } else {
            // Growth percentages (memory.rss_growth_pct) can be 0 or negative: not on the ratio scale
            // the rule tests, so not gated by default (name them with --gate to try).
            keys = common.filter { a.metrics[$0]?.gatedByDefault == true && a.metrics[$0]?.unit != .percent }
            // The primary is always in the family, gated by the catalogue or not (e2e.min is not).
            if let p = gate.primary, common.contains(p), !keys.contains(p) { keys.insert(p, at: 0) }
        }
        // Only metrics every process reported: a stage one side lacks cannot be judged.
        // (A process cut short by an interrupt before its first complete trial reports nothing: not counted.)
        keys = keys.filter { k in units.filter { !$0.values.isEmpty }.allSatisfy { $0.values[k]?.isEmpty == false } }
        guard !keys.isEmpty else { throw .incompatible("no gated metric is reported by every process of both sides") }
        var primaryIndex: Int?
        if let p = gate.primary {
            primaryIndex = keys.firstIndex(of: p)
            // A primary asked for by name that is not gated is a typo or a missing metric: an error.
            if primaryIndex == nil && gate.primaryRequired { throw .unknownPrimary(p) }
        }
        return family(keys, primaryIndex, units)
    }

    private func family(_ keys: [String], _ primaryIndex: Int?, _ units: [ABUnit]) -> [GatedMetric] {
        let a = units.first { $0.side == .a }
        let shares = SequentialGate.alphaShares(count: keys.count, primaryIndex: primaryIndex, familyAlpha: plan.familyAlpha,
                                                primaryShare: plan.primaryShare)
        return keys.enumerated().map { i, k in
            var threshold = plan.threshold
            if a?.metrics[k]?.unit == .nanoseconds {
                let logs = Self.processValues(units, .a, k)
                let level = exp(Descriptive.mean(logs))
                if level > 0 { threshold = max(threshold, gate.latencyFloorNanoseconds / level) }
            }
            return GatedMetric(key: k, higherIsWorse: a?.metrics[k]?.higherIsWorse ?? true, alpha: shares[i],
                               threshold: min(threshold, 0.95), primary: i == primaryIndex, unit: a?.metrics[k]?.unit ?? .ratio)
        }
    }
}
