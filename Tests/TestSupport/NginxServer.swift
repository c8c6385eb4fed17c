import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// nginx (Debian's package, installed by scripts/install-deps.sh) on a free loopback port for one
/// test: its own configuration and files in a temporary directory, in the foreground as our child,
/// stopped and deleted when released. With `tls`, it serves https with a self-signed certificate for
/// 127.0.0.1 made by the `openssl` tool (``certificate`` is its PEM, for the client to trust).
///
/// Routes: `/` answers `ok` (a fixed small response), `/timed` adds a `Server-Timing` header with
/// two stages, `/close` answers and closes the connection (keep-alive off).
package final class NginxServer: @unchecked Sendable {
    package let port: Int
    package let tls: Bool
    /// The self-signed certificate (PEM) when `tls`.
    package let certificate: String?
    private let directory: URL
    private let process = Process()

    /// nginx's path, or nil.
    package static let binary: String? = ["/usr/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// openssl's path, or nil.
    package static let openssl: String? = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package init(tls: Bool = false) throws {
        guard let binary = Self.binary else { throw Failure(description: "nginx is not installed (scripts/install-deps.sh)") }
        self.tls = tls
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try LoopbackPort.free()
        var listen = "listen 127.0.0.1:\(port);"
        if tls {
            guard let openssl = Self.openssl else { throw Failure(description: "openssl is not installed") }
            let key = directory.appendingPathComponent("key.pem").path
            let cert = directory.appendingPathComponent("cert.pem").path
            let made = try ChildProcess.run(URL(fileURLWithPath: openssl), ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                   "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost",
                                                   "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
            guard made.status == 0 else {
                throw Failure(description: "openssl could not make a self-signed certificate (status \(made.status)): \(made.stderr)")
            }
            certificate = cert
            listen = "listen 127.0.0.1:\(port) ssl; ssl_certificate \(cert); ssl_certificate_key \(key);"
        } else {
            certificate = nil
        }
        let d = directory.path
        let conf = """
            worker_processes 1;
            daemon off;
            pid \(d)/nginx.pid;
            error_log \(d)/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path \(d)/body; proxy_temp_path \(d)/proxy; fastcgi_temp_path \(d)/fastcgi;
              uwsgi_temp_path \(d)/uwsgi; scgi_temp_path \(d)/scgi;
              keepalive_requests 1000000;
              server {
                \(listen)
                location / { default_type text/plain; return 200 "ok\\n"; }
                location /timed { default_type text/plain; add_header Server-Timing 'db;dur=0.25, render;dur=0.125'; return 200 "ok\\n"; }
                location /close { keepalive_timeout 0; default_type text/plain; return 200 "ok\\n"; }
              }
            }
            """
        let confPath = directory.appendingPathComponent("nginx.conf").path
        try conf.write(toFile: confPath, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-c", confPath, "-p", d, "-e", "\(d)/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Ready when the port accepts a connection (within 5 s).
        for _ in 0..<500 {
            if Self.accepts(port) { return }
            if !process.isRunning { break }
            usleep(10_000)
        }
        let log = (try? String(contentsOfFile: "\(d)/error.log", encoding: .utf8)) ?? ""
        throw Failure(description: "nginx did not start on port \(port): \(log)")
    }

    /// `http://127.0.0.1:PORT/path` (https with `tls`).
    package func url(_ path: String) -> String { "\(tls ? "https" : "http")://127.0.0.1:\(port)\(path)" }

    deinit {
        // SIGQUIT would wait for connections to finish; the test is over.
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
