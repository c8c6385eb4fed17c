import CUnwind
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A sampling CPU profiler for the whole process.
///
/// `start()` installs a SIGPROF handler and arms `setitimer(ITIMER_PROF)`; every `1/hz` seconds of
/// process CPU time the running thread is interrupted and its stack is unwound with libunwind into a
/// buffer allocated here, before sampling starts (no allocation or lock in the handler; samples that
/// find the buffer full are counted as dropped). `stop()` disarms the timer, restores the previous
/// SIGPROF disposition and symbolises the samples with `dladdr` and the Swift demangler.
///
/// ```swift
/// let profiler = CPUProfiler(hz: 999)
/// try profiler.start()
/// runWorkload()
/// let profile = try profiler.stop()
/// try profile.folded().write(to: runDirectory.appending("profile.folded"))
/// ```
///
/// One profiler samples at a time per process (signal dispositions are process-wide); each
/// instance is started and stopped once.
///
/// Limits worth knowing when reading a profile:
/// - ITIMER_PROF is checked on the kernel's tick, so the rate reached is at most CONFIG_HZ samples
///   per CPU-second per running thread (250 on this project's machines): `hz: 999` then yields
///   ~250 Hz per busy thread. ``CPUProfile/effectiveHz`` reports what was reached.
/// - Stacks are physical: an `async` function shows as its current partial function under
///   `swift_job_run`; its awaiting callers are not on the stack and do not appear.
/// - Unwinding uses DWARF CFI (`.eh_frame`), so frame pointers are not needed; inlined functions
///   are attributed to the function they were inlined into.
/// - The timer keeps running across `exec`, so stop the profiler before re-executing the process
///   (``HeapProfiler/ensureEnabled(lgSample:)``) or the new image dies of the first SIGPROF.
/// - SA_RESTART is set, but calls the kernel never restarts (`nanosleep`, `poll` with a timeout)
///   can return EINTR on the rare occasion the signal lands on a sleeping thread.
package final class CPUProfiler: Sendable {
    /// Requested sampling frequency, Hz of process CPU time.
    package let hz: Int
    /// Samples the buffer holds; more are counted as dropped.
    package let capacity: Int
    /// Frames kept per sample; deeper stacks lose their outermost frames.
    package let maxDepth: Int

    private let state = Mutex(State())

    private struct State: @unchecked Sendable {  // the pointers are touched only under the lock
        enum Phase { case idle, running, finished }
        var phase = Phase.idle
        var frames: UnsafeMutablePointer<UInt>?
        var depths: UnsafeMutablePointer<UInt32>?
        var startWall: UInt64 = 0
        var startCPU: UInt64 = 0
    }

    /// - Parameters:
    ///   - hz: samples per second of CPU time, 1…10,000. The kernel's tick may cap the rate
    ///     actually reached (see ``CPUProfile/effectiveHz``).
    ///   - capacity: samples kept, e.g. `seconds × hz × cores`; 32,768 by default.
    ///   - maxDepth: frames per sample, 8…1,024.
    /// The buffer (`capacity × maxDepth × 8` bytes, 32 MiB by default) is reserved at `start()`
    /// and only touched as samples arrive.
    package init(hz: Int = 999, capacity: Int = 32_768, maxDepth: Int = 128) {
        self.hz = hz
        self.capacity = capacity
        self.maxDepth = maxDepth
    }

    deinit {
        state.withLock { state in
            if state.phase == .running {
                var errorNumber: Int32 = 0
                _ = phibench_sampler_stop(&errorNumber)
            }
            state.frames?.deallocate()
            state.depths?.deallocate()
        }
    }

    /// Starts sampling.
    /// - Throws: ``ProfilerError/alreadyStarted`` on a second call, ``ProfilerError/busy`` when another
    ///   profiler is sampling, ``ProfilerError/invalidConfiguration(_:)`` for out-of-range settings,
    ///   ``ProfilerError/system(call:errno:)`` when sigaction or setitimer fail.
    package func start() throws(ProfilerError) {
        guard (1...10_000).contains(hz) else { throw .invalidConfiguration("hz must be 1…10000, got \(hz)") }
        guard (1...10_000_000).contains(capacity) else {
            throw .invalidConfiguration("capacity must be 1…10000000 samples, got \(capacity)")
        }
        guard (8...1024).contains(maxDepth) else {
            throw .invalidConfiguration("maxDepth must be 8…1024 frames, got \(maxDepth)")
        }
        try state.withLock { state throws(ProfilerError) in
            guard state.phase == .idle else { throw .alreadyStarted }
            let frames = UnsafeMutablePointer<UInt>.allocate(capacity: capacity * maxDepth)
            let depths = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
            state.startWall = Clocks.monotonicNanoseconds()
            state.startCPU = Clocks.processCPUNanoseconds()
            var errorNumber: Int32 = 0
            let rc = phibench_sampler_start(
                frames, depths, UInt32(capacity), UInt32(maxDepth), UInt32(max(1, 1_000_000 / hz)), &errorNumber)
            guard rc == Int32(PHIBENCH_SAMPLER_OK) else {
                frames.deallocate()
                depths.deallocate()
                throw Self.error(rc, errorNumber)
            }
            state.frames = frames
            state.depths = depths
            state.phase = .running
        }
    }

    /// Stops sampling, restores the previous SIGPROF handler and symbolises the samples.
    /// - Returns: the profile, aggregated by call stack.
    /// - Throws: ``ProfilerError/notRunning`` unless ``start()`` succeeded and `stop()` was not
    ///   called yet; ``ProfilerError/system(call:errno:)`` when the timer could not be disarmed.
    package func stop() throws(ProfilerError) -> CPUProfile {
        try state.withLock { state throws(ProfilerError) -> CPUProfile in
            guard state.phase == .running, let frames = state.frames, let depths = state.depths else {
                throw .notRunning
            }
            var errorNumber: Int32 = 0
            let rc = phibench_sampler_stop(&errorNumber)
            state.phase = .finished
            let wall = Clocks.monotonicNanoseconds() &- state.startWall
            let cpu = Clocks.processCPUNanoseconds() &- state.startCPU
            defer {
                frames.deallocate()
                depths.deallocate()
                state.frames = nil
                state.depths = nil
            }
            guard rc == Int32(PHIBENCH_SAMPLER_OK) else { throw Self.error(rc, errorNumber) }

            let recorded = Int(phibench_sampler_recorded())
            let raw = RawSamples(frames: frames, depths: depths, count: recorded, maxDepth: maxDepth)
            return raw.profile(
                hz: hz, dropped: phibench_sampler_dropped(), slowUnwinds: phibench_sampler_slow_unwinds(),
                handlerNanoseconds: phibench_sampler_handler_ns(),
                wallSeconds: Double(wall) / 1e9, cpuSeconds: Double(cpu) / 1e9)
        }
    }

    private static func error(_ rc: Int32, _ errorNumber: Int32) -> ProfilerError {
        switch Int(rc) {
        case Int(PHIBENCH_SAMPLER_BUSY): return .busy
        case Int(PHIBENCH_SAMPLER_NOT_RUNNING): return .notRunning
        case Int(PHIBENCH_SAMPLER_SIGACTION): return .system(call: "sigaction(SIGPROF)", errno: errorNumber)
        case Int(PHIBENCH_SAMPLER_SETITIMER): return .system(call: "setitimer(ITIMER_PROF)", errno: errorNumber)
        default: return .invalidConfiguration("the sampler rejected its buffers (code \(rc))")
        }
    }
}

/// The sampler's buffers after stop: raw return addresses, innermost first.
struct RawSamples {
    let frames: UnsafeMutablePointer<UInt>
    let depths: UnsafeMutablePointer<UInt32>
    let count: Int
    let maxDepth: Int

    /// Frames of the profiler itself; a sample containing one caught start() or stop().
    private static func isProfilerFrame(_ name: String) -> Bool {
        name.hasPrefix("phibench_sampler_") || name.contains("Profiling.CPUProfiler.start()")
            || name.contains("Profiling.CPUProfiler.stop()")
    }

    func profile(hz: Int, dropped: UInt64, slowUnwinds: UInt64, handlerNanoseconds: UInt64, wallSeconds: Double,
                 cpuSeconds: Double) -> CPUProfile {
        // Aggregate by address first: far fewer distinct stacks than samples.
        var byAddresses: [[UInt]: Int] = [:]
        var truncated = 0
        for sample in 0..<count {
            let entry = depths[sample]
            let depth = Int(entry & ~UInt32(PHIBENCH_SAMPLER_TRUNCATED))
            guard depth > 0 else { continue }
            if entry & UInt32(PHIBENCH_SAMPLER_TRUNCATED) != 0 { truncated += 1 }
            let start = frames + sample * maxDepth
            byAddresses[Array(UnsafeBufferPointer(start: start, count: depth)), default: 0] += 1
        }
        var symbolizer = Symbolizer()
        var byNames: [[String]: Int] = [:]
        var profilerSamples = 0
        for (addresses, samples) in byAddresses {
            // addresses[0] is the interrupted instruction; the rest are return addresses.
            let names = addresses.enumerated().reversed().map { index, address in
                symbolizer.name(of: address, isReturnAddress: index > 0)
            }
            if names.contains(where: Self.isProfilerFrame) {
                profilerSamples += samples
                continue
            }
            byNames[names, default: 0] += samples
        }
        let stacks = byNames.map { CPUProfile.Stack(frames: $0.key, count: $0.value) }
            .sorted { $0.frames.lexicographicallyPrecedes($1.frames) }
        return CPUProfile(
            hz: hz, stacks: stacks, droppedSamples: dropped, profilerSamples: profilerSamples,
            truncatedSamples: truncated, slowUnwinds: slowUnwinds, wallSeconds: wallSeconds, cpuSeconds: cpuSeconds,
            handlerNanoseconds: handlerNanoseconds)
    }
}

/// The calling thread's return addresses, innermost first: the first is the return address into
/// the function that called this one.
@inline(never)
func currentStackAddresses(maxDepth: Int = 64) -> [UInt] {
    let buffer = UnsafeMutablePointer<UInt>.allocate(capacity: maxDepth + 1)
    defer { buffer.deallocate() }
    // No closures here: the first frame must be this function's own return address, skipped below.
    let depth = Int(phibench_unwind_here(buffer, Int32(maxDepth + 1)))
    return depth > 1 ? Array(UnsafeBufferPointer(start: buffer + 1, count: depth - 1)) : []
}

/// Clock readings as plain integers.
enum Clocks {
    static func monotonicNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }
    /// CPU time of all threads of the process, user + system.
    static func processCPUNanoseconds() -> UInt64 { read(CLOCK_PROCESS_CPUTIME_ID) }
    /// CPU time of the calling thread.
    static func threadCPUNanoseconds() -> UInt64 { read(CLOCK_THREAD_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
