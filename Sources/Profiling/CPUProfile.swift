import BenchModel

/// A finished CPU profile: the symbolised call stacks the sampler caught, aggregated.
///
/// Samples are taken every `1/hz` seconds of *process CPU time* (ITIMER_PROF), on whichever thread
/// was running, so the profile shows where the process spent CPU, all threads together.
package struct CPUProfile: Sendable, Codable, Equatable {
    /// One distinct call stack and how many samples caught it.
    package struct Stack: Sendable, Codable, Equatable, Hashable {
        /// Frame names, outermost (root, e.g. `_start`) first, the sampled function last.
        package var frames: [String]
        /// Samples with exactly this stack.
        package var count: Int

        package init(frames: [String], count: Int) {
            self.frames = frames
            self.count = count
        }
    }

    /// Requested sampling frequency, Hz of process CPU time.
    package var hz: Int
    /// Distinct stacks, sorted by their folded text.
    package var stacks: [Stack]
    /// Samples recorded and kept (the sum of the stacks' counts).
    package var samples: Int
    /// Samples lost because the buffer was full.
    package var droppedSamples: UInt64
    /// Samples that caught the profiler itself starting or stopping; left out of ``stacks``.
    package var profilerSamples: Int
    /// Samples whose stack was deeper than the sampler's maximum depth; their outermost frames are
    /// missing, so they hang off a shorter root in the flame graph.
    package var truncatedSamples: Int
    /// Samples libunwind's fast path (`unw_backtrace`) could not line up with the interrupted
    /// instruction, unwound instead step by step from the signal context (slower, same result).
    package var slowUnwinds: UInt64
    /// Wall time between start and stop, seconds.
    package var wallSeconds: Double
    /// Process CPU time (user + system, all threads) between start and stop, seconds.
    package var cpuSeconds: Double
    /// Total time spent inside the SIGPROF handler, nanoseconds (the unwinding cost; the kernel's
    /// signal delivery is not included).
    package var handlerNanoseconds: UInt64

    package init(hz: Int, stacks: [Stack], droppedSamples: UInt64 = 0, profilerSamples: Int = 0,
                truncatedSamples: Int = 0, slowUnwinds: UInt64 = 0, wallSeconds: Double = 0, cpuSeconds: Double = 0,
                handlerNanoseconds: UInt64 = 0) {
        self.hz = hz
        self.stacks = stacks
        self.samples = stacks.reduce(0) { $0 + $1.count }
        self.droppedSamples = droppedSamples
        self.profilerSamples = profilerSamples
        self.truncatedSamples = truncatedSamples
        self.slowUnwinds = slowUnwinds
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.handlerNanoseconds = handlerNanoseconds
    }

    /// Samples per second of process CPU time actually taken. Lower than ``hz`` when the kernel's
    /// tick (CONFIG_HZ, often 250) is coarser than the requested interval: CPU-time timers are
    /// checked once per tick per running thread.
    package var effectiveHz: Double {
        guard cpuSeconds > 0 else { return 0 }
        return (Double(samples + profilerSamples) + Double(droppedSamples)) / cpuSeconds
    }

    /// Mean time spent in the signal handler per recorded sample, nanoseconds.
    package var handlerNanosecondsPerSample: Double {
        let recorded = samples + profilerSamples
        return recorded == 0 ? 0 : Double(handlerNanoseconds) / Double(recorded)
    }

    /// Share of the profiled CPU time spent in the signal handler, percent. A lower bound of the
    /// sampling overhead: the kernel's signal delivery and cache effects come on top (see
    /// ``CPUProfiler/measureOverhead(hz:iterations:rounds:)`` for the whole cost).
    package var handlerOverheadPercent: Double {
        guard cpuSeconds > 0 else { return 0 }
        return Double(handlerNanoseconds) / (cpuSeconds * 1e9) * 100
    }

    /// The profile in Brendan Gregg's folded format: one `root;caller;callee count` line per
    /// distinct stack, as read by `flamegraph.pl`, speedscope and ``Reports/FlameGraph``.
    package func folded() -> String {
        FoldedStacks.render(stacks.map { ($0.frames, UInt64($0.count)) })
    }

    /// The functions that appear most: `total` counts samples with the function anywhere on the
    /// stack (once per sample), `self` samples where it was the one running.
    package func topFunctions(limit: Int = 20) -> [FunctionShare] {
        FoldedStacks.shares(stacks.map { ($0.frames, UInt64($0.count)) }, limit: limit)
    }
}

/// How often one function appears in a profile (defined with the result schema).
package typealias FunctionShare = ProfileInfo.FunctionShare

/// Folded-stack text shared by CPU and heap profiles.
enum FoldedStacks {
    /// A frame name safe inside a folded line: `;` separates frames and the last space separates
    /// the count, so `;` and line breaks are replaced.
    static func sanitize(_ frame: String) -> String {
        guard frame.contains(where: { $0 == ";" || $0 == "\n" || $0 == "\r" }) else { return frame }
        return String(frame.map { $0 == ";" ? ":" : ($0 == "\n" || $0 == "\r" ? " " : $0) })
    }

    static func render(_ stacks: [(frames: [String], weight: UInt64)]) -> String {
        var merged: [String: UInt64] = [:]
        for stack in stacks where stack.weight > 0 {
            let key = stack.frames.isEmpty ? "[unknown]" : stack.frames.map(sanitize).joined(separator: ";")
            merged[key, default: 0] += stack.weight
        }
        var out = ""
        for key in merged.keys.sorted() {
            out += "\(key) \(merged[key]!)\n"
        }
        return out
    }

    static func shares(_ stacks: [(frames: [String], weight: UInt64)], limit: Int) -> [FunctionShare] {
        var selfWeight: [String: UInt64] = [:]
        var totalWeight: [String: UInt64] = [:]
        for stack in stacks {
            if let leaf = stack.frames.last { selfWeight[leaf, default: 0] += stack.weight }
            for name in Set(stack.frames) { totalWeight[name, default: 0] += stack.weight }
        }
        return totalWeight
            .map { FunctionShare(name: $0.key, selfWeight: selfWeight[$0.key] ?? 0, totalWeight: $0.value) }
            .sorted { ($0.selfWeight, $0.totalWeight, $1.name) > ($1.selfWeight, $1.totalWeight, $0.name) }
            .prefix(limit)
            .map { $0 }
    }
}
