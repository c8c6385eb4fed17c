import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A request to stop the run early, set by SIGINT/SIGTERM or by code (tests, soak deadlines).
public final class StopSignal: Sendable {
    private let signalNumber = Atomic<Int32>(0)
    /// Kept alive for the life of the signal; touched only while installing.
    private nonisolated(unsafe) var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// True once a stop was requested.
    public var isSet: Bool { signalNumber.load(ordering: .relaxed) != 0 }

    /// The signal that asked for the stop (SIGINT = 2, SIGTERM = 15), or nil.
    public var signal: Int32? {
        let s = signalNumber.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    /// Requests a stop as if `signal` had arrived (-1 for a programmatic stop).
    public func request(signal: Int32 = -1) {
        _ = signalNumber.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
    }

    /// Routes SIGINT and SIGTERM here instead of killing the process: the first one stops the load
    /// and lets the run write what it measured; a second one exits at once (130 or 143), the way
    /// k6 and wrk behave.
    public func installSignalHandlers() {
        for sig in [SIGINT, SIGTERM] {
            Glibc.signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if self.isSet {
                    _exit(128 + sig)
                }
                self.request(signal: sig)
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The conventional exit status for the signal that stopped the run (130, 143), or nil.
    public var exitStatus: Int32? {
        guard let s = signal, s > 0 else { return nil }
        return 128 + s
    }
}
