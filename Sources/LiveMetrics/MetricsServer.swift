import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A small HTTP/1.1 server for `GET /metrics` on one event-loop thread of its own, so serving a
/// scrape competes with the measurement only for CPU, never for a lock the load workers take.
/// Every other path or method gets 404.
package final class MetricsServer: Sendable {
    /// The address actually bound (the port is the real one when 0 was asked for).
    package let boundHost: String
    package let boundPort: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Binds `address` and starts serving what `body` returns for each scrape.
    /// - Throws: ``LiveMetricsError/unresolvableHost(_:reason:)`` or
    ///   ``LiveMetricsError/cannotListen(_:reason:)`` (address in use, not local, no permission).
    package init(address: ListenAddress, body: @escaping @Sendable () -> [UInt8]) throws(LiveMetricsError) {
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress.makeAddressResolvingHost(address.host, port: address.port)
        } catch {
            throw .unresolvableHost(address.text, reason: "\(error)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(body: body))
                }
            }
        do {
            channel = try bootstrap.bind(to: socketAddress).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw .cannotListen(address.text, reason: Self.describe(error))
        }
        self.group = group
        boundPort = channel.localAddress?.port ?? address.port
        boundHost = channel.localAddress?.ipAddress ?? address.host
    }

    /// The scrape URL, e.g. `http://127.0.0.1:9464/metrics` (IPv6 hosts in brackets).
    package var url: String {
        let host = boundHost.contains(":") ? "[\(boundHost)]" : boundHost
        return "http://\(host):\(boundPort)/metrics"
    }

    /// Closes the listening socket and stops the event loop.
    package func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "the address is already in use"
            case EADDRNOTAVAIL: return "not an address of this machine"
            case EACCES: return "permission denied (ports below 1024 need privileges)"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        return "\(error)"
    }
}

/// Answers one request at a time on a connection: `GET`/`HEAD /metrics` with the exposition, 404
/// otherwise; keep-alive as the client asks (Prometheus keeps its connection open).
final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let body: @Sendable () -> [UInt8]
    /// The request being read (handlers run on their channel's event loop only).
    private var request: HTTPRequestHead?

    init(body: @escaping @Sendable () -> [UInt8]) { self.body = body }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let found = path == "/metrics" && (head.method == .GET || head.method == .HEAD)
        let bytes = found ? body() : Array("not found: phibench serves GET /metrics\n".utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(bytes.count))
        let keepAlive = head.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let response = HTTPResponseHead(version: head.version, status: found ? .ok : .notFound, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if head.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
