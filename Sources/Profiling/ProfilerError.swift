/// Why a CPU or heap profile could not be taken.
package enum ProfilerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `start()` was called on a profiler that was already started (each profiler runs once).
    case alreadyStarted
    /// `stop()` was called without a running `start()`.
    case notRunning
    /// Another CPU profiler is sampling in this process; SIGPROF and ITIMER_PROF are process-wide.
    case busy
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A system call failed.
    case system(call: String, errno: Int32)
    /// Heap profiling needs jemalloc, and this binary was built without the `Jemalloc` trait.
    case jemallocNotLinked
    /// The jemalloc in use was built without `--enable-prof` (`config.prof` is false).
    case jemallocWithoutProfiling
    /// jemalloc supports profiling but it was not switched on when the process started.
    case heapProfilingNotEnabled
    /// A jemalloc `mallctl` call failed with the given error number.
    case mallctl(name: String, code: Int32)
    /// A heap profile file could not be read or parsed.
    case heapProfileFormat(line: Int, reason: String)
    /// The profiler of a session did not start, or produced nothing.
    case noProfile(String)
    /// A profile file could not be written.
    case write(path: String, reason: String)

    package var description: String {
        switch self {
        case .alreadyStarted:
            return "the CPU profiler was already started; create a new CPUProfiler for another profile"
        case .notRunning:
            return "the CPU profiler is not running; call start() before stop(), once each"
        case .busy:
            return "another CPU profiler is already sampling this process; stop it first"
        case .invalidConfiguration(let message):
            return "invalid profiler configuration: \(message)"
        case .system(let call, let errno):
            return "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case .jemallocNotLinked:
            return "heap profiling needs jemalloc; rebuild without --disable-default-traits (the Jemalloc trait)"
        case .jemallocWithoutProfiling:
            return "the installed jemalloc was built without --enable-prof (config.prof is false); "
                + "install a jemalloc with profiling support to use --heap"
        case .heapProfilingNotEnabled:
            return "jemalloc heap profiling was not enabled at process start; run with "
                + "MALLOC_CONF=prof:true,prof_active:false (phibench profile --heap does this by re-executing itself)"
        case .mallctl(let name, let code):
            return "jemalloc mallctl(\"\(name)\") failed: \(String(cString: strerror(code))) (error \(code))"
        case .heapProfileFormat(let line, let reason):
            return "heap profile line \(line): \(reason)"
        case .noProfile(let reason):
            return reason
        case .write(let path, let reason):
            return "\(path): cannot write: \(reason)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
