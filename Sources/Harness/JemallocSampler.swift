#if Jemalloc
import BenchModel
import CJemalloc

/// Memory figures from jemalloc (the process allocator when the `Jemalloc` trait is on) plus RSS.
public struct JemallocSampler: MemorySampler {
    public init() {}

    public func residentBytes() -> UInt64 { readResidentBytes() }

    public func allocatorSnapshot() -> AllocatorSnapshot? {
        // Statistics are cached until the epoch advances.
        var epoch: UInt64 = 1
        guard (try? Mallctl.write("epoch", &epoch)) != nil else { return nil }
        do {
            let stats = JemallocStats(
                allocated: UInt64(try Mallctl.read("stats.allocated", as: Int.self)),
                active: UInt64(try Mallctl.read("stats.active", as: Int.self)),
                resident: UInt64(try Mallctl.read("stats.resident", as: Int.self)),
                mapped: UInt64(try Mallctl.read("stats.mapped", as: Int.self)))
            let all = "stats.arenas.\(mallctlArenasAll)"
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

/// jemalloc's `MALLCTL_ARENAS_ALL` (a macro Swift does not import): the index that sums all arenas.
let mallctlArenasAll = 4096

/// The one place `mallctl` is called.
enum Mallctl {
    struct Failure: Error, CustomStringConvertible {
        var name: String
        var code: Int32
        var description: String { "mallctl(\"\(name)\") failed with error \(code)" }
    }

    static func read<T>(_ name: String, as: T.Type) throws(Failure) -> T {
        let size = MemoryLayout<T>.size
        let raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<T>.alignment)
        defer { raw.deallocate() }
        var len = size
        let rc = mallctl(name, raw, &len, nil, 0)
        guard rc == 0 else { throw Failure(name: name, code: rc) }
        return raw.load(as: T.self)
    }

    static func write<T>(_ name: String, _ value: inout T) throws(Failure) {
        let rc = withUnsafeMutableBytes(of: &value) { mallctl(name, nil, nil, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw Failure(name: name, code: rc) }
    }

    static func call(_ name: String) throws(Failure) {
        let rc = mallctl(name, nil, nil, nil, 0)
        guard rc == 0 else { throw Failure(name: name, code: rc) }
    }
}
#endif

/// The memory sampler this build should use: jemalloc's when it is the allocator, /proc otherwise.
public func defaultMemorySampler() -> any MemorySampler {
    #if Jemalloc
    JemallocSampler()
    #else
    ProcMemorySampler()
    #endif
}

/// True when this binary was built with jemalloc as its allocator.
public var jemallocEnabled: Bool {
    #if Jemalloc
    true
    #else
    false
    #endif
}
