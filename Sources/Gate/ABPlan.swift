import Foundation

/// Side A (the base) or side B (the change).
public enum ABSideID: String, Sendable, Codable, CaseIterable, Hashable {
    case a = "A"
    case b = "B"
}

/// How an A/B run is laid out and when it may stop.
public struct ABPlan: Sendable, Equatable, Codable {
    /// Workload instances (trials, each a fresh workload) per process.
    public var instancesPerProcess: Int
    /// Processes a side before the first look.
    public var firstLook: Int
    /// Processes a side added between looks.
    public var block: Int
    /// The most processes a side the design may run.
    public var maxProcesses: Int
    /// The measuring time the design plans for, seconds: the number of processes is the most that fit.
    public var budgetSeconds: Double
    /// Seed of the per-round order (A first or B first): recorded, so a run can be replayed.
    public var seed: UInt64
    /// The regression (fraction) the gate must catch with `power`.
    public var threshold: Double
    /// False-alarm rate of the whole family of gated metrics together.
    public var familyAlpha: Double
    public var power: Double
    /// The primary metric's share of `familyAlpha` (weighted Bonferroni); the rest is split evenly.
    public var primaryShare: Double
    /// Never stop early: run the whole plan (calibrations and power studies).
    public var fixed: Bool
    /// The fraction of a side's processes trimmed from each end before the test (Yuen's trimmed
    /// means); 0 is Welch's test on plain means.
    public var trim: Double

    /// 20%: Wilcox's recommendation for Yuen's test, and what the A/A pool's right tail needs (a
    /// tenth of its processes 3–20% slow as a whole; README, "The CI gate").
    public static let defaultTrim = 0.2

    public init(instancesPerProcess: Int = 2, firstLook: Int = 6, block: Int = 2, maxProcesses: Int = 60,
                budgetSeconds: Double = 360, seed: UInt64 = 0x5EED_AB, threshold: Double = 0.05, familyAlpha: Double = 0.01,
                power: Double = 0.9, primaryShare: Double = 0.5, fixed: Bool = false, trim: Double = ABPlan.defaultTrim) {
        self.instancesPerProcess = instancesPerProcess
        self.firstLook = firstLook
        self.block = block
        self.maxProcesses = maxProcesses
        self.budgetSeconds = budgetSeconds
        self.seed = seed
        self.threshold = threshold
        self.familyAlpha = familyAlpha
        self.power = power
        self.primaryShare = primaryShare
        self.fixed = fixed
        self.trim = trim
    }

    /// A record written before `trim` existed was judged with Welch's test: it decodes as trim 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(instancesPerProcess: try c.decode(Int.self, forKey: .instancesPerProcess), firstLook: try c.decode(Int.self, forKey: .firstLook),
                  block: try c.decode(Int.self, forKey: .block), maxProcesses: try c.decode(Int.self, forKey: .maxProcesses),
                  budgetSeconds: try c.decode(Double.self, forKey: .budgetSeconds), seed: try c.decode(UInt64.self, forKey: .seed),
                  threshold: try c.decode(Double.self, forKey: .threshold), familyAlpha: try c.decode(Double.self, forKey: .familyAlpha),
                  power: try c.decode(Double.self, forKey: .power), primaryShare: try c.decode(Double.self, forKey: .primaryShare),
                  fixed: try c.decode(Bool.self, forKey: .fixed), trim: try c.decodeIfPresent(Double.self, forKey: .trim) ?? 0)
    }

    /// Checks every field's range; the message names the option.
    public func validate() throws(ABError) {
        func bad(_ option: String, _ expected: String, _ got: String) -> ABError { .invalidPlan("\(option): expected \(expected), got \(got)") }
        guard (1...100).contains(instancesPerProcess) else { throw bad("--instances", "1…100 per process", "\(instancesPerProcess)") }
        guard (2...1_000).contains(firstLook) else { throw bad("--first-look", "2…1000 processes a side", "\(firstLook)") }
        guard (1...1_000).contains(block) else { throw bad("--block", "1…1000 processes a side", "\(block)") }
        guard (firstLook...10_000).contains(maxProcesses) else { throw bad("--max-processes", "\(firstLook)…10000 (at least --first-look)", "\(maxProcesses)") }
        guard budgetSeconds.isFinite, budgetSeconds > 0 else { throw bad("--budget", "a positive duration", "\(budgetSeconds) s") }
        guard threshold.isFinite, threshold > 0, threshold < 1 else { throw bad("--threshold", "a percentage in (0, 100%)", "\(threshold)") }
        guard familyAlpha > 0, familyAlpha < 0.5 else { throw bad("--alpha", "a rate in (0, 50%)", "\(familyAlpha)") }
        guard power > 0.5, power < 1 else { throw bad("--power", "a probability in (50%, 100%)", "\(power)") }
        guard primaryShare > 0, primaryShare < 1 else { throw bad("--primary-share", "a fraction in (0, 1)", "\(primaryShare)") }
        guard trim >= 0, trim < 0.5 else { throw bad("--trim", "a fraction in [0, 50%)", "\(trim)") }
    }

    enum CodingKeys: String, CodingKey {
        case instancesPerProcess, firstLook, block, maxProcesses, seed, threshold, familyAlpha, power, primaryShare
        case fixed, trim
        case budgetSeconds = "budgetS"
    }
}

/// Why an A/B run could not be made or finished.
public enum ABError: Error, CustomStringConvertible, Equatable {
    case invalidPlan(String)
    /// A side's process failed (exit status other than 0 or 1) or wrote no readable result.
    case sideFailed(side: ABSideID, index: Int, detail: String)
    /// A gate pattern matched no metric the sides have (a typo must never switch a check off).
    case unknownGate(pattern: String, known: String)
    /// The primary metric is not among the gated ones.
    case unknownPrimary(String)
    /// The sides' results cannot be merged or compared (different scenarios, workloads, stages).
    case incompatible(String)

    public var description: String {
        switch self {
        case .invalidPlan(let m): "invalid A/B plan: \(m)"
        case .sideFailed(let side, let index, let detail): "side \(side.rawValue), process \(index + 1): \(detail)"
        case .unknownGate(let pattern, let known): "--gate \(pattern): matches no metric of these results; metrics: \(known)"
        case .unknownPrimary(let key): "--primary \(key): not a gated metric of these results"
        case .incompatible(let m): "the sides cannot be compared: \(m)"
        }
    }
}
