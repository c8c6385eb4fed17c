import BenchModel
import CPause
#if canImport(Glibc)
import Glibc
#endif

/// A joinable OS thread. The harness uses dedicated threads, not Swift concurrency's cooperative
/// pool, so that a blocked or spinning worker never starves the dispatcher or the sampler.
final class OSThread: @unchecked Sendable {
    private var handle = pthread_t()

    private final class Box {
        let body: () -> Void
        let name: String
        init(_ name: String, _ body: @escaping () -> Void) {
            self.name = name
            self.body = body
        }
    }

    /// Starts `body` on a new thread named `name` (at most 15 characters are shown by the OS).
    /// - Throws: ``HarnessError/threadStart(name:code:)`` when the system refuses another thread.
    init(name: String, _ body: @escaping @Sendable () -> Void) throws(HarnessError) {
        let retained = Unmanaged.passRetained(Box(name, body))
        let box = retained.toOpaque()
        let rc = pthread_create(&handle, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            _ = String(box.name.prefix(15)).withCString { c_pthread_setname_np(pthread_self(), $0) }
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            retained.release()
            throw .threadStart(name: name, code: rc)
        }
    }

    /// Waits for the thread to finish.
    func join() {
        pthread_join(handle, nil)
    }
}

/// Sleeps until the monotonic clock reads `deadline` nanoseconds (absolute, immune to drift).
func sleep(untilMonotonic deadline: UInt64) {
    var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
}

/// Waits until the monotonic clock reads `due` ns: sleeps (absolute `clock_nanosleep`) until
/// `spinWindow` ns before it, then busy-waits the rest with the CPU's spin-wait hint.
///
/// Why spin: even with 1 ns timer slack a wake-up on a VM is tens of µs late (host scheduling,
/// the timer interrupt, the context switch), and in open loop that lateness lands in e2e; a spin
/// reads the clock every few tens of ns. `spinWindow` 0 only sleeps (CPU-frugal, for long soaks).
/// Sleeps in slices of at most 20 ms and checks `stop` while spinning, so a stop is seen within 20 ms.
/// - Returns: `spun` plus the nanoseconds spent spinning, and the clock when the wait ended (the
///   caller's start time, so no further clock read sits between the wait and the work).
@inline(__always)
func wait(untilMonotonic due: UInt64, spinWindow: UInt64, stop: StopSignal, spun: UInt64) -> (spun: UInt64, now: UInt64) {
    let wake = due &- Swift.min(spinWindow, due)
    var now = monotonicNanoseconds()
    while now < due && !stop.isSet {
        if now < wake {
            sleep(untilMonotonic: Swift.min(wake, now &+ 20_000_000))
            now = monotonicNanoseconds()
            continue
        }
        let from = now
        repeat {
            phibench_cpu_relax()
            now = monotonicNanoseconds()
        } while now < due && !stop.isSet
        return (spun &+ (now &- from), now)
    }
    return (spun, now)
}

/// Sleeps for `nanoseconds`.
func sleep(nanoseconds: UInt64) {
    sleep(untilMonotonic: monotonicNanoseconds() &+ nanoseconds)
}

/// Asks the kernel for precise timer wake-ups on the calling thread (default slack is 50 µs),
/// so the open-loop dispatcher releases arrivals on time.
func requestPreciseTimers() {
    let prSetTimerslack: Int32 = 29  // PR_SET_TIMERSLACK from <linux/prctl.h>
    _ = c_prctl(prSetTimerslack, 1, 0, 0, 0)
}

// Glibc's Swift module leaves these out (they need _GNU_SOURCE / <sys/prctl.h>). prctl is variadic
// in C; all its arguments here are integer-register words, which the SysV and AAPCS64 ABIs pass the
// same way for variadic and fixed calls.
@_silgen_name("prctl")
private func c_prctl(_ option: Int32, _ a2: UInt, _ a3: UInt, _ a4: UInt, _ a5: UInt) -> Int32

@_silgen_name("pthread_setname_np")
private func c_pthread_setname_np(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
