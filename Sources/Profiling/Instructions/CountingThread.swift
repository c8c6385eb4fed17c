import Allocator
#if Jemalloc
import CJemalloc  // extent_hooks_t: the arena's memory comes from hooks of this module's own
#endif
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The thread the instruction counter runs on: its stack, and (with jemalloc) all its heap memory,
/// come from one region of address space reserved up front on a 1 GiB boundary, and its allocations
/// go to a jemalloc arena of its own with decay off.
///
/// Why: an allocator's work on a call depends on more than the calls before it, and callgrind sees
/// that work. jemalloc returns pages idle for a while to the kernel on a timer (decay), which under
/// valgrind fires on a different episode every run. An arena that grows by separate `mmap`s gets them
/// adjacent or not depending on what other threads mapped in between (libdispatch starts its threads
/// at times of its own). And jemalloc shifts each large allocation by a pseudo-random multiple of a
/// cache line seeded from the thread's own address, which moves with the thread's stack. Measured
/// without these precautions, 2 to 4 runs in 10 of the same count differed by a few hundred to tens
/// of thousands of instructions; with them, none did.
enum CountingThread {
    /// Address space reserved: the heap, then the stack at the top. `MAP_NORESERVE`: pages cost
    /// memory only when touched.
    static let regionBytes = 4 << 30
    static let stackBytes = 16 << 20
    /// The region starts on a multiple of this, so small differences in what was mapped before do
    /// not move it (valgrind places mappings the same way every run, give or take other threads').
    static let regionAlignment = 1 << 30

    /// Where the region is asked for (a hint, taken when that address space is free, as it is in a
    /// fresh process under valgrind): the same absolute addresses every run, so even code that
    /// hashes pointers (Swift's `ObjectIdentifier`, the runtime's metadata caches) sees the same values.
    static let preferredAddress: UInt = 0x4_0000_0000

    /// The heap part of the region: start, next free byte and end (0 until ``run(_:)`` reserves it).
    private static let start = Atomic<UInt>(0)
    private static let next = Atomic<UInt>(0)
    private static let end = Atomic<UInt>(0)

    /// Runs `body` on the counting thread and waits for it. `body` gets a description of the
    /// allocator set-up for the report. Call once per process.
    /// - Throws: ``InstructionCountError/io(path:reason:)`` when the region cannot be reserved or the
    ///   thread cannot start.
    static func run(_ body: @escaping @Sendable (_ allocator: String) -> Void) throws(InstructionCountError) {
        guard next.load(ordering: .relaxed) == 0 else {
            throw .invalidSetting("the counting thread was started twice in one process")
        }
        let reserved = regionBytes + regionAlignment
        guard let mapping = mmap(UnsafeMutableRawPointer(bitPattern: preferredAddress), reserved, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              mapping != MAP_FAILED else {
            throw .io(path: "mmap", reason: "cannot reserve \(reserved >> 20) MiB for the counting thread: \(String(cString: strerror(errno)))")
        }
        let base = (UInt(bitPattern: mapping) + UInt(regionAlignment) - 1) & ~(UInt(regionAlignment) - 1)
        let stack = base + UInt(regionBytes - stackBytes)
        start.store(base, ordering: .relaxed)
        next.store(base, ordering: .relaxed)
        end.store(stack, ordering: .relaxed)

        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstack(&attributes, UnsafeMutableRawPointer(bitPattern: stack), stackBytes)
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run(CountingThread.isolateAllocator())
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw .io(path: "pthread_create", reason: "cannot start the counting thread: \(String(cString: strerror(rc)))")
        }
        pthread_join(thread, nil)
    }

    private final class Body: Sendable {
        let run: @Sendable (String) -> Void
        init(_ run: @escaping @Sendable (String) -> Void) { self.run = run }
    }

    /// Binds the calling thread to an arena of its own backed by the region; returns what it did.
    private static func isolateAllocator() -> String {
        #if Jemalloc
        do {
            return try createArena()
        } catch {
            return "jemalloc, shared arenas (\(error)); counts may vary from run to run"
        }
        #else
        return "system allocator (built without jemalloc); counts may vary from run to run"
        #endif
    }

    #if Jemalloc
    private static func createArena() throws(ProfilerError) -> String {
        // jemalloc keeps the hooks' address for the arena's lifetime: allocated once, never freed.
        let hooks = UnsafeMutablePointer<extent_hooks_t>.allocate(capacity: 1)
        hooks.initialize(to: extent_hooks_t(
            alloc: { _, newAddress, size, alignment, zero, commit, _ in
                CountingThread.allocate(at: newAddress, size: size, alignment: alignment, zero: zero, commit: commit)
            },
            dalloc: { _, _, _, _, _ in true },  // opt out: extents stay mapped for reuse
            destroy: { _, _, _, _, _ in },
            commit: { _, _, _, _, _, _ in false },  // always committed
            decommit: { _, _, _, _, _, _ in true },  // opt out
            purge_lazy: nil,
            purge_forced: nil,
            split: { _, _, _, _, _, _, _ in false },  // one mapping: any split or merge is fine
            merge: { _, _, _, _, _, _, _ in false }))
        let arena: UInt32
        do {
            arena = try Mallctl.exchange("arenas.create", writing: Optional(hooks), as: UInt32.self)
            try Mallctl.write("arena.\(arena).dirty_decay_ms", Int(-1))
            try Mallctl.write("arena.\(arena).muzzy_decay_ms", Int(-1))
            try Mallctl.write("thread.arena", arena)
        } catch {
            throw ProfilerError(error)
        }
        let at = String(start.load(ordering: .relaxed), radix: 16)
        return "jemalloc arena \(arena): its own, decay off, memory and stack from one reserved region at 0x\(at)"
    }

    /// The arena's `alloc` hook: the next `size` bytes at `alignment`, or the bytes at `newAddress`
    /// when they are exactly the next ones (growing in place); nil when the region is spent.
    private static func allocate(at newAddress: UnsafeMutableRawPointer?, size: Int, alignment: Int,
                                 zero: UnsafeMutablePointer<Bool>?, commit: UnsafeMutablePointer<Bool>?) -> UnsafeMutableRawPointer? {
        let mask = UInt(Swift.max(alignment, 1)) - 1
        var current = next.load(ordering: .relaxed)
        while true {
            let address: UInt
            if let newAddress {
                address = UInt(bitPattern: newAddress)
                guard address == current, address & mask == 0 else { return nil }
            } else {
                let (aligned, overflow) = current.addingReportingOverflow(mask)
                guard !overflow else { return nil }
                address = aligned & ~mask
            }
            let (last, overflow) = address.addingReportingOverflow(UInt(size))
            guard !overflow, last <= end.load(ordering: .relaxed) else { return nil }
            let (exchanged, original) = next.compareExchange(expected: current, desired: last, ordering: .relaxed)
            if exchanged {
                // Never handed out before: still the zero pages mmap gave.
                zero?.pointee = true
                commit?.pointee = true
                return UnsafeMutableRawPointer(bitPattern: address)
            }
            current = original
        }
    }
    #endif
}
