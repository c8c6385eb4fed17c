import BenchModel
#if canImport(Glibc)
import Glibc
#endif

/// Where the harness reads memory figures from. The real backends are jemalloc (when it is the
/// allocator) and /proc; tests may supply their own.
public protocol MemorySampler: Sendable {
    /// Resident set size of the process, bytes.
    func residentBytes() -> UInt64
    /// Allocator-wide statistics (refreshing them first), or nil when the allocator has none.
    func allocatorSnapshot() -> AllocatorSnapshot?
    /// A handle to the calling thread's cumulative allocated-bytes counter, or nil when unsupported.
    func threadAllocationCounter() -> ThreadAllocationCounter?
    /// Flushes the calling thread's allocator cache so allocator-wide counts include its requests.
    func flushThreadCache()
}

/// jemalloc `stats.*` (bytes), read after refreshing `epoch`.
public struct JemallocStats: Sendable, Equatable {
    public var allocated: UInt64
    public var active: UInt64
    public var resident: UInt64
    public var mapped: UInt64

    public init(allocated: UInt64 = 0, active: UInt64 = 0, resident: UInt64 = 0, mapped: UInt64 = 0) {
        self.allocated = allocated
        self.active = active
        self.resident = resident
        self.mapped = mapped
    }
}

/// Allocator statistics at one moment.
public struct AllocatorSnapshot: Sendable, Equatable {
    public var stats: JemallocStats
    /// Cumulative allocation requests (small + large) since the process started.
    public var requests: UInt64

    public init(stats: JemallocStats, requests: UInt64) {
        self.stats = stats
        self.requests = requests
    }
}

/// Reads one thread's cumulative allocated bytes; valid only on the thread that obtained it.
public struct ThreadAllocationCounter {
    @usableFromInline let pointer: UnsafePointer<UInt64>

    /// Bytes this thread has allocated since it started.
    @inlinable public var value: UInt64 { pointer.pointee }

    @usableFromInline init(pointer: UnsafePointer<UInt64>) { self.pointer = pointer }
}

/// RSS from /proc/self/statm; no allocator statistics.
public struct ProcMemorySampler: MemorySampler {
    public init() {}

    public func residentBytes() -> UInt64 { readResidentBytes() }
    public func allocatorSnapshot() -> AllocatorSnapshot? { nil }
    public func threadAllocationCounter() -> ThreadAllocationCounter? { nil }
    public func flushThreadCache() {}
}

/// Resident pages × page size from /proc/self/statm (0 if unreadable). Reads with plain syscalls so
/// the sampler itself does not allocate.
func readResidentBytes() -> UInt64 {
    let fd = open("/proc/self/statm", O_RDONLY)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var buffer = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    return withUnsafeMutableBytes(of: &buffer) { raw -> UInt64 in
        let n = read(fd, raw.baseAddress, raw.count)
        guard n > 0 else { return 0 }
        // Fields: size resident shared text lib data dt — we want the second.
        var field = 0
        var value: UInt64 = 0
        for byte in raw.prefix(n) {
            if byte == UInt8(ascii: " ") {
                if field == 1 { break }
                field += 1
                value = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
            }
        }
        return value * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
