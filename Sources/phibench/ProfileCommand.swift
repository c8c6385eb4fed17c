import ArgumentParser
import BenchModel
import Foundation
import Harness
import Profiling
import Reports
import Synchronization

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Run a scenario under the CPU sampling profiler (or jemalloc heap profiling) and draw a flame graph.",
        discussion: """
            Writes profile.folded (Brendan Gregg's folded stacks: flamegraph.pl and speedscope read it), \
            flame.svg and the flame graph inside report.html. Only the measured part is profiled (warm-up is not).
            With --heap, jemalloc's heap profiling samples allocations instead (the command re-executes \
            itself with MALLOC_CONF set) and writes heap.prof for jeprof:
              jeprof --svg .build/release/phibench DIR/heap.prof > heap-jeprof.svg
            Examples:
              phibench profile scenarios/smoke.yaml --out runs/profile
              phibench profile scenarios/smoke.yaml --hz 499 --set pipeline.phi.nodes=10
              phibench profile scenarios/smoke.yaml --heap --lg-sample 15
            """)

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @Option(help: "CPU samples per second of CPU time per thread (the kernel tick may cap it; the report says what was reached).")
    var hz = 999

    @Flag(help: "Profile heap allocations with jemalloc instead of CPU time.")
    var heap = false

    @Option(help: "Heap profiling: sample about one allocation per 2^N bytes.")
    var lgSample = 17

    @Flag(help: "Also measure the sampler's overhead on a fixed loop (about a second) and report it.")
    var measureOverhead = false

    @OptionGroup var options: MeasureOptions

    func validate() throws {
        guard (1...10_000).contains(hz) else { throw ValidationError("--hz must be 1…10000, got \(hz)") }
        guard (0...40).contains(lgSample) else { throw ValidationError("--lg-sample must be 0…40, got \(lgSample)") }
    }

    func run() async throws {
        if heap {
            // Heap profiling must be on from process start: this re-executes the process with
            // MALLOC_CONF set, or returns at once in the re-executed child.
            do { try HeapProfiler.ensureEnabled(lgSample: lgSample) } catch { throw InputError(error) }
        }
        let loaded = try loadScenario(scenario, overrides: options.overrides)
        let target = try WorkloadTarget(kind: options.workload, loaded: loaded)
        let thresholds = try validateThresholds(loaded, stages: target.stageNames)
        let dir = try options.runDirectory(scenarioName: loaded.record.name + (heap ? "-heap" : "-profile"))
        let stop = StopSignal()
        stop.installSignalHandlers()
        let session = try ProfileSession(heap: heap, hz: hz, lgSample: lgSample)
        let progress = ProgressLine(enabled: !options.quiet && !options.json)
        var runOptions = RunOptions(trials: 1, stop: stop, onProgress: progress.update, onPhase: progress.phase,
                                    version: Phibench.version)
        runOptions.onMeasureStart = session.start
        runOptions.onMeasureEnd = session.stop
        var result = try target.run(loaded.record, options: runOptions, directory: dir)
        progress.clear()
        let overhead = measureOverhead && !heap ? try? CPUProfiler.measureOverhead(hz: hz) : nil
        result.profile = try session.write(to: dir, overhead: overhead)
        var details = [session.describe(result.profile)]
        if let overhead { details.append("  overhead  \(overhead.summary)") }
        let status = try finishRun(&result, thresholds: thresholds, in: dir, options: options, stop: stop, details: details)
        if status != 0 { throw ExitCode(status) }
    }
}

/// One profiler around the measured part of a run: started and stopped from the runner's hooks (on
/// the run's thread), then written out.
final class ProfileSession: Sendable {
    private enum Kind: Sendable {
        case cpu(CPUProfiler)
        case heap(HeapProfiler)
    }

    private struct State: Sendable {
        var cpu: CPUProfile?
        var startError: String?
        var started: UInt64 = 0
        var seconds: Double = 0
        var episodes: UInt64 = 0
    }

    private let kind: Kind
    private let lgSample: Int
    private let state = Mutex(State())

    init(heap: Bool, hz: Int, lgSample: Int) throws {
        self.lgSample = lgSample
        if heap {
            do { kind = .heap(try HeapProfiler()) } catch { throw InputError(error) }
        } else {
            kind = .cpu(CPUProfiler(hz: hz))
        }
    }

    @Sendable func start() {
        do {
            switch kind {
            case .cpu(let p): try p.start()
            case .heap(let h): try h.start(lgSample: lgSample)
            }
            state.withLock { $0.started = monotonicNanoseconds() }
        } catch {
            state.withLock { $0.startError = error.description }
        }
    }

    @Sendable func stop(episodes: UInt64) {
        let end = monotonicNanoseconds()
        var profile: CPUProfile?
        switch kind {
        case .cpu(let p): profile = try? p.stop()
        case .heap(let h): try? h.stop()
        }
        state.withLock {
            $0.cpu = profile
            $0.episodes = episodes
            $0.seconds = $0.started > 0 ? Double(end - $0.started) / 1e9 : 0
        }
    }

    /// Writes the profile files into `dir` and returns the result's `profile` entry.
    func write(to dir: URL, overhead: SamplingOverhead?) throws -> ProfileInfo {
        let s = state.withLock { $0 }
        if let e = s.startError { throw InputError("the profiler did not start: \(e)") }
        func save(_ text: String, _ name: String) throws {
            do { try Data(text.utf8).write(to: dir.appendingPathComponent(name), options: .atomic) } catch {
                throw InputError("\(dir.appendingPathComponent(name).path): cannot write: \(error.localizedDescription)")
            }
        }
        switch kind {
        case .cpu:
            guard let cpu = s.cpu else { throw InputError("the CPU profiler produced no profile") }
            let folded = cpu.folded()
            try save(folded, "profile.folded")
            try save(FlameGraph.svg(folded: folded, title: "CPU flame graph", unit: "samples"), "flame.svg")
            return ProfileInfo(cpu: cpu, foldedFile: "profile.folded", flameGraphFile: "flame.svg", episodes: s.episodes,
                               measuredOverhead: overhead)
        case .heap(let h):
            let dump: HeapProfile
            do { dump = try h.dump(to: dir.appendingPathComponent("heap.prof").path) } catch { throw InputError(error) }
            let report = dump.symbolicated()
            let folded = report.folded(.allocatedBytes)
            try save(folded, "profile.folded")
            try save(FlameGraph.svg(folded: folded, title: "Heap allocations (bytes)", unit: "bytes"), "flame.svg")
            return ProfileInfo(heap: dump, report: report, rawFile: "heap.prof", foldedFile: "profile.folded",
                               flameGraphFile: "flame.svg", wallSeconds: s.seconds, episodes: s.episodes)
        }
    }

    /// A few lines for the terminal: what was sampled and the hottest functions or allocation sites.
    func describe(_ info: ProfileInfo?) -> String {
        guard let info else { return "" }
        var lines: [String] = []
        if info.kind == "cpu" {
            lines.append("  profile   \(info.samples) samples at \(Units.fixed(info.effectiveHz ?? 0, digits: 0)) Hz effective (asked \(info.hz)), dropped \(info.droppedSamples ?? 0), handler \(Units.formatNanoseconds(info.handlerNsPerSample ?? 0))/sample, overhead ≈ \(Units.fixed(info.overheadPct ?? 0, digits: 2))%")
            let total = Double(max(info.samples, 1))
            for f in (info.topFunctions ?? []).prefix(10) {
                let selfPct = Units.fixed(Double(f.selfWeight) / total * 100, digits: 1)
                let totalPct = Units.fixed(Double(f.totalWeight) / total * 100, digits: 1)
                lines.append("    \(selfPct.leftPad(5))% self  \(totalPct.leftPad(5))% total  \(f.name)")
            }
        } else {
            lines.append("  heap profile  one sample per ~\(Units.formatBytes(Double(1 << (info.lgSample ?? 0)))) allocated; top allocation sites:")
            for site in (info.topAllocationSites ?? []).prefix(10) {
                let perEpisode = site.bytesPerEpisode.map { "  (\(Units.formatBytes($0))/episode)" } ?? ""
                lines.append("    \(Units.formatBytes(site.allocatedBytes).leftPad(10))  \(site.function)\(perEpisode)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
