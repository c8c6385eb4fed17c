#if Jemalloc
import CJemalloc
#endif

/// The one Swift wrapper over jemalloc's `mallctl` (statistics, thread counters, heap profiling),
/// shared by the harness's memory sampler and the heap profiler. In a build without the `Jemalloc`
/// trait every call fails with ``Failure/unavailable``.
package enum Mallctl {
    /// Why a `mallctl` call failed.
    package enum Failure: Error, CustomStringConvertible, Equatable {
        /// jemalloc returned an error number for the named control.
        case failed(name: String, code: Int32)
        /// This build does not link jemalloc.
        case unavailable(name: String)

        package var description: String {
            switch self {
            case .failed(let name, let code): "mallctl(\"\(name)\") failed with error \(code)"
            case .unavailable(let name): "mallctl(\"\(name)\"): this build does not link jemalloc (the Jemalloc trait is off)"
            }
        }
    }

    /// True when jemalloc is linked and answers.
    package static var isAvailable: Bool {
        #if Jemalloc
        (try? read("version", as: UnsafePointer<CChar>.self)) != nil
        #else
        false
        #endif
    }

    /// jemalloc's `MALLCTL_ARENAS_ALL` (a macro Swift does not import): the arena index that sums all arenas.
    package static let arenasAll = 4096

    /// Reads control `name` as a `T`.
    package static func read<T>(_ name: String, as: T.Type) throws(Failure) -> T {
        #if Jemalloc
        let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { raw.deallocate() }
        var length = MemoryLayout<T>.size
        let rc = mallctl(name, raw, &length, nil, 0)
        guard rc == 0 else { throw .failed(name: name, code: rc) }
        return raw.load(as: T.self)
        #else
        throw .unavailable(name: name)
        #endif
    }

    /// Writes `value` to control `name`.
    package static func write<T>(_ name: String, _ value: T) throws(Failure) {
        #if Jemalloc
        var copy = value
        let rc = withUnsafeMutableBytes(of: &copy) { mallctl(name, nil, nil, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .failed(name: name, code: rc) }
        #else
        throw .unavailable(name: name)
        #endif
    }

    /// Writes `value` to control `name` and reads its answer as a `T` in the same call (as
    /// `arenas.create` takes extent hooks and answers the new arena's index).
    package static func exchange<T, U>(_ name: String, writing value: U, as: T.Type) throws(Failure) -> T {
        #if Jemalloc
        var copy = value
        let raw = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        defer { raw.deallocate() }
        var length = MemoryLayout<T>.size
        let rc = withUnsafeMutableBytes(of: &copy) { mallctl(name, raw, &length, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw .failed(name: name, code: rc) }
        return raw.load(as: T.self)
        #else
        throw .unavailable(name: name)
        #endif
    }

    /// Writes the C string `text` (a pointer to it, as `prof.dump` takes a file name) to control `name`.
    package static func write(_ name: String, cString text: String) throws(Failure) {
        #if Jemalloc
        let rc = text.withCString { c in
            var pointer: UnsafePointer<CChar>? = c
            return withUnsafeMutableBytes(of: &pointer) { mallctl(name, nil, nil, $0.baseAddress, $0.count) }
        }
        guard rc == 0 else { throw .failed(name: name, code: rc) }
        #else
        throw .unavailable(name: name)
        #endif
    }

    /// Triggers control `name` (no value read or written), e.g. `thread.tcache.flush`.
    package static func call(_ name: String) throws(Failure) {
        #if Jemalloc
        let rc = mallctl(name, nil, nil, nil, 0)
        guard rc == 0 else { throw .failed(name: name, code: rc) }
        #else
        throw .unavailable(name: name)
        #endif
    }
}
