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

    @Option(parsing: .unconditional, help: "CPU samples per second of CPU time per thread (the kernel tick may cap it; the report says what was reached).")
    var hz = 999

    @Flag(help: "Profile heap allocations with jemalloc instead of CPU time.")
    var heap = false

    @Option(parsing: .unconditional, help: "Heap profiling: sample about one allocation per 2^N bytes (0…40).")
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
        let (loaded, target, thresholds) = try options.prepare(scenario)
        let dir = try options.runDirectory(scenarioName: loaded.record.name + (heap ? "-heap" : "-profile"))
        let stop = StopSignal()
        stop.installSignalHandlers()
        let session: ProfileSession
        do {
            session = try ProfileSession(heap: heap, hz: hz, lgSample: lgSample,
                                         flameGraph: { FlameGraph.svg(folded: $0, title: $1, unit: $2) })
        } catch {
            throw InputError(error)
        }
        let progress = options.progressLine()
        var runOptions = RunOptions(trials: 1, stop: stop, onProgress: progress.update, onPhase: progress.phase,
                                    version: Phibench.version)
        runOptions.onMeasureStart = session.start
        runOptions.onMeasureEnd = session.stop
        var result = try target.run(loaded.record, options: runOptions, directory: dir)
        progress.clear()
        let overhead = measureOverhead && !heap ? try? CPUProfiler.measureOverhead(hz: hz) : nil
        do { result.profile = try session.write(to: dir, overhead: overhead) } catch { throw InputError(error) }
        var details = [session.describe(result.profile)]
        if let overhead { details.append("  overhead  \(overhead.summary)") }
        let status = try finishRun(&result, thresholds: thresholds, in: dir, options: options, stop: stop, details: details,
                                   failed: target.failure != nil)
        if status != 0 { throw ExitCode(status) }
    }
}

