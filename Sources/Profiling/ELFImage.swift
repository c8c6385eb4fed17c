#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An ELF64 little-endian file (x86_64 and arm64 Linux) in memory, read at byte offsets: what the
/// symbol table and the debug-info reader share. The readers do not check bounds; callers check an
/// offset against `bytes.count` before reading at it.
struct ELFImage {
    let bytes: UnsafeRawBufferPointer

    /// nil when `bytes` is not a 64-bit little-endian ELF file.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
              bytes[4] == 2, bytes[5] == 1 else { return nil }
        self.bytes = bytes
    }

    func u16(_ offset: Int) -> Int { Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    func u32(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    func u64(_ offset: Int) -> UInt64 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }

    /// The NUL-terminated string at `start` of a string table that ends at `end` (no further is read).
    func string(at start: Int, end: Int) -> String {
        var stop = start
        while stop < end, bytes[stop] != 0 { stop += 1 }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
    }

    /// Why a file could not be mapped: the reason, for a message.
    struct MapError: Error, CustomStringConvertible {
        let description: String
    }

    /// Calls `body` with the file at `path` mapped read-only; it is unmapped when `body` returns.
    /// - Throws: ``MapError`` when the file cannot be opened, is too small for ELF, or cannot be mapped.
    static func withFile<R>(at path: String, _ body: (UnsafeRawBufferPointer) -> R) throws(MapError) -> R {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MapError(description: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 64 else { throw MapError(description: "too small for ELF") }
        let size = Int(info.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw MapError(description: "mmap: \(String(cString: strerror(errno)))")
        }
        defer { munmap(mapped, size) }
        return body(UnsafeRawBufferPointer(start: mapped, count: size))
    }
}
