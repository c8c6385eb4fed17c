import Allocator

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// jemalloc heap profiling: sampled allocation stacks, switched on around the measured part and
/// dumped to a file that ``HeapProfile`` parses and `jeprof` reads.
///
/// jemalloc decides at process start whether profiling exists at all (`opt.prof`, read from
/// `MALLOC_CONF`), so a process that wants a heap profile must have been started with
/// ``mallocConf(lgSample:)``. ``ensureEnabled(lgSample:)`` arranges that by re-executing the
/// current program once with `MALLOC_CONF` set. Then:
///
/// ```swift
/// try HeapProfiler.ensureEnabled(lgSample: 19)   // may re-exec; returns in the profiled process
/// let heap = try HeapProfiler()
/// try heap.start()                                // prof.reset + prof.active = true
/// runMeasuredPart()
/// try heap.stop()                                 // prof.active = false
/// let profile = try heap.dump(to: "\(dir)/heap.prof")
/// let report = profile.symbolicated(.currentProcess)
/// print(report.topSites(limit: 10, episodes: episodes))
/// ```
///
/// The dump is jemalloc's `heap_v2` text, which `jeprof` (package libjemalloc-dev) reads too:
///
/// ```sh
/// jeprof --svg .build/release/phibench run/heap.prof > heap.svg      # call graph
/// jeprof --text --alloc_space .build/release/phibench run/heap.prof \
///     | swift demangle --simplified                                    # jeprof leaves Swift mangled
/// ```
///
/// `--inuse_space`/`--inuse_objects` show what was still live at the dump, `--alloc_space`/
/// `--alloc_objects` everything allocated while profiling (the dump has both: `prof_accum:true`).
package struct HeapProfiler: Sendable {
    /// Set in the environment of the re-executed process, so a second re-exec is never attempted.
    package static let relaunchMarker = "PHIBENCH_HEAP_PROFILE_CHILD"

    /// Whether heap profiling can be used in this process.
    package enum Support: Sendable, Equatable {
        /// Profiling is on: ``HeapProfiler/init()`` succeeds.
        case ready(lgSample: Int)
        /// jemalloc can profile, but the process was started without `prof:true`.
        case needsRestart
        /// The jemalloc in use lacks `--enable-prof`.
        case unsupported
        /// Built without the `Jemalloc` trait.
        case notLinked
    }

    /// What this process can do; never throws.
    package static var support: Support {
        #if Jemalloc
        guard (try? Mallctl.read("config.prof", as: Bool.self)) == true else { return .unsupported }
        guard (try? Mallctl.read("opt.prof", as: Bool.self)) == true else { return .needsRestart }
        let lg = (try? Mallctl.read("prof.lg_sample", as: Int.self)) ?? 19
        return .ready(lgSample: lg)
        #else
        return .notLinked
        #endif
    }

    /// The `MALLOC_CONF` a process needs for heap profiling: profiling compiled in but inactive
    /// until ``start()``, one sample per `2^lgSample` bytes on average, cumulative counts kept.
    /// A user's own `MALLOC_CONF` is kept in front (jemalloc lets later options win).
    package static func mallocConf(lgSample: Int, existing: String? = nil) -> String {
        let ours = "prof:true,prof_active:false,prof_accum:true,lg_prof_sample:\(lgSample)"
        guard let existing, !existing.isEmpty else { return ours }
        return existing + "," + ours
    }

    /// Returns when heap profiling is on in this process. Otherwise re-executes the running program
    /// (`/proc/self/exe`, same arguments) with ``mallocConf(lgSample:existing:)`` in `MALLOC_CONF`
    /// and does not return.
    /// - Throws: ``ProfilerError/jemallocNotLinked``, ``ProfilerError/jemallocWithoutProfiling``,
    ///   ``ProfilerError/heapProfilingNotEnabled`` when a re-executed process still has profiling
    ///   off (e.g. MALLOC_CONF is ignored), ``ProfilerError/system(call:errno:)`` when exec fails.
    package static func ensureEnabled(lgSample: Int) throws(ProfilerError) {
        guard (0...40).contains(lgSample) else {
            throw .invalidConfiguration("lg_prof_sample must be 0…40, got \(lgSample)")
        }
        switch support {
        case .ready: return
        case .notLinked: throw .jemallocNotLinked
        case .unsupported: throw .jemallocWithoutProfiling
        case .needsRestart:
            if getenv(relaunchMarker) != nil { throw .heapProfilingNotEnabled }
            let existing = getenv("MALLOC_CONF").map { String(cString: $0) }
            setenv("MALLOC_CONF", mallocConf(lgSample: lgSample, existing: existing), 1)
            setenv(relaunchMarker, "1", 1)
            // Interval timers survive exec while signal handlers do not: a CPU profiler's ITIMER_PROF
            // would kill the new image with its first SIGPROF.
            var off = itimerval()
            setitimer(__itimer_which_t(ITIMER_PROF.rawValue), &off, nil)
            fflush(nil)
            execv("/proc/self/exe", CommandLine.unsafeArgv)
            let failure = errno
            unsetenv(relaunchMarker)
            throw .system(call: "execv(/proc/self/exe)", errno: failure)
        }
    }

    /// A handle on jemalloc's profiler.
    /// - Throws: ``ProfilerError/jemallocNotLinked``, ``ProfilerError/jemallocWithoutProfiling`` or
    ///   ``ProfilerError/heapProfilingNotEnabled`` unless ``support`` is `.ready`.
    package init() throws(ProfilerError) {
        switch Self.support {
        case .ready: return
        case .notLinked: throw .jemallocNotLinked
        case .unsupported: throw .jemallocWithoutProfiling
        case .needsRestart: throw .heapProfilingNotEnabled
        }
    }

    /// Discards every sample so far (`prof.reset`, optionally with a new `2^lgSample`-byte sampling
    /// interval) and starts sampling allocations (`prof.active`).
    /// - Throws: ``ProfilerError/mallctl(name:code:)``.
    package func start(lgSample: Int? = nil) throws(ProfilerError) {
        #if Jemalloc
        if let lgSample {
            try Mallctl.set("prof.reset", Int(lgSample))
        } else {
            try Mallctl.trigger("prof.reset")
        }
        try Mallctl.set("prof.active", true)
        #else
        throw .jemallocNotLinked
        #endif
    }

    /// Stops sampling new allocations; frees of sampled ones are still tracked.
    /// - Throws: ``ProfilerError/mallctl(name:code:)``.
    package func stop() throws(ProfilerError) {
        #if Jemalloc
        try Mallctl.set("prof.active", false)
        #else
        throw .jemallocNotLinked
        #endif
    }

    /// Writes jemalloc's heap profile to `path` (`prof.dump`) and parses it.
    /// - Throws: ``ProfilerError/mallctl(name:code:)`` when jemalloc cannot write the file,
    ///   ``ProfilerError/heapProfileFormat(line:reason:)`` when it cannot be read back.
    package func dump(to path: String) throws(ProfilerError) -> HeapProfile {
        #if Jemalloc
        do { try Mallctl.write("prof.dump", cString: path) } catch { throw ProfilerError(error) }
        return try HeapProfile(contentsOf: path)
        #else
        throw .jemallocNotLinked
        #endif
    }
}

extension Mallctl {
    /// `write`, with a failure as this module's error.
    fileprivate static func set<T>(_ name: String, _ value: T) throws(ProfilerError) {
        do { try write(name, value) } catch { throw ProfilerError(error) }
    }

    /// `call`, with a failure as this module's error.
    fileprivate static func trigger(_ name: String) throws(ProfilerError) {
        do { try call(name) } catch { throw ProfilerError(error) }
    }
}

extension ProfilerError {
    init(_ failure: Mallctl.Failure) {
        switch failure {
        case .failed(let name, let code): self = .mallctl(name: name, code: code)
        case .unavailable: self = .jemallocNotLinked
        }
    }
}
