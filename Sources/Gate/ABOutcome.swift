import BenchModel
import Foundation
import Statistics

/// One look of a sequential A/B: how much was measured and every gated metric's decision.
public struct ABLookRecord: Sendable, Equatable, Codable {
    public var look: Int
    public var processesPerSide: Int
    public var elapsedSeconds: Double
    /// Information fraction n/N of the plan at this look.
    public var fraction: Double
    public var metrics: [MetricLook]

    enum CodingKeys: String, CodingKey {
        case look, processesPerSide, fraction, metrics
        case elapsedSeconds = "elapsedS"
    }
}

/// The gate's answer.
public enum ABVerdict: String, Sendable, Codable {
    /// A gated metric regressed: exit 1.
    case regressed
    /// Every gated metric was decided: within the threshold (or improved).
    case pass
    /// The budget ended with some metric undecided: no regression shown, none ruled out.
    case inconclusive
}

/// How the variance of one metric splits between processes and the instances inside a process
/// (one-way random effects on the log values), from one side's units: where repetition pays.
public struct VarianceComponents: Sendable, Equatable, Codable {
    public var key: String
    /// Relative SD of one instance around its process's mean (log scale ≈ relative).
    public var withinProcess: Double
    /// Relative SD of process means beyond what their instances explain.
    public var betweenProcesses: Double
    public var processes: Int
    public var instancesPerProcess: Double

    /// Components from per-process lists of log values; nil with fewer than 2 processes of ≥ 1 value.
    public static func estimate(key: String, logValues groups: [[Double]]) -> VarianceComponents? {
        let g = groups.filter { !$0.isEmpty }
        guard g.count >= 2 else { return nil }
        let means = g.map { Descriptive.mean($0) }
        let k = Double(g.map(\.count).reduce(0, +)) / Double(g.count)
        let withinDF = g.reduce(0) { $0 + $1.count - 1 }
        let withinSS = zip(g, means).reduce(0.0) { acc, pair in acc + pair.0.reduce(0) { $0 + ($1 - pair.1) * ($1 - pair.1) } }
        let within = withinDF > 0 ? withinSS / Double(withinDF) : 0
        let (_, varMeans) = WelchTest.meanVariance(means)
        let between = max(0, varMeans - within / k)
        return VarianceComponents(key: key, withinProcess: within.squareRoot(), betweenProcesses: between.squareRoot(),
                                  processes: g.count, instancesPerProcess: k)
    }
}

/// Everything an A/B run measured and decided: the design as run, every look, every process's
/// per-instance values, why it stopped. Written as ab.json (schema phibench.ab/1).
public struct ABOutcome: Sendable, Equatable, Codable {
    public static let schemaID = "phibench.ab/1"
    public var schema = ABOutcome.schemaID
    public var plan: ABPlan
    public var family: [GatedMetric]
    public var looks: [ABLookRecord]
    public var units: [ABUnit]
    /// The order of each round as run ("AB BA AB …"), drawn from `plan.seed`.
    public var order: String
    public var stopReason: String
    public var seconds: Double
    public var interrupted: Bool
    /// The spending functions used, in words.
    public var spending: String

    public init(plan: ABPlan, family: [GatedMetric], looks: [ABLookRecord], units: [ABUnit], order: String, stopReason: String,
                seconds: Double, interrupted: Bool, spending: String) {
        self.plan = plan
        self.family = family
        self.looks = looks
        self.units = units
        self.order = order
        self.stopReason = stopReason
        self.seconds = seconds
        self.interrupted = interrupted
        self.spending = spending
    }

    /// The coder ab.json is written and read with: a boundary that spends nothing yet is +infinity,
    /// which plain JSON has no number for, so infinities are the strings "inf" and "-inf".
    public static func encoder() -> JSONEncoder {
        // `/` escaped, as ab.json has always been written.
        JSONCoding.encoder([.prettyPrinted, .sortedKeys], nonFinite: true)
    }

    public static func decoder() -> JSONDecoder {
        JSONCoding.decoder(nonFinite: true)
    }

    /// An outcome made from the processes of a run whose record is missing (interrupted, or written by
    /// an older build): the units as they are, the family as `phibench ab` would resolve it, no looks.
    public static func pool(units: [ABUnit], plan: ABPlan, gate: ABGateSpec) throws(ABError) -> ABOutcome {
        let family = try ABEngine(plan: plan, gate: gate).resolveFamily(units)
        return ABOutcome(plan: plan, family: family, looks: [], units: units, order: "", stopReason: "pooled from result files",
                         seconds: units.map(\.seconds).reduce(0, +), interrupted: false, spending: "")
    }

    /// The decisions of the last look.
    public var final: [MetricLook] { looks.last?.metrics ?? [] }

    public var verdict: ABVerdict {
        let v = final.map(\.verdict)
        if v.contains(.regressed) { return .regressed }
        return v.allSatisfy { $0 == .within || $0 == .improved } ? .pass : .inconclusive
    }

    /// Processes a side at the end.
    public var processesPerSide: Int { units.count / 2 }

    /// Host steal time per side, seconds (nil where /proc/stat could not be read).
    public func stealSeconds(_ side: ABSideID) -> Double? {
        let s = units.filter { $0.side == side }.compactMap(\.stealSeconds)
        return s.isEmpty ? nil : s.reduce(0, +)
    }

    /// Variance components of `key` on both sides pooled (each side's processes around their own mean).
    public func varianceComponents(_ key: String) -> VarianceComponents? {
        let groups = units.compactMap { u in u.values[key].map { $0.map { log(max($0, 1e-12)) } } }
        // Centre each side so the A/B difference is not counted as between-process noise.
        var centred: [[Double]] = []
        for side in ABSideID.allCases {
            let sideGroups = zip(units, groups).filter { $0.0.side == side }.map(\.1)
            let all = sideGroups.flatMap { $0 }
            guard !all.isEmpty else { continue }
            let mean = Descriptive.mean(all)
            centred += sideGroups.map { $0.map { $0 - mean } }
        }
        return VarianceComponents.estimate(key: key, logValues: centred)
    }
}
