import BenchModel

/// Two instruction counts of the same workload, metric by metric, with a verdict per metric.
///
/// Counts are deterministic: for the same binary, inputs and valgrind version they repeat to the
/// instruction, so any difference is a real change of the code path, and no statistics are needed.
/// The threshold only decides which real changes fail the gate.
package struct InstructionComparison: Sendable, Codable, Equatable {
    /// What happened to one metric.
    package enum Verdict: String, Sendable, Codable, Equatable {
        /// Exactly the same count.
        case same
        /// Changed, by no more than the threshold either way.
        case withinThreshold = "within_threshold"
        /// More instructions, beyond the threshold.
        case regressed
        /// Fewer instructions, beyond the threshold.
        case improved
        /// Only after has it (a new stage, or one that now runs).
        case added
        /// Only before had it.
        case removed

        /// How the tables say it.
        package var text: String {
            switch self {
            case .same: "same (exactly)"
            case .withinThreshold: "changed, within threshold"
            case .regressed: "REGRESSED"
            case .improved: "improved"
            case .added: "added"
            case .removed: "removed"
            }
        }
    }

    /// One metric: the episode total or a stage, per episode.
    package struct Row: Sendable, Codable, Equatable {
        /// `episode` for the total, else the stage name.
        package var metric: String
        package var before: Double?
        package var after: Double?
        /// `(after - before) / before` as a fraction; nil when either side is missing or before is 0.
        package var change: Double?
        package var verdict: Verdict
        /// Whether this metric's regression fails the comparison.
        package var gated: Bool

        /// The change as a signed percentage with three decimals, `-` without one.
        package var changeText: String { change.map { ($0 > 0 ? "+" : "") + Units.fixed($0 * 100, digits: 3) + "%" } ?? "-" }

        package init(metric: String, before: Double?, after: Double?, change: Double?, verdict: Verdict, gated: Bool) {
            self.metric = metric
            self.before = before
            self.after = after
            self.change = change
            self.verdict = verdict
            self.gated = gated
        }
    }

    /// The regression threshold, a fraction (0.01 = 1%).
    package var threshold: Double
    /// The episode total first, then stages in the after report's order, then removed stages.
    package var rows: [Row]
    /// Why the counts may differ for reasons other than the code (valgrind version, CPU, build
    /// settings), or what differs between the two builds.
    package var notes: [String]
    /// The functions whose self instructions (or estimated cycles, by ``rankedBy``) per episode changed
    /// most (empty when either count has no function list), and how many functions changed at all.
    package var functions: [FunctionChange] = []
    package var functionsChanged = 0
    /// What the top changed functions are ranked by.
    package var rankedBy: FunctionRanking = .instructions
    /// The threshold of the `estimated cycles` row, when both counts have estimated cycles.
    package var cyclesThreshold: Double?

    enum CodingKeys: String, CodingKey {
        case threshold, rows, notes, functions
        case functionsChanged = "functions_changed"
        case rankedBy = "ranked_by"
        case cyclesThreshold = "cycles_threshold"
    }

    /// True when a gated metric regressed.
    package var regressed: Bool { rows.contains { $0.gated && $0.verdict == .regressed } }

    /// The last line of ``text()``: `verdict: …`.
    package var verdictLine: String {
        regressed ? "verdict: REGRESSION (a gated count grew by more than its threshold)" : "verdict: no regression beyond the threshold"
    }

    /// A terminal table with a verdict line.
    package func text() -> String {
        let cycles = cyclesThreshold.map { "; estimated cycles \(Units.fixed($0 * 100, digits: 2))%" } ?? ""
        var lines = ["instructions per episode (threshold \(Units.fixed(threshold * 100, digits: 2))%\(cycles), exact counts)"]
        let width = Swift.max(12, rows.map(\.metric.count).max() ?? 0)
        for r in rows {
            let pad = String(repeating: " ", count: Swift.max(0, width - r.metric.count))
            let before = r.before.map { InstructionReport.grouped($0) } ?? "-"
            let after = r.after.map { InstructionReport.grouped($0) } ?? "-"
            let change = r.changeText
            lines.append("  \(r.metric)\(pad)  \(before.leftPadded(16))  \(after.leftPadded(16))  \(change.leftPadded(10))  "
                         + r.verdict.text + (r.gated ? "" : "  (not gated)"))
        }
        for note in notes { lines.append("  note: \(note)") }
        lines += functionLines()
        lines.append(verdictLine)
        return lines.joined(separator: "\n")
    }
}

extension InstructionComparison {
    /// The top changed functions, grouped by the stage that reaches them (the stage that changed most
    /// first), each with its self count before → after, the change, the inclusive change and its
    /// share of the episode's change.
    func functionLines() -> [String] {
        guard !functions.isEmpty else { return [] }
        let what = rankedBy == .cycles ? "self estimated cycles" : "self instructions"
        var lines = ["top changed functions: \(what) per episode, before → after (\(functions.count) of "
                     + "\(functionsChanged) that changed; inclusive change and share of the episode's change after it)"]
        var groups: [(stage: String?, changes: [FunctionChange])] = []
        for f in functions {
            if let i = groups.firstIndex(where: { $0.stage == f.stage }) { groups[i].changes.append(f) } else { groups.append((f.stage, [f])) }
        }
        for g in groups {
            lines.append("  " + (g.stage.map { "stage \($0)" } ?? "shared by several stages, or the episode's own"))
            for f in g.changes {
                let name = f.name.count > 60 ? String(f.name.prefix(59)) + "…" : f.name
                let share = f.shareOfEpisodeChange.map { "  " + Units.fixed($0 * 100, digits: 1) + "% of the change" } ?? ""
                let (x, y, d, incl) = f.figures(by: rankedBy)
                lines.append("    \(name.padding(toLength: Swift.max(name.count, 60), withPad: " ", startingAt: 0))  "
                             + "\(InstructionReport.grouped(x).leftPadded(11)) → \(InstructionReport.grouped(y).leftPadded(11))  "
                             + "\(InstructionReport.signedGrouped(d).leftPadded(11))  (incl. \(InstructionReport.signedGrouped(incl)))\(share)")
            }
        }
        return lines
    }
}

/// Compares two instruction counts of the same workload.
///
/// Every metric gets its change and a verdict. The episode total gates at `threshold`. Stages gate by
/// their own rule, because a stage can grow a lot while the total hardly moves (work added to one
/// short stage: +19% in MEA was +0.09% of the episode): a stage regresses when it grew by more than
/// `stageThreshold` of itself **and** by more than `stageFloorShare` of the episode total (so a
/// two-instruction change in a 40-instruction stage is not a finding). `gateStages` instead applies
/// the episode threshold to every stage; `stageThreshold` nil leaves stages ungated.
/// - Parameters:
///   - threshold: the largest change (fraction, e.g. 0.01) that is not a regression or improvement.
///   - force: compare counts of different workloads (scenario, seed, overrides, episode window).
/// - Throws: ``InstructionCountError/invalidSetting(_:)`` for a threshold outside 0…10,
///   ``InstructionCountError/mismatched(_:)`` for different workloads unless `force`.
package func compareInstructions(before: InstructionReport, after: InstructionReport, threshold: Double = 0.01,
                                gateStages: Bool = false, stageThreshold: Double? = 0.05, stageFloorShare: Double = 0.0002,
                                cyclesThreshold: Double = 0.02, rankBy: FunctionRanking = .instructions,
                                force: Bool = false) throws(InstructionCountError) -> InstructionComparison {
    // Every threshold is a fraction in 0…10 (0…1000%).
    for (name, t) in [("estimated-cycles threshold", cyclesThreshold), ("stage threshold", stageThreshold), ("threshold", threshold)] {
        if let t, !(t.isFinite && t >= 0 && t <= 10) { throw .invalidSetting("the \(name) must be 0…1000%, got \(t * 100)%") }
    }
    var notes: [String] = []
    let a = before.workload, b = after.workload
    var differences: [String] = []
    if a.scenario != b.scenario { differences.append("scenario \(a.scenario) vs \(b.scenario)") }
    if a.kind != b.kind { differences.append("workload \(a.kind) vs \(b.kind)") }
    if a.seed != b.seed { differences.append("seed \(a.seed) vs \(b.seed)") }
    if a.warmupEpisodes != b.warmupEpisodes || a.episodes != b.episodes {
        differences.append("episodes \(a.warmupEpisodes)+\(a.episodes) vs \(b.warmupEpisodes)+\(b.episodes) (warm-up+counted)")
    }
    if a.overrides != b.overrides { differences.append("--set \(a.overrides) vs \(b.overrides)") }
    if a.inject != b.inject { differences.append("injected work differs") }
    if !differences.isEmpty {
        guard force else { throw .mismatched(differences.joined(separator: "; ")) }
        notes.append("different workloads compared (--force): " + differences.joined(separator: "; "))
    }
    if before.tool.valgrind != after.tool.valgrind {
        notes.append("valgrind differs (\(before.tool.valgrind) vs \(after.tool.valgrind)): counts are exact only for one "
                     + "valgrind version; part of the change may be the tool's")
    }
    if let m1 = before.machine?.cpuModel, let m2 = after.machine?.cpuModel, m1 != m2 {
        notes.append("CPU differs (\(m1) vs \(m2)): code that picks a path by CPU features (memcpy, SHA-256) may count differently")
    }
    if let x = before.build, let y = after.build {
        if x.configuration != y.configuration { notes.append("build configuration differs (\(x.configuration) vs \(y.configuration))") }
        if x.jemalloc != y.jemalloc { notes.append("allocator differs (jemalloc \(x.jemalloc ? "on" : "off") vs \(y.jemalloc ? "on" : "off"))") }
    }
    if let x = before.tool.buildID, let y = after.tool.buildID {
        notes.append(x == y ? "same binary (build ID \(x.prefix(12))): any change comes from the inputs"
                            : "different binaries (build IDs \(x.prefix(12)) vs \(y.prefix(12))): the change is the code's")
    }

    func row(_ metric: String, _ x: Double?, _ y: Double?, gated: Bool, threshold: Double, floor: Double = 0) -> InstructionComparison.Row {
        guard let x else { return .init(metric: metric, before: nil, after: y, change: nil, verdict: .added, gated: gated) }
        guard let y else { return .init(metric: metric, before: x, after: nil, change: nil, verdict: .removed, gated: gated) }
        if x == y { return .init(metric: metric, before: x, after: y, change: 0, verdict: .same, gated: gated) }
        guard x > 0 else { return .init(metric: metric, before: x, after: y, change: nil, verdict: .regressed, gated: gated) }
        let change = (y - x) / x
        var verdict: InstructionComparison.Verdict = change > threshold ? .regressed : change < -threshold ? .improved : .withinThreshold
        if abs(y - x) <= floor { verdict = .withinThreshold }
        return .init(metric: metric, before: x, after: y, change: change, verdict: verdict, gated: gated)
    }

    var rows = [row("episode", before.perEpisode, after.perEpisode, gated: true, threshold: threshold)]
    // The stages' rule: the episode threshold when asked (gateStages), else their own.
    let stageGated = gateStages || stageThreshold != nil
    let stageLimit = gateStages ? threshold : stageThreshold ?? threshold
    let stageFloor = gateStages ? 0 : stageFloorShare * before.perEpisode
    let earlier = Dictionary(before.stages.map { ($0.name, $0.perEpisode) }, uniquingKeysWith: { first, _ in first })
    for s in after.stages {
        rows.append(row(s.name, earlier[s.name], s.perEpisode, gated: stageGated, threshold: stageLimit, floor: stageFloor))
    }
    let later = Set(after.stages.map(\.name))
    for s in before.stages where !later.contains(s.name) {
        rows.append(row(s.name, s.perEpisode, nil, gated: stageGated, threshold: stageLimit, floor: stageFloor))
    }
    if !gateStages, let t = stageThreshold {
        notes.append("a stage regresses when it grew by more than \(Units.fixed(t * 100, digits: 1))% of itself and by more than "
                     + "\(Units.fixed(stageFloorShare * 100, digits: 2))% of the episode (\(InstructionReport.grouped(stageFloor)) instructions)")
    }
    var withCycles = false
    switch (before.cyclesPerEpisode, after.cyclesPerEpisode) {
    case (let x?, let y?):
        // Gated like the episode total, at its own threshold: the simulated caches are the same model
        // on both sides, so the estimate is as exact as the counts it comes from.
        rows.append(row("estimated cycles", x, y, gated: true, threshold: cyclesThreshold))
        withCycles = true
        if before.cacheModel != after.cacheModel {
            notes.append("the cache models differ (\(before.cacheModel ?? "?") vs \(after.cacheModel ?? "?")): estimated cycles are not comparable")
        }
    case (nil, nil):
        break
    default:
        notes.append("estimated cycles on one side only (the other was counted without the cache simulation): not compared")
    }
    guard rankBy == .instructions || withCycles else {
        throw .invalidSetting("ranking functions by estimated cycles needs both counts made with the cache simulation")
    }
    var comparison = InstructionComparison(threshold: threshold, rows: rows, notes: notes)
    comparison.cyclesThreshold = withCycles ? cyclesThreshold : nil
    comparison.rankedBy = rankBy
    if let f1 = before.functions, let f2 = after.functions {
        let cycles = rankBy == .cycles
        let episodeChange = cycles ? (after.cyclesPerEpisode ?? 0) - (before.cyclesPerEpisode ?? 0) : after.perEpisode - before.perEpisode
        func measure(_ s: InstructionReport.Stage) -> Double { cycles ? s.cyclesPerEpisode ?? 0 : s.perEpisode }
        var stageChanges = Dictionary(before.stages.map { ($0.name, -measure($0)) }, uniquingKeysWith: { a, _ in a })
        for s in after.stages { stageChanges[s.name, default: 0] += measure(s) }
        (comparison.functions, comparison.functionsChanged) = FunctionChange.top(before: f1, after: f2, episodeChange: episodeChange,
                                                                                 stageChanges: stageChanges, rankBy: rankBy)
    }
    return comparison
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
