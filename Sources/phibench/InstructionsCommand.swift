import ArgumentParser
import BenchModel
import Foundation
import Harness
import MemoryLayer
import Pipeline
import Profiling
import Reports

struct InstructionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instructions",
        abstract: "Count instructions per episode, in total and per stage, under valgrind's callgrind: exact and repeatable.",
        discussion: """
            Re-executes itself under `valgrind --tool=callgrind`, runs --warmup episodes uncounted, then \
            --episodes episodes closed loop on one worker with the scenario's seed, counting only those. Each \
            stage is called through a function of its own (phibench_stage_NN) so callgrind attributes its \
            instructions. Writes instructions.json, callgrind.out (callgrind_annotate reads it) and valgrind.log \
            (with --compare also instructions-compare.json). \
            The same binary, scenario and valgrind give the same count on every run, whatever the machine's load; \
            the run directory's path length is an input too (the memory layer's file names), so compare counts \
            made in directories of one path length (make bench-instructions uses runs/bench-instructions).
            Only `{ slow: STAGE, work: N }` faults are allowed (wall-time faults are not deterministic).
            Callgrind also simulates a fixed cache model (32 KiB L1s, 8 MiB last level) and each count carries \
            estimated cycles per episode (L1 hits + 5 × last-level hits + 35 × memory accesses), which catch a \
            change in how code touches memory at the same instruction count; --no-cache-sim counts faster without.
            With --compare, exits 1 when instructions per episode grew by more than --threshold or estimated \
            cycles by more than --cycles-threshold, and lists the top changed functions by stage.
            Examples:
              phibench instructions scenarios/bench.yaml --out runs/instructions
              phibench instructions scenarios/bench.yaml --episodes 500 --set 'inject+={slow: ESGT, work: 20000}'
              phibench instructions scenarios/bench.yaml --compare runs/instructions/instructions.json
              phibench instructions scenarios/memory-after.yaml --layer-off runs/off/instructions.json
            Exit status 1 on a regression beyond --threshold, 2 on bad input or when valgrind is missing or fails.
            """)

    @Argument(help: "Scenario file (YAML); its seed, workload settings and `work:` faults are used, not its phases.")
    var scenario: String

    @Option(help: "Episodes counted (1…10000000).")
    var episodes = 1000

    @Option(help: "Episodes run uncounted first, so caches and the memory layer are warm (0…10000000).")
    var warmup = 1000

    @Option(help: "An earlier instructions.json to compare with.")
    var compare: String?

    @Option(name: .customLong("layer-off"),
            help: "An instructions.json of this workload with `pipeline.memory: off` (same seed and episodes): prints the memory layer's cost, layer on minus off with MEMORY.query left out, as a share of the layer-off episode, and writes memory-layer-cost.json.")
    var layerOff: String?

    @Option(parsing: .unconditional,
            help: "With --compare: the largest growth of instructions per episode that is not a regression (a percentage like 1% or a fraction like 0.01).")
    var threshold = PercentageArgument(argument: "1%")!

    @Flag(help: "With --compare: every stage gates at --threshold too (instead of --stage-threshold's rule).")
    var gateStages = false

    @Option(name: .customLong("stage-threshold"), parsing: .unconditional,
            help: "With --compare: a stage fails when it grew by more than this share of itself and by more than 0.02% of the episode; `off` leaves stages ungated.")
    var stageThreshold = "5%"

    @Option(name: .customLong("cycles-threshold"), parsing: .unconditional,
            help: "With --compare: the largest growth of estimated cycles per episode that is not a regression.")
    var cyclesThreshold = PercentageArgument(argument: "2%")!

    @Option(name: .customLong("rank-by"),
            help: "With --compare: rank the top changed functions by their own `instructions` or estimated `cycles`.")
    var rankBy: FunctionRanking = .instructions

    @Flag(name: .customLong("no-cache-sim"), help: "Count without callgrind's cache simulation (about a third less time; no estimated cycles).")
    var noCacheSim = false

    @Option(help: "With --compare: also write the comparison and the top changed functions as Markdown to this file (for a pull request or a job summary).")
    var markdown: String?

    @Flag(help: "With --compare: compare counts of different scenarios, seeds or episode windows anyway.")
    var force = false

    @Option(help: "The valgrind executable (default: valgrind on PATH).")
    var valgrind: String?

    @Flag(help: .hidden)
    var underValgrind = false

    @OptionGroup var options: MeasureOptions

    func validate() throws {
        let limit = Int(InstructionCounter.maxEpisodes)
        guard (1...limit).contains(episodes) else { throw ValidationError("--episodes must be 1…\(limit), got \(episodes)") }
        guard (0...limit).contains(warmup) else { throw ValidationError("--warmup must be 0…\(limit), got \(warmup)") }
        if underValgrind && options.out == nil { throw ValidationError("--under-valgrind needs --out") }
        if markdown != nil && compare == nil { throw ValidationError("--markdown needs --compare (it writes the comparison)") }
        if stageThreshold != "off" && PercentageArgument(argument: stageThreshold) == nil {
            throw ValidationError("--stage-threshold: expected a percentage in (0, 100%) like 5%, or off; got '\(stageThreshold)'")
        }
    }

    /// The stage rule's share, nil when off (validated above).
    var stageLimit: Double? { stageThreshold == "off" ? nil : PercentageArgument(argument: stageThreshold)?.fraction }

    func run() async throws {
        let (loaded, target, _) = try options.prepare(scenario)
        guard target.runsInProcess else {
            throw InputError(loaded.error(key: "workload", "instruction counts are of code phibench runs itself (the pipeline or noop), not a worker process or an HTTP service: callgrind would count only the harness waiting"))
        }
        if underValgrind {
            try count(loaded, target)
            return
        }
        do {
            _ = try InstructionCounter.injectedWork(loaded.scenario.inject, stageNames: target.vocabulary.stages.map(\.name))
        } catch {
            throw InputError(error)
        }
        let baseline = try compare.map { path in try instructionCall { () throws(InstructionCountError) in try InstructionReport.load(path) } }
        let layerOffReport = try layerOff.map { path in try instructionCall { () throws(InstructionCountError) in try InstructionReport.load(path) } }
        let path = ProcessInfo.processInfo.environment["PATH"]
        let callgrind = try instructionCall { () throws(InstructionCountError) in try Callgrind.locate(explicit: valgrind, searchPath: path) }
        guard InstructionCounter.clientRequestsAvailable else { throw InputError(InstructionCountError.clientRequestsMissing) }

        let workload = InstructionReport.Workload(
            scenario: loaded.record.name, file: loaded.record.file, overrides: options.overrides,
            kind: target.vocabulary.name, seed: loaded.scenario.seed, warmupEpisodes: UInt64(warmup),
            episodes: UInt64(episodes), inject: loaded.scenario.inject)
        if let layerOff, let layerOffReport { try MemoryLayerCost.checkComparable(workload, layerOffReport, offPath: layerOff) }

        let dir = try options.runDirectory(scenarioName: loaded.record.name + "-instructions")
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let runnable = try instructionCall { () throws(InstructionCountError) in
            try Callgrind.strippedCopy(of: binary, in: dir, searchPath: path)
        }
        // The workload's files (the memory layer's tiers) start empty on every count, so a reused --out
        // directory counts the same.
        let tiers = dir.appendingPathComponent(WorkloadTarget.countFolder)
        try? FileManager.default.removeItem(at: tiers)
        let outFile = dir.appendingPathComponent("callgrind.out").path
        let logFile = dir.appendingPathComponent("valgrind.log").path
        // The child runs in the run directory with relative paths, so where the run directory is
        // (its path is read by the memory layer) cannot change the count.
        let scenarioPath = URL(fileURLWithPath: scenario).standardizedFileURL.path
        var child = ["instructions", scenarioPath, "--episodes", "\(episodes)", "--warmup", "\(warmup)", "--out", ".",
                     "--under-valgrind", "--quiet"]
        if let kind = options.workload { child += ["--workload", kind] }
        for override in options.overrides { child += ["--set", override] }
        let command = callgrind.arguments(program: runnable.path, arguments: child, outFile: outFile, logFile: logFile,
                                          cacheSimulation: !noCacheSim)

        if !options.quiet && !options.json {
            printError("counting \(episodes) episodes after \(warmup) warm-up under \(callgrind.version) …")
        }
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let start = monotonicNanoseconds()
        try instructionCall { () throws(InstructionCountError) in
            try callgrind.run(command, in: dir, environment: Callgrind.deterministicEnvironment, logFile: logFile)
        }
        let wall = Double(monotonicNanoseconds() &- start) / 1e9
        let summary: InstructionCounter.Summary
        do {
            summary = try JSONDecoder().decode(InstructionCounter.Summary.self,
                                               from: Data(contentsOf: dir.appendingPathComponent("counting.json")))
        } catch {
            throw InputError("\(dir.appendingPathComponent("counting.json").path): the counted run left no summary: \(error)")
        }
        let tool = InstructionReport.Tool(valgrind: callgrind.version, command: command, binary: binary,
                                          buildID: runnable.info.buildID, debugInfo: runnable.note,
                                          environment: Callgrind.deterministicEnvironment)
        let profile = try instructionCall { () throws(InstructionCountError) in try CallgrindProfile(contentsOf: outFile) }
        var report = try instructionCall { () throws(InstructionCountError) in
            try InstructionReport.make(
                profile: profile, file: outFile, summary: summary, workload: workload,
                tool: tool, machine: currentMachine(), build: currentBuild(version: Phibench.version),
                startedAt: startedAt, wallSeconds: wall)
        }
        let folded = InstructionReport.foldedStacks(profile: profile, stageNames: summary.stageNames)
        try write(folded, to: dir.appendingPathComponent(Self.foldedName))
        report.foldedFile = Self.foldedName
        let json = try instructionCall { () throws(InstructionCountError) in try report.json() }
        let reportFile = dir.appendingPathComponent("instructions.json")
        try write(json, to: reportFile)
        if options.json {
            print(json)
        } else if !options.quiet {
            print(report.table())
            print("\n  counted in \(Units.fixed(wall, digits: 1)) s under callgrind (\(runnable.note))")
            print("  result  \(reportFile.relativePath)")
        }
        if let layerOff, let layerOffReport {
            let cost = try MemoryLayerCost(layerOn: report, layerOff: layerOffReport, offPath: layerOff)
            try writeJSON(cost, to: dir.appendingPathComponent("memory-layer-cost.json"))
            if !options.json { print("\n  " + cost.summary) }
        }
        guard let baseline else { return }
        let comparison = try instructionCall { () throws(InstructionCountError) in
            try compareInstructions(before: baseline, after: report, threshold: threshold.fraction,
                                    gateStages: gateStages, stageThreshold: stageLimit, cyclesThreshold: cyclesThreshold.fraction,
                                    rankBy: rankBy, force: force)
        }
        if !options.json { print("\n" + comparison.text()) }
        let page = try differentialPage(comparison, before: baseline, beforeFile: compare!, after: report, afterFolded: folded, in: dir)
        if !options.json && !options.quiet { print("\n  \(page)") }
        try writeJSON(comparison, to: dir.appendingPathComponent("instructions-compare.json"))
        if comparison.regressed { throw ExitCode(1) }
    }

    static let foldedName = "instructions.folded"

    /// Writes the differential flame graph of `before` → `after` (`instructions-diff.folded`, in
    /// difffolded.pl's `stack A B` format, and `instructions-diff.svg`, both per episode) and
    /// `instructions-compare.html` (the comparison, the top changed functions and the graph) into `dir`.
    /// - Returns: what to tell the user: where the page is, and why it has no graph when it has none.
    private func differentialPage(_ comparison: InstructionComparison, before: InstructionReport, beforeFile: String,
                                  after: InstructionReport, afterFolded: String, in dir: URL) throws -> String {
        let beforeFolded: String?
        let missing: String?
        if let name = before.foldedFile {
            let url = URL(fileURLWithPath: beforeFile).deletingLastPathComponent().appendingPathComponent(name)
            beforeFolded = try? String(contentsOf: url, encoding: .utf8)
            missing = beforeFolded == nil ? "\(url.relativePath) cannot be read" : nil
        } else {
            beforeFolded = nil
            missing = "\(beforeFile) was counted by a build that did not write the call tree"
        }
        let unit = "instructions/episode"
        var svg: String?
        var note: String
        if let beforeFolded {
            let a = 1 / Double(Swift.max(before.workload.episodes, 1)), b = 1 / Double(Swift.max(after.workload.episodes, 1))
            try write(FlameGraph.differentialFolded(before: beforeFolded, after: afterFolded, beforeScale: a, afterScale: b),
                      to: dir.appendingPathComponent("instructions-diff.folded"))
            let drawn = FlameGraph.differentialSVG(before: beforeFolded, after: afterFolded, beforeScale: a, afterScale: b,
                                                   title: "Instructions per episode, \(before.workload.scenario): B against A", width: 1160, unit: unit)
            try write(drawn, to: dir.appendingPathComponent("instructions-diff.svg"))
            svg = drawn
            note = "From callgrind's call graph (exact counts; a function several callers share is split among them by "
                + "their calls' cost). Width: B's instructions per episode; colour: the change of a frame's own "
                + "instructions, red grew, blue shrank. Click to zoom, type to search. Files: instructions-diff.svg, "
                + "instructions-diff.folded (flamegraph.pl draws it too)."
        } else {
            note = "No differential flame graph: \(missing ?? "A has no call tree")."
        }
        let tone: ProfileDiffPage.Tone = comparison.regressed ? .bad
            : comparison.rows.contains { $0.gated && $0.verdict == .improved } ? .good : .neutral
        let page = ProfileDiffPage(
            title: "phibench instructions · \(after.workload.scenario)",
            subtitle: "\(after.workload.episodes) episodes after \(after.workload.warmupEpisodes) warm-up, seed \(after.workload.seed)",
            verdict: comparison.verdictLine, tone: tone,
            sides: [("A", "\(beforeFile) · build \(before.tool.buildID ?? "?") · \(before.tool.valgrind)"),
                    ("B", "\(dir.appendingPathComponent("instructions.json").relativePath) · build \(after.tool.buildID ?? "?") · \(after.tool.valgrind)")],
            tables: comparison.pageTables(), flameGraph: svg, flameGraphNote: note, notes: comparison.notes)
        let file = dir.appendingPathComponent("instructions-compare.html")
        try write(page.html(generator: "phibench \(Phibench.version)"), to: file)
        if let markdown {
            try write(page.markdown(graphFile: svg == nil ? nil : dir.appendingPathComponent("instructions-diff.svg").relativePath),
                      to: URL(fileURLWithPath: markdown))
        }
        return svg == nil ? "compare  \(file.relativePath)  (\(note))" : "compare  \(file.relativePath)  (with a differential flame graph)"
    }

    /// Writes `data` atomically; a failure is an input error naming the file (exit 2).
    private func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw InputError("\(url.path): cannot write: \(error.localizedDescription)")
        }
    }

    private func write(_ text: String, to url: URL) throws { try write(Data(text.utf8), to: url) }

    /// Writes `value` as pretty-printed JSON with sorted keys, as the other JSON files here are written.
    private func writeJSON(_ value: some Encodable, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw InputError("\(url.path): cannot write: \(error.localizedDescription)")
        }
        try write(data, to: url)
    }

    /// The child under valgrind: counts and leaves its summary for the parent.
    private func count(_ loaded: LoadedScenario, _ target: WorkloadTarget) throws {
        let dir = URL(fileURLWithPath: options.out!, isDirectory: true)
        let summary = try target.countInstructions(loaded.scenario, warmup: UInt64(warmup), episodes: UInt64(episodes),
                                                   tiers: URL(fileURLWithPath: options.out!).appendingPathComponent(WorkloadTarget.countFolder))
        try writeJSON(summary, to: dir.appendingPathComponent("counting.json"))
    }
}

/// Runs `body`, turning an instruction-count error into an input error (exit 2).
private func instructionCall<T>(_ body: () throws(InstructionCountError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        throw InputError(error)
    }
}

extension WorkloadTarget {
    /// The folder of a count's workload files, in the run directory. The pipeline keeps its tiers in
    /// `memory/trial-0` under it: `work/memory/trial-0` is as long as `memory-instructions`, the
    /// tiers' folder before workloads were providers, and the path's length is part of what is
    /// counted, so counts stay comparable with older builds.
    static let countFolder = "work"

    /// Counts instructions of this workload inside valgrind (``InstructionCounter/run(makeWorkload:faults:warmup:episodes:)``);
    /// the workload may keep files under `tiers` (the pipeline's memory layer its tiers).
    func countInstructions(_ scenario: Scenario, warmup: UInt64, episodes: UInt64, tiers: URL) throws -> InstructionCounter.Summary {
        guard runsInProcess else {
            throw InputError("instruction counts are of code phibench runs itself: the pipeline or noop, not a worker process or an HTTP service (callgrind would count only the harness waiting)")
        }
        do {
            return try prepared.countInstructions(scenario, warmup: warmup, episodes: episodes, directory: tiers)
        } catch {
            throw InputError("\(error)")
        }
    }
}

extension PreparedWorkload {
    /// The count on one workload of trial 0 (the existential opened here for the generic counter).
    func countInstructions(_ scenario: Scenario, warmup: UInt64, episodes: UInt64, directory: URL) throws -> InstructionCounter.Summary {
        let seed = scenario.seed
        return try InstructionCounter.run(makeWorkload: { try self.makeWorkload(WorkloadContext(trial: 0, seed: seed, directory: directory)) },
                                          faults: scenario.inject, warmup: warmup, episodes: episodes)
    }
}

extension FunctionRanking: ExpressibleByArgument {}

extension InstructionComparison {
    /// The comparison's rows and its top changed functions as the page's tables.
    func pageTables() -> [ProfileDiffPage.Table] {
        func count(_ v: Double?) -> String { v.map { InstructionReport.grouped($0) } ?? "-" }
        let metrics = ProfileDiffPage.Table(
            caption: "Per episode; exact counts, so any change is real. Threshold \(Units.fixed(threshold * 100, digits: 2))%"
                + (cyclesThreshold.map { ", estimated cycles \(Units.fixed($0 * 100, digits: 2))%" } ?? "") + ".",
            headers: ["Metric", "A", "B", "Change", "Verdict"],
            rows: rows.map { r in
                [r.metric, count(r.before), count(r.after), r.changeText, r.verdict.text + (r.gated ? "" : " (not gated)")]
            }, numeric: [1, 2, 3])
        guard !functions.isEmpty else { return [metrics] }
        let what = rankedBy == .cycles ? "estimated cycles" : "instructions"
        let top = ProfileDiffPage.Table(
            caption: "Top changed functions by their own \(what) per episode (\(functions.count) of \(functionsChanged) that changed), "
                + "under the stage that reaches them.",
            headers: ["Stage", "Function", "Own A", "Own B", "Own Δ", "Incl. Δ", "Share of Δ"],
            rows: functions.map { f in
                let (x, y, d, incl) = f.figures(by: rankedBy)
                let name = f.name.count > 90 ? String(f.name.prefix(89)) + "…" : f.name
                return [f.stage ?? "(several / episode)", name, count(x), count(y),
                        InstructionReport.signedGrouped(d), InstructionReport.signedGrouped(incl),
                        f.shareOfEpisodeChange.map { Units.fixed($0 * 100, digits: 1) + "%" } ?? "-"]
            }, numeric: [2, 3, 4, 5, 6])
        return [metrics, top]
    }
}
