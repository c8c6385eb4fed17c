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
        if stageThreshold != "off" && PercentageArgument(argument: stageThreshold) == nil {
            throw ValidationError("--stage-threshold: expected a percentage in (0, 100%) like 5%, or off; got '\(stageThreshold)'")
        }
    }

    /// The stage rule's share, nil when off (validated above).
    var stageLimit: Double? { stageThreshold == "off" ? nil : PercentageArgument(argument: stageThreshold)?.fraction }

    func run() async throws {
        let loaded = try loadScenario(scenario, overrides: options.overrides)
        let target = try WorkloadTarget(kind: options.workload, loaded: loaded)
        _ = try validateThresholds(loaded, catalogue: target.catalogue)
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
        // The memory layer's tiers start empty on every count, so a reused --out directory counts the same.
        let tiers = dir.appendingPathComponent("memory-instructions")
        try? FileManager.default.removeItem(at: tiers)
        let outFile = dir.appendingPathComponent("callgrind.out").path
        let logFile = dir.appendingPathComponent("valgrind.log").path
        // The child runs in the run directory with relative paths, so where the run directory is
        // (its path is read by the memory layer) cannot change the count.
        let scenarioPath = URL(fileURLWithPath: scenario).standardizedFileURL.path
        var child = ["instructions", scenarioPath, "--episodes", "\(episodes)", "--warmup", "\(warmup)", "--out", ".",
                     "--under-valgrind", "--quiet"]
        if let kind = options.workload { child += ["--workload", kind.rawValue] }
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
        let report = try instructionCall { () throws(InstructionCountError) in
            try InstructionReport.make(
                profile: try CallgrindProfile(contentsOf: outFile), file: outFile, summary: summary, workload: workload,
                tool: tool, machine: currentMachine(), build: currentBuild(version: Phibench.version),
                startedAt: startedAt, wallSeconds: wall)
        }
        let json = try instructionCall { () throws(InstructionCountError) in try report.json() }
        let reportFile = dir.appendingPathComponent("instructions.json")
        do {
            try Data(json.utf8).write(to: reportFile, options: .atomic)
        } catch {
            throw InputError("\(reportFile.path): cannot write: \(error.localizedDescription)")
        }
        if options.json {
            print(json)
        } else if !options.quiet {
            print(report.table())
            print("\n  counted in \(Units.fixed(wall, digits: 1)) s under callgrind (\(runnable.note))")
            print("  result  \(reportFile.relativePath)")
        }
        if let layerOff, let layerOffReport {
            let cost = try MemoryLayerCost(layerOn: report, layerOff: layerOffReport, offPath: layerOff)
            let costFile = dir.appendingPathComponent("memory-layer-cost.json")
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try encoder.encode(cost).write(to: costFile, options: .atomic)
            } catch {
                throw InputError("\(costFile.path): cannot write: \(error.localizedDescription)")
            }
            if !options.json { print("\n  " + cost.summary) }
        }
        guard let baseline else { return }
        let comparison = try instructionCall { () throws(InstructionCountError) in
            try compareInstructions(before: baseline, after: report, threshold: threshold.fraction,
                                    gateStages: gateStages, stageThreshold: stageLimit, cyclesThreshold: cyclesThreshold.fraction,
                                    rankBy: rankBy, force: force)
        }
        if !options.json { print("\n" + comparison.text()) }
        let compareFile = dir.appendingPathComponent("instructions-compare.json")
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(comparison).write(to: compareFile, options: .atomic)
        } catch {
            throw InputError("\(compareFile.path): cannot write: \(error.localizedDescription)")
        }
        if comparison.regressed { throw ExitCode(1) }
    }

    /// The child under valgrind: counts and leaves its summary for the parent.
    private func count(_ loaded: LoadedScenario, _ target: WorkloadTarget) throws {
        let dir = URL(fileURLWithPath: options.out!, isDirectory: true)
        let summary = try target.countInstructions(loaded.scenario, warmup: UInt64(warmup), episodes: UInt64(episodes),
                                                   tiers: URL(fileURLWithPath: options.out!).appendingPathComponent("memory-instructions"))
        let file = dir.appendingPathComponent("counting.json")
        do {
            try JSONEncoder().encode(summary).write(to: file, options: .atomic)
        } catch {
            throw InputError("\(file.path): cannot write: \(error.localizedDescription)")
        }
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
    /// Counts instructions of this workload inside valgrind (``InstructionCounter/run(makeWorkload:faults:warmup:episodes:)``);
    /// the pipeline's memory layer keeps its tiers under `tiers`.
    func countInstructions(_ scenario: Scenario, warmup: UInt64, episodes: UInt64, tiers: URL) throws -> InstructionCounter.Summary {
        do {
            switch kind {
            case .pipeline(let config):
                let seed = scenario.seed
                return try InstructionCounter.run(makeWorkload: { try PipelineWorkload(config: config, seed: seed, directory: tiers) },
                                                  faults: scenario.inject, warmup: warmup, episodes: episodes)
            case .noop:
                return try InstructionCounter.run(makeWorkload: { SyntheticWorkload() }, faults: scenario.inject,
                                                  warmup: warmup, episodes: episodes)
            case .process, .http:
                throw InputError("instruction counts are of code phibench runs itself: the pipeline or noop, not a worker process or an HTTP service (callgrind would count only the harness waiting)")
            }
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError("\(error)")
        }
    }
}

extension FunctionRanking: ExpressibleByArgument {}
