import Allocator
import BenchModel

/// Memory figures from jemalloc (the process allocator when the `Jemalloc` trait is on) plus RSS.
public struct JemallocSampler: MemorySampler {
    public init() {}

    public func residentBytes() -> UInt64 { readResidentBytes() }

    public func allocatorSnapshot() -> AllocatorSnapshot? {
        // Statistics are cached until the epoch advances.
        guard (try? Mallctl.write("epoch", UInt64(1))) != nil else { return nil }
        do {
            let stats = JemallocStats(
                allocated: UInt64(try Mallctl.read("stats.allocated", as: Int.self)),
                active: UInt64(try Mallctl.read("stats.active", as: Int.self)),
                resident: UInt64(try Mallctl.read("stats.resident", as: Int.self)),
                mapped: UInt64(try Mallctl.read("stats.mapped", as: Int.self)))
            let all = "stats.arenas.\(Mallctl.arenasAll)"
            let requests = try Mallctl.read("\(all).small.nrequests", as: UInt64.self)
                + Mallctl.read("\(all).large.nrequests", as: UInt64.self)
            return AllocatorSnapshot(stats: stats, requests: requests)
        } catch {
            return nil
        }
    }

    public func threadAllocationCounter() -> ThreadAllocationCounter? {
        guard let p = try? Mallctl.read("thread.allocatedp", as: UnsafeMutablePointer<UInt64>.self) else { return nil }
        return ThreadAllocationCounter(pointer: UnsafePointer(p))
    }

    public func flushThreadCache() {
        _ = try? Mallctl.call("thread.tcache.flush")
    }
}

/// The memory sampler this build should use: jemalloc's when it is the allocator, /proc otherwise.
public func defaultMemorySampler() -> any MemorySampler {
    jemallocEnabled ? JemallocSampler() : ProcMemorySampler()
}

/// Whether this build links jemalloc as its allocator.
public var jemallocEnabled: Bool {
    #if Jemalloc
    true
    #else
    false
    #endif
}
