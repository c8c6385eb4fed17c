import BenchModel
import CValgrind
import Foundation

/// What `phibench instructions` measured (`instructions.json`, schema `phibench.instructions/1`):
/// instructions per episode, in total and per stage, of a fixed closed-loop workload (one worker,
/// fixed seed, a fixed window of episodes after a warm-up), counted by valgrind's callgrind.
///
/// The counts are exact and repeat to the instruction for the same binary, inputs and valgrind
/// version; a different valgrind, CPU (code that dispatches on CPU features) or allocator setting
/// can move them, which is why those are recorded.
package struct InstructionReport: Sendable, Codable, Equatable {
    /// The schema tag this version writes.
    package static let currentSchema = "phibench.instructions/1"

    /// What was counted: the workload and its episode window.
    package struct Workload: Sendable, Codable, Equatable {
        package var scenario: String
        /// The scenario file as given, when there was one.
        package var file: String?
        package var overrides: [String]
        /// `pipeline`, `noop`, … (the CLI's `--workload`).
        package var kind: String
        package var seed: UInt64
        package var warmupEpisodes: UInt64
        package var episodes: UInt64
        /// The scenario's faults (only `work:` faults are allowed here).
        package var inject: [Fault]

        package init(scenario: String, file: String?, overrides: [String], kind: String, seed: UInt64,
                    warmupEpisodes: UInt64, episodes: UInt64, inject: [Fault]) {
            self.scenario = scenario
            self.file = file
            self.overrides = overrides
            self.kind = kind
            self.seed = seed
            self.warmupEpisodes = warmupEpisodes
            self.episodes = episodes
            self.inject = inject
        }
    }

    /// One stage's instructions over the counted episodes.
    package struct Stage: Sendable, Codable, Equatable {
        package var name: String
        /// Inclusive instructions of the stage's trampoline over all counted episodes (exact).
        package var instructions: UInt64
        /// Times the stage ran.
        package var calls: UInt64
        /// `instructions / episodes` (a stage that runs in some episodes only is averaged over all).
        package var perEpisode: Double
        /// `instructions / calls`, 0 when it never ran.
        package var perCall: Double
        /// Estimated cycles per episode (``CallgrindProfile/estimatedCycles(_:)``), when counted
        /// with the cache simulation.
        package var cyclesPerEpisode: Double?

        package init(name: String, instructions: UInt64, calls: UInt64, episodes: UInt64, cycles: UInt64? = nil) {
            self.name = name
            self.instructions = instructions
            self.calls = calls
            perEpisode = episodes > 0 ? Double(instructions) / Double(episodes) : 0
            perCall = calls > 0 ? Double(instructions) / Double(calls) : 0
            cyclesPerEpisode = cycles.map { episodes > 0 ? Double($0) / Double(episodes) : 0 }
        }
    }

    /// The tool and the exact command, so a count can be reproduced and its comparability judged.
    package struct Tool: Sendable, Codable, Equatable {
        /// `valgrind --version`, e.g. `valgrind-3.19.0`.
        package var valgrind: String
        /// The full command line run under valgrind's control, valgrind first.
        package var command: [String]
        /// The executable that was built (the one the user ran).
        package var binary: String
        /// Its GNU build ID: two counts with the same ID are of the same code.
        package var buildID: String?
        /// How valgrind got the binary: `as built`, or a copy without debug info when the build's
        /// DWARF 5 is unreadable to it (same code, so the same counts; only line numbers are lost).
        package var debugInfo: String
        /// Environment set for the counted process to make it deterministic.
        package var environment: [String: String]

        package init(valgrind: String, command: [String], binary: String, buildID: String?, debugInfo: String,
                    environment: [String: String]) {
            self.valgrind = valgrind
            self.command = command
            self.binary = binary
            self.buildID = buildID
            self.debugInfo = debugInfo
            self.environment = environment
        }

        enum CodingKeys: String, CodingKey {
            case valgrind, command, binary, debugInfo, environment
            case buildID = "buildId"
        }
    }

    package var schema: String
    package var workload: Workload
    /// Inclusive instructions of `phibench_episode` over the counted episodes (exact).
    package var instructions: UInt64
    /// `instructions / episodes`.
    package var perEpisode: Double
    /// Stages with a trampoline that ran, in the workload's stage order.
    package var stages: [Stage]
    /// Instructions that attributing one stage call costs (the call through the stage's trampoline,
    /// measured on an empty stage): included in every stage's figure, once per call, and in the
    /// episode total. nil when it could not be measured (a workload with 64 stages or more).
    package var overheadPerStageCall: Double?
    /// Stages with no instruction count: reported by duration only (`StageTimings.add`), never run,
    /// or past the last trampoline. Their instructions are inside the episode total.
    package var unattributedStages: [String]
    /// Every instruction callgrind collected in the counting window: the episodes plus the counting
    /// loop's own few instructions per episode.
    package var collected: UInt64
    /// Counted episodes that threw (their instructions are counted too).
    package var failedEpisodes: UInt64
    package var firstError: String?
    /// The allocator the counted thread used, e.g. `jemalloc, arena 9 of its own`.
    package var allocator: String?
    package var tool: Tool
    package var machine: MachineInfo?
    package var build: BuildInfo?
    /// ISO 8601 start time.
    package var startedAt: String
    /// Wall seconds of the whole valgrind run (start-up and warm-up included).
    package var wallSeconds: Double
    /// Every function costing at least half an instruction per episode (self or inclusive), from
    /// callgrind's call graph, with the stages that reach it: what `--compare` lists the top changes
    /// of. nil in reports written before it was recorded.
    package var functions: [FunctionCost]? = nil
    /// Estimated cycles per episode from callgrind's cache simulation (L1 hits + 5 × last-level hits
    /// + 35 × memory accesses, as CodSpeed and iai-callgrind estimate them): what instructions miss
    /// when code touches memory differently at the same instruction count. nil without the simulation.
    package var cyclesPerEpisode: Double? = nil
    /// The simulated caches the cycles were estimated with (``Callgrind/cacheModelSummary``).
    package var cacheModel: String? = nil
    /// The episode's call tree as folded stacks (``foldedStacks(profile:stageNames:)``), relative to
    /// this file's directory: what a differential flame graph of two counts is drawn from.
    package var foldedFile: String? = nil

    /// Assembles the report from callgrind's output and the counting child's summary.
    /// - Throws: ``InstructionCountError/missingCounts(file:reason:)`` when the output lacks the
    ///   episode trampoline or its call count differs from the episodes counted (a run that was cut
    ///   short, or collection that did not cover the episodes).
    package static func make(profile: CallgrindProfile, file: String, summary: InstructionCounter.Summary,
                            workload: Workload, tool: Tool, machine: MachineInfo?, build: BuildInfo?,
                            startedAt: String, wallSeconds: Double) throws(InstructionCountError) -> InstructionReport {
        guard profile.event == "Ir" else {
            throw .missingCounts(file: file, reason: "the output counts \(profile.event), not instructions (Ir)")
        }
        guard let episode = profile.functions[InstructionCounter.episodeSymbol] else {
            throw .missingCounts(file: file, reason: "no \(InstructionCounter.episodeSymbol) in the output: nothing was collected")
        }
        guard episode.calls == summary.episodes else {
            throw .missingCounts(file: file, reason: "\(InstructionCounter.episodeSymbol) ran \(episode.calls) times while "
                                 + "collecting, expected \(summary.episodes)")
        }
        var stages: [Stage] = []
        var unattributed: [String] = []
        var trampolines: [(name: String, symbol: String)] = []
        for (index, name) in summary.stageNames.enumerated() {
            if let symbol = InstructionCounter.stageSymbol(index), let f = profile.functions[symbol], f.calls > 0 {
                stages.append(Stage(name: name, instructions: f.inclusiveCost, calls: f.calls, episodes: summary.episodes,
                                    cycles: profile.hasCycles ? f.inclusiveCycles : nil))
                trampolines.append((name, symbol))
            } else {
                unattributed.append(name)
            }
        }
        var overhead: Double?
        if summary.stageNames.count < Int(PHIBENCH_STAGE_TRAMPOLINES),
           let symbol = InstructionCounter.stageSymbol(Int(PHIBENCH_STAGE_TRAMPOLINES) - 1),
           let probe = profile.functions[symbol], probe.calls == InstructionCounter.overheadProbes {
            overhead = Double(probe.inclusiveCost) / Double(probe.calls)
        }
        var report = InstructionReport(
            schema: currentSchema, workload: workload, instructions: episode.inclusiveCost,
            perEpisode: Double(episode.inclusiveCost) / Double(Swift.max(summary.episodes, 1)), stages: stages,
            overheadPerStageCall: overhead, unattributedStages: unattributed, collected: profile.total, failedEpisodes: summary.failedEpisodes,
            firstError: summary.firstError, allocator: summary.allocator, tool: tool, machine: machine, build: build, startedAt: startedAt,
            wallSeconds: wallSeconds, functions: FunctionCost.list(profile: profile, stages: trampolines, episodes: summary.episodes))
        if profile.hasCycles {
            report.cyclesPerEpisode = Double(episode.inclusiveCycles) / Double(Swift.max(summary.episodes, 1))
            report.cacheModel = Callgrind.cacheModelSummary
        }
        return report
    }

    /// The counted episodes' call tree as folded stacks (``CallgrindProfile/folded(root:rename:minimumShare:)``),
    /// instructions over the whole counted window: rooted at `episode`, each stage's trampoline named
    /// by its stage, every other function by its readable name.
    package static func foldedStacks(profile: CallgrindProfile, stageNames: [String]) -> String {
        var rename: [String: String] = [InstructionCounter.episodeSymbol: "episode"]
        for (index, name) in stageNames.enumerated() {
            if let symbol = InstructionCounter.stageSymbol(index) { rename[symbol] = name }
        }
        let demangler = Demangler()
        return profile.folded(root: InstructionCounter.episodeSymbol, rename: { rename[$0] ?? demangler.readableName($0) })
    }

    /// Reads an `instructions.json`.
    /// - Throws: ``InstructionCountError/io(path:reason:)`` or ``InstructionCountError/unreadableReport(path:reason:)``.
    package static func load(_ path: String) throws(InstructionCountError) -> InstructionReport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(path: path, reason: "cannot read: \(error.localizedDescription)")
        }
        let report: InstructionReport
        do {
            report = try JSONCoding.decoder().decode(InstructionReport.self, from: data)
        } catch {
            throw .unreadableReport(path: path, reason: "\(error)")
        }
        guard report.schema == currentSchema else {
            throw .unreadableReport(path: path, reason: "schema \(report.schema), expected \(currentSchema)")
        }
        return report
    }

    /// The report as pretty-printed JSON with sorted keys.
    package func json() throws(InstructionCountError) -> String {
        do {
            return String(decoding: try JSONCoding.encoder().encode(self), as: UTF8.self)
        } catch {
            throw .io(path: "instructions.json", reason: "cannot encode: \(error)")
        }
    }

    /// A terminal table: instructions per episode by stage, their share of the total, calls per episode.
    package func table() -> String {
        let episodes = Double(Swift.max(workload.episodes, 1))
        var lines = ["instructions  \(workload.scenario)  (seed \(workload.seed), \(workload.episodes) episodes after "
                     + "\(workload.warmupEpisodes) warm-up, one worker, \(tool.valgrind))"]
        let width = Swift.max(12, (stages.map(\.name.count) + [5]).max() ?? 5)
        func row(_ name: String, _ perEpisode: Double, _ share: String, _ calls: String) -> String {
            let pad = String(repeating: " ", count: Swift.max(0, width - name.count))
            let value = Self.grouped(perEpisode)
            return "  \(name)\(pad)  \(String(repeating: " ", count: Swift.max(0, 16 - value.count)))\(value)  "
                + "\(String(repeating: " ", count: Swift.max(0, 7 - share.count)))\(share)  \(calls)"
        }
        lines.append("  stage\(String(repeating: " ", count: width - 5))     instr/episode    share  calls/episode")
        for s in stages {
            let share = perEpisode > 0 ? Units.fixed(s.perEpisode / perEpisode * 100, digits: 1) + "%" : "-"
            lines.append(row(s.name, s.perEpisode, share, Units.fixed(Double(s.calls) / episodes, digits: 2)))
        }
        lines.append(row("episode", perEpisode, "100%", "1.00"))
        if let overheadPerStageCall {
            lines.append("  each stage figure includes \(Units.fixed(overheadPerStageCall, digits: 0)) instructions per call of attribution overhead")
        }
        if !unattributedStages.isEmpty {
            lines.append("  not attributed (inside the episode total): \(unattributedStages.joined(separator: ", "))")
        }
        if failedEpisodes > 0 {
            lines.append("  warning: \(failedEpisodes) counted episodes failed; first: \(firstError ?? "?")")
        }
        return lines.joined(separator: "\n")
    }

    /// `+1,234.5` / `-12.0` / `0.0`: ``grouped(_:)`` with the sign of a change.
    package static func signedGrouped(_ value: Double) -> String { (value > 0 ? "+" : "") + grouped(value) }

    /// `1234567.8` → `1,234,567.8`.
    package static func grouped(_ value: Double) -> String {
        let text = Units.fixed(value, digits: 1)
        guard let dot = text.firstIndex(of: ".") else { return text }
        var digits = Array(text[..<dot])
        let negative = digits.first == "-"
        if negative { digits.removeFirst() }
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(d)
        }
        return (negative ? "-" : "") + out + text[dot...]
    }
}
