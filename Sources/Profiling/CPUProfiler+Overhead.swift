/// What sampling costs, measured on a fixed CPU-bound loop run with and without the profiler.
package struct SamplingOverhead: Sendable, Codable, Equatable {
    /// Requested sampling frequency, Hz of CPU time.
    package var hz: Int
    /// Samples per CPU-second actually taken while profiling (the kernel tick may cap it).
    package var effectiveHz: Double
    /// Fastest round of the loop without profiling, thread CPU time, nanoseconds.
    package var baselineNanoseconds: UInt64
    /// Fastest round of the same loop while profiling, thread CPU time, nanoseconds.
    package var profiledNanoseconds: UInt64
    /// Samples taken during that profiled round.
    package var samples: Int
    /// `(profiled − baseline) / baseline`, percent. Can come out slightly negative on a noisy
    /// machine; compare it with ``baselineSpreadPercent``.
    package var overheadPercent: Double
    /// `(slowest − fastest) / fastest` of the baseline rounds, percent: the noise floor that
    /// ``overheadPercent`` has to rise above to mean anything.
    package var baselineSpreadPercent: Double
    /// Handler time as a share of the profiled round's CPU time, percent: the part of the overhead
    /// that is measured directly rather than as a difference of two noisy timings.
    package var handlerOverheadPercent: Double
    /// `(profiled − baseline) / samples`: the whole cost of one sample (signal delivery, handler,
    /// cache disturbance), nanoseconds.
    package var nanosecondsPerSample: Double
    /// Time inside the signal handler per sample (unwinding only), nanoseconds.
    package var handlerNanosecondsPerSample: Double

    package init(hz: Int, effectiveHz: Double, baselineNanoseconds: UInt64, profiledNanoseconds: UInt64,
                samples: Int, handlerNanosecondsPerSample: Double, baselineSpreadPercent: Double = 0) {
        self.hz = hz
        self.effectiveHz = effectiveHz
        self.baselineNanoseconds = baselineNanoseconds
        self.profiledNanoseconds = profiledNanoseconds
        self.samples = samples
        let delta = Double(profiledNanoseconds) - Double(baselineNanoseconds)
        self.overheadPercent = baselineNanoseconds == 0 ? 0 : delta / Double(baselineNanoseconds) * 100
        self.nanosecondsPerSample = samples == 0 ? 0 : delta / Double(samples)
        self.handlerNanosecondsPerSample = handlerNanosecondsPerSample
        self.baselineSpreadPercent = baselineSpreadPercent
        self.handlerOverheadPercent = profiledNanoseconds == 0 ? 0
            : handlerNanosecondsPerSample * Double(samples) / Double(profiledNanoseconds) * 100
    }

    /// One line for a terminal or a report.
    package var summary: String {
        func fixed(_ value: Double, _ digits: Int) -> String {
            var scale = 1.0
            for _ in 0..<digits { scale *= 10 }
            let rounded = (value * scale).rounded() / scale
            return "\(rounded)"
        }
        return "sampling at \(hz) Hz (\(Int(effectiveHz.rounded())) Hz reached): "
            + "\(fixed(overheadPercent, 2))% slower with profiling (baseline noise \(fixed(baselineSpreadPercent, 2))%), "
            + "\(Int(handlerNanosecondsPerSample.rounded())) ns unwinding per sample = \(fixed(handlerOverheadPercent, 3))% of CPU"
    }
}

extension CPUProfiler {
    /// Measures the profiler's overhead: runs a fixed xorshift loop `rounds` times without and
    /// `rounds` times with sampling (alternating, on the calling thread), and compares the fastest
    /// rounds of each in thread CPU time, which the handler's time is charged to.
    ///
    /// Takes about `2 × rounds × iterations × 1.7 ns` in a release build; ~1 s with the defaults.
    /// The loop's stack is shallow, so the per-sample figure is a floor for deep application stacks;
    /// ``CPUProfile/handlerNanosecondsPerSample`` of a real profile gives the unwinding cost there.
    /// - Throws: what ``CPUProfiler/start()`` throws.
    package static func measureOverhead(hz: Int = 999, iterations: Int = 100_000_000, rounds: Int = 3)
        throws(ProfilerError) -> SamplingOverhead {
        guard iterations > 0, rounds > 0 else {
            throw .invalidConfiguration("iterations and rounds must be positive")
        }
        var baseline = UInt64.max
        var slowestBaseline: UInt64 = 0
        var profiled = UInt64.max
        var best: CPUProfile?
        for round in 0..<(2 * rounds) {
            let profiling = round % 2 == 1
            let profiler = CPUProfiler(hz: hz, capacity: 16_384, maxDepth: 64)
            if profiling { try profiler.start() }
            let start = Clocks.threadCPUNanoseconds()
            blackHole(overheadReferenceLoop(iterations: iterations, seed: UInt64(round)))
            let elapsed = Clocks.threadCPUNanoseconds() &- start
            if profiling {
                let profile = try profiler.stop()
                if elapsed < profiled {
                    profiled = elapsed
                    best = profile
                }
            } else {
                baseline = min(baseline, elapsed)
                slowestBaseline = max(slowestBaseline, elapsed)
            }
        }
        let samples = best.map { $0.samples + $0.profilerSamples } ?? 0
        return SamplingOverhead(
            hz: hz, effectiveHz: best?.effectiveHz ?? 0, baselineNanoseconds: baseline,
            profiledNanoseconds: profiled, samples: samples,
            handlerNanosecondsPerSample: best?.handlerNanosecondsPerSample ?? 0,
            baselineSpreadPercent: baseline == 0 ? 0 : Double(slowestBaseline - baseline) / Double(baseline) * 100)
    }
}

/// The fixed CPU-bound work of ``CPUProfiler/measureOverhead(hz:iterations:rounds:)``.
@inline(never)
func overheadReferenceLoop(iterations: Int, seed: UInt64) -> UInt64 {
    var x: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ seed
    for _ in 0..<iterations {
        x ^= x << 13
        x ^= x >> 7
        x ^= x << 17
    }
    return x
}

/// Keeps a value alive so the optimiser cannot delete the work that produced it.
@inline(never) @_optimize(none)
func blackHole<T>(_ value: T) {}
