import BenchModel
import Foundation
import NIOCore

/// Where and how to send the workload's request: parsed from the spec once.
struct HTTPTarget: Sendable {
    var tls: Bool
    var host: String
    var port: Int
    /// Path and query as sent on the request line (`/` when the URL has none).
    var target: String
    /// The `Host` header's value: the host, with the port when it is not the scheme's default.
    var authority: String

    init(url: String) throws(HTTPWorkloadError) {
        guard let c = URLComponents(string: url), let scheme = c.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = c.host, !host.isEmpty else {
            throw .preflight(url: url, reason: "not an absolute http:// or https:// URL with a host")
        }
        tls = scheme == "https"
        self.host = host
        let defaultPort = tls ? 443 : 80
        port = c.port ?? defaultPort
        let path = c.percentEncodedPath.isEmpty ? "/" : c.percentEncodedPath
        target = path + (c.percentEncodedQuery.map { "?" + $0 } ?? "")
        let shown = host.contains(":") ? "[\(host)]" : host
        authority = port == defaultPort ? shown : "\(shown):\(port)"
    }
}

/// The request encoded once: the head up to the body's length is fixed, so an episode only writes
/// the length, the blank line and its body (with `{{episode}}` filled in). Without a placeholder the
/// whole request is one fixed buffer written as it is.
struct HTTPRequestTemplate: Sendable {
    /// Request line and headers, each line ending in CRLF, without the final blank line.
    let head: [UInt8]
    let body: BodyTemplate?
    /// The whole request when no part of it depends on the episode.
    let fixed: ByteBuffer?

    init(spec: HTTPWorkloadSpec, target: HTTPTarget) throws(HTTPWorkloadError) {
        var text = "\(spec.method) \(target.target) HTTP/1.1\r\n"
        if !spec.headers.contains(where: { $0.name.lowercased() == "host" }) { text += "Host: \(target.authority)\r\n" }
        for h in spec.headers {
            let name = h.name.lowercased()
            if name == "content-length" || name == "transfer-encoding" {
                throw .preflight(url: spec.url, reason: "workload.http.headers: \(h.name) is set by phibench from the body; leave it out")
            }
            text += "\(h.name): \(h.value)\r\n"
        }
        head = Array(text.utf8)
        body = BodyTemplate(spec.body)
        let sendsLength = body != nil || ["POST", "PUT", "PATCH"].contains(spec.method)
        if body?.parts.count ?? 1 <= 1 {
            var buffer = ByteBufferAllocator().buffer(capacity: head.count + 64)
            buffer.writeBytes(head)
            if sendsLength {
                let bytes = body?.parts.first ?? []
                buffer.writeString("Content-Length: \(bytes.count)\r\n\r\n")
                buffer.writeBytes(bytes)
            } else {
                buffer.writeString("\r\n")
            }
            fixed = buffer
        } else {
            fixed = nil
        }
    }

    /// Episode `episode`'s request bytes in `buffer` (cleared first; its storage is reused when the
    /// previous request's bytes have left it).
    func write(_ episode: UInt64, into buffer: inout ByteBuffer) {
        if let fixed {
            buffer = fixed
            return
        }
        guard let body else { return }
        buffer.clear()
        buffer.writeBytes(head)
        let id = String(episode).utf8
        let length = body.parts.reduce(0) { $0 + $1.count } + id.count * (body.parts.count - 1)
        buffer.writeString("Content-Length: \(length)\r\n\r\n")
        for (i, part) in body.parts.enumerated() {
            if i > 0 { buffer.writeBytes(id) }
            buffer.writeBytes(part)
        }
    }
}

/// A body with `{{episode}}` placeholders, split once so each episode only joins bytes.
struct BodyTemplate: Sendable {
    let parts: [[UInt8]]

    init?(_ body: String?) {
        guard let body else { return nil }
        parts = body.components(separatedBy: "{{episode}}").map { Array($0.utf8) }
    }
}
