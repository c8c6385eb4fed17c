import Testing
import BenchModel
import Synchronization
@testable import Profiling

#if canImport(Glibc)
import Glibc
#endif

@inline(never)
func deliberatelyHotFunction(iterations: Int) -> UInt64 {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15 &+ UInt64(iterations)
    for _ in 0..<iterations {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
    }
    return x
}

@inline(never)
func barelyWarmFunction(iterations: Int) -> UInt64 {
    var x: UInt64 = 0x2545_F491_4F6C_DD1D &+ UInt64(iterations)
    for _ in 0..<iterations {
        x ^= x >> 12
        x ^= x << 25
        x ^= x >> 27
    }
    return x
}

/// Where the hot and cold functions' results go: an atomic store is a side effect the optimiser must
/// keep, and with it the calls (a release build removed them when the result only reached blackHole).
let hotAndColdSink = Atomic<UInt64>(0)

/// Runs the hot function ~50 times as long as the cold one, for `cpuNanoseconds` of thread CPU time.
@inline(never)
func runHotAndCold(cpuNanoseconds: UInt64) -> UInt64 {
    var sink: UInt64 = 0
    var round = 0
    let start = Clocks.threadCPUNanoseconds()
    while Clocks.threadCPUNanoseconds() &- start < cpuNanoseconds {
        // Arguments that change from round to round: with constant ones a release build computed
        // both (pure) functions once, before the loop.
        round &+= 1
        sink &+= deliberatelyHotFunction(iterations: 100_000 + round & 1)
        sink &+= barelyWarmFunction(iterations: 2_000 + round & 1)
    }
    hotAndColdSink.store(sink, ordering: .relaxed)
    return sink
}

/// Every test here uses the process-wide sampler, so they run one at a time.
@Suite(.serialized) struct CPUProfilerTests {
    @Test func hotFunctionDominatesTheSamples() throws {
        let profiler = CPUProfiler(hz: 999)
        try profiler.start()
        Profiling.blackHole(runHotAndCold(cpuNanoseconds: 600_000_000))
        let profile = try profiler.stop()

        // The profile covers the whole process, and other tests run in parallel with this one, so
        // shares are taken over the samples of this test's own work (those under runHotAndCold).
        let mine = profile.stacks.filter { $0.frames.contains { $0.contains("runHotAndCold") } }
        let mineCount = mine.reduce(0) { $0 + $1.count }
        #expect(mineCount >= 50, "about 250 samples per CPU-second are expected, got \(mineCount)")
        func share(_ name: String) -> Double {
            let hits = mine.filter { $0.frames.contains { $0.contains(name) } }.reduce(0) { $0 + $1.count }
            return Double(hits) / Double(max(mineCount, 1))
        }
        let hot = share("deliberatelyHotFunction")
        let cold = share("barelyWarmFunction")
        #expect(hot > 0.5, "hot share \(hot)\n\(profile.folded())")
        #expect(cold < 0.15, "cold share \(cold)")
        #expect(hot > 4 * cold)
        // Readable, module-qualified names rather than mangled ones or addresses.
        #expect(profile.stacks.contains { $0.frames.last == "ProfilingTests.deliberatelyHotFunction(iterations:)" })
        // In a debug build the loop's iterator is not inlined and may have more self time.
        #expect(profile.topFunctions(limit: 3).contains { $0.name == "ProfilingTests.deliberatelyHotFunction(iterations:)" })
        #expect(profile.wallSeconds > 0 && profile.cpuSeconds > 0.3)
        #expect(profile.handlerNanosecondsPerSample > 0)
    }

    @Test func foldedOutputIsWellFormed() throws {
        let profiler = CPUProfiler(hz: 999)
        try profiler.start()
        Profiling.blackHole(runHotAndCold(cpuNanoseconds: 200_000_000))
        let profile = try profiler.stop()
        let folded = profile.folded()
        let lines = folded.split(separator: "\n")
        #expect(!lines.isEmpty)
        #expect(folded.hasSuffix("\n"))
        var total = 0
        for line in lines {
            let space = try #require(line.lastIndex(of: " "), "no count in \(line)")
            let count = try #require(Int(line[line.index(after: space)...]), "bad count in \(line)")
            let frames = line[..<space].split(separator: ";", omittingEmptySubsequences: false)
            #expect(count > 0)
            #expect(frames.allSatisfy { !$0.isEmpty }, "empty frame in \(line)")
            total += count
        }
        #expect(total == profile.samples)
        #expect(!folded.contains("phibench_sampler_"), "the sampler's own frames are dropped")
    }

    @Test func startAndStopAreEachAllowedOnce() throws {
        let unstarted = CPUProfiler()
        #expect(throws: ProfilerError.notRunning) { try unstarted.stop() }

        let profiler = CPUProfiler(hz: 100, capacity: 64)
        try profiler.start()
        #expect(throws: ProfilerError.alreadyStarted) { try profiler.start() }
        let other = CPUProfiler()
        #expect(throws: ProfilerError.busy) { try other.start() }
        _ = try profiler.stop()
        #expect(throws: ProfilerError.notRunning) { try profiler.stop() }
        #expect(throws: ProfilerError.alreadyStarted) { try profiler.start() }

        // The process-wide sampler is free again for a new profiler.
        try other.start()
        _ = try other.stop()
    }

    @Test func invalidSettingsAreRejected() {
        #expect(throws: ProfilerError.self) { try CPUProfiler(hz: 0).start() }
        #expect(throws: ProfilerError.self) { try CPUProfiler(capacity: 0).start() }
        #expect(throws: ProfilerError.self) { try CPUProfiler(maxDepth: 2).start() }
    }

    @Test func previousSignalDispositionIsRestored() throws {
        let before = signal(SIGPROF, SIG_IGN)
        defer { signal(SIGPROF, before) }
        let profiler = CPUProfiler()
        try profiler.start()
        Profiling.blackHole(deliberatelyHotFunction(iterations: 1_000))
        _ = try profiler.stop()
        var current = sigaction()
        sigaction(SIGPROF, nil, &current)
        let ignore = unsafeBitCast(SIG_IGN, to: Int.self)
        #expect(unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == ignore)
    }

    @Test func aFullBufferCountsDroppedSamples() throws {
        let profiler = CPUProfiler(hz: 999, capacity: 4)
        try profiler.start()
        Profiling.blackHole(runHotAndCold(cpuNanoseconds: 200_000_000))
        let profile = try profiler.stop()
        #expect(profile.samples + profile.profilerSamples <= 4)
        #expect(profile.droppedSamples > 0)
    }

    @Test func overheadIsMeasured() throws {
        let overhead = try CPUProfiler.measureOverhead(hz: 999, iterations: 20_000_000, rounds: 1)
        #expect(overhead.samples > 0)
        #expect(overhead.baselineNanoseconds > 0 && overhead.profiledNanoseconds > 0)
        #expect(overhead.handlerNanosecondsPerSample > 0)
        #expect(overhead.effectiveHz > 10)
        #expect(overhead.overheadPercent.isFinite && overhead.nanosecondsPerSample.isFinite)
        #expect(overhead.summary.contains("999 Hz"))
    }

    @Test func profileInfoCarriesTheFigures() throws {
        let stacks = [CPUProfile.Stack(frames: ["main", "hot"], count: 3), CPUProfile.Stack(frames: ["main"], count: 1)]
        let profile = CPUProfile(hz: 999, stacks: stacks, droppedSamples: 2, wallSeconds: 1, cpuSeconds: 0.5,
                                 handlerNanoseconds: 4_000)
        let info = ProfileInfo(cpu: profile, foldedFile: "profile.folded", flameGraphFile: "flame.svg", episodes: 10)
        #expect(info.kind == "cpu" && info.samples == 4 && info.droppedSamples == 2)
        #expect(info.handlerNsPerSample == 1_000)
        #expect(info.effectiveHz == 12)
        #expect(info.topFunctions?.first == ProfileInfo.FunctionShare(name: "hot", selfWeight: 3, totalWeight: 3))
        #expect(profile.folded() == "main 1\nmain;hot 3\n")
    }
}
