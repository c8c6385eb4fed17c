#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file operation failed: the errno, and whether it means the disk is full.
struct FileError: Error, Equatable, CustomStringConvertible {
    let path: String
    let operation: String
    let errno: Int32

    var isDiskFull: Bool { errno == ENOSPC || errno == EDQUOT || errno == EFBIG }

    var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// An open file descriptor, read and written at explicit offsets. Each POSIX call is wrapped once
/// here; callers see ``FileError``. Not thread-safe by itself: the cold tier serialises use.
final class FileHandleFD {
    let path: String
    private let fd: Int32

    /// Opens `path` for reading and writing, creating it when `create` is true.
    init(path: String, create: Bool) throws(FileError) {
        self.path = path
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Current size in bytes.
    func size() throws(FileError) -> UInt64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: path, operation: "fstat", errno: errno) }
        return UInt64(st.st_size)
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: [UInt8], at offset: UInt64) throws(FileError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { b in
                pwrite(fd, b.baseAddress! + done, b.count - done, off_t(offset) + off_t(done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    func read(count: Int, at offset: UInt64) throws(FileError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { b in
                pread(fd, b.baseAddress! + done, count - done, off_t(offset) + off_t(done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }
            done += n
        }
        out.removeLast(count - done)
        return out
    }

    /// Cuts the file to `length` bytes (to drop a half-written block).
    func truncate(to length: UInt64) throws(FileError) {
        guard ftruncate(fd, off_t(length)) == 0 else {
            throw FileError(path: path, operation: "truncate", errno: errno)
        }
    }
}

/// Deletes the file at `path`; one that does not exist is not an error.
func removeFile(atPath path: String) throws(FileError) {
    guard unlink(path) == 0 || errno == ENOENT else { throw FileError(path: path, operation: "unlink", errno: errno) }
}

/// Size of the file at `path` in bytes, or 0 when it does not exist.
func fileSize(atPath path: String) -> UInt64 {
    var st = stat()
    return stat(path, &st) == 0 ? UInt64(st.st_size) : 0
}
