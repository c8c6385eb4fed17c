#if canImport(Glibc)
import Glibc
#endif

/// A TCP port nobody listens on right now on 127.0.0.1: bound to port 0, read back, released. The
/// tests that start servers (PostgreSQL, Prometheus, the HTTP workload's fixtures) share it.
package enum LoopbackPort {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// - Throws: ``Failure`` with the errno when no socket can be made or bound.
    package static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw Failure(description: "cannot bind a free loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
