import BenchModel
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Everything a connection needs, resolved once per workload: the address (no name lookup per
/// connection), the encoded request, TLS, the timeout.
struct HTTPEndpoint: Sendable {
    let url: String
    let target: HTTPTarget
    let address: SocketAddress
    let template: HTTPRequestTemplate
    /// The head the response decoder is shown per request (it pairs responses with requests, and a
    /// HEAD request's response has no body); the bytes sent are the template's.
    let head: HTTPRequestHead
    let tls: NIOSSLContext?
    let timeout: UInt64

    init(spec: HTTPWorkloadSpec) throws(HTTPWorkloadError) {
        url = spec.url
        target = try HTTPTarget(url: spec.url)
        template = try HTTPRequestTemplate(spec: spec, target: target)
        head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: spec.method), uri: target.target)
        timeout = UInt64(min(spec.timeout, 1e6) * 1e9)
        do {
            address = try SocketAddress.makeAddressResolvingHost(target.host, port: target.port)
        } catch {
            throw .preflight(url: spec.url, reason: "cannot resolve \(target.host): \(error)")
        }
        if target.tls {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let ca = spec.caFile {
                do {
                    configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
                } catch {
                    throw .preflight(url: spec.url, reason: "workload.http.ca_file \(ca): cannot read a PEM certificate: \(error)")
                }
            }
            do {
                tls = try NIOSSLContext(configuration: configuration)
            } catch {
                throw .preflight(url: spec.url, reason: "cannot set up TLS: \(error)")
            }
        } else {
            tls = nil
        }
    }
}

/// What came back for one request.
struct HTTPResponseOutcome: Sendable {
    var status: Int
    var serverTiming: [String]
}

/// Why a request failed, by the counter it belongs to.
struct HTTPFailure: Error, Sendable {
    var kind: HTTPWorkload.Counter
    var reason: String
}

/// One keep-alive connection and the request in flight on it, if any. Lives on its event loop and is
/// touched only there. Connects on first use and again after the service closed it.
final class HTTPLane {
    let loop: any EventLoop
    let endpoint: HTTPEndpoint
    private var handler: ResponseHandler?
    private var connecting = false
    /// Bumped by every connect and drop, so a connection attempt that was dropped meanwhile is known.
    private var generation = 0
    private var buffer = ByteBuffer()
    /// The request in flight: its claim, when it was sent, what has come back so far.
    private(set) var claim: EpisodeClaim?
    private(set) var begin: UInt64 = 0
    private var status = 0
    private var closeAfter = false
    private var serverTiming: [String] = []
    /// Who gets the outcome: the phase running on this loop, or a single request's promise.
    var phase: HTTPLoopPhase?
    var oneShot: EventLoopPromise<HTTPResponseOutcome>?

    init(loop: any EventLoop, endpoint: HTTPEndpoint) {
        self.loop = loop
        self.endpoint = endpoint
    }

    /// Sends `claim`'s request, connecting first if needed; `begin` is its actual start.
    func send(_ claim: EpisodeClaim, begin: UInt64) {
        self.claim = claim
        self.begin = begin
        status = 0
        closeAfter = false
        serverTiming.removeAll(keepingCapacity: true)
        endpoint.template.write(claim.episode, into: &buffer)
        if let handler {
            handler.write(buffer, head: endpoint.head)
        } else if !connecting {
            connect()
        }
    }

    private func connect() {
        connecting = true
        generation &+= 1
        let attempt = generation
        let bound = NIOLoopBound(self, eventLoop: loop)
        let endpoint = endpoint
        let serverName = endpoint.target.host.first(where: { $0.isLetter }) == nil || endpoint.target.host.contains(":") ? nil : endpoint.target.host
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.nanoseconds(Int64(endpoint.timeout)))
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let tls = endpoint.tls {
                        try sync.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    }
                    try sync.addHandler(RequestBytesHandler())
                    try sync.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .fireError)))
                    try sync.addHandler(ResponseHandler(lane: bound.value))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
            .connect(to: endpoint.address)
            .assumeIsolated()
            .whenComplete { [self] result in
                connecting = false
                // Dropped while connecting (a timeout): the request now waiting gets a connection of its own.
                guard attempt == generation else {
                    if claim != nil { connect() }
                    return
                }
                switch result {
                case .success:
                    // The handler attached itself when it was added; the service may have closed it since.
                    guard claim != nil else { return }
                    if let handler { handler.write(buffer, head: endpoint.head) } else { connect() }
                case .failure(let error):
                    handler = nil
                    if claim != nil { fail(HTTPFailure(kind: .connect, reason: "cannot connect: \(HTTPWorkload.describe(error))")) }
                }
            }
    }

    // MARK: From the connection's handler

    /// A new connection's handler, as it is added to the pipeline (before the connection is up).
    func attach(_ handler: ResponseHandler) {
        self.handler = handler
    }

    func received(_ head: HTTPResponseHead) {
        status = Int(head.status.code)
        closeAfter = !head.isKeepAlive
        for value in head.headers[canonicalForm: "server-timing"] { serverTiming.append(String(value)) }
    }

    func receivedEnd() {
        guard claim != nil else { return }
        // `Connection: close` (or HTTP/1.0): this connection is done; the next request makes another.
        if closeAfter { drop() }
        complete(nil)
    }

    /// The connection failed (reset, TLS, a response that does not parse): the request in flight
    /// fails and the connection is dropped; the next request connects again.
    func connectionFailed(_ from: ResponseHandler, _ error: any Error) {
        guard from === handler else { return }
        drop()
        if claim != nil { fail(HTTPFailure(kind: HTTPWorkload.kind(of: error), reason: HTTPWorkload.describe(error))) }
    }

    /// The service closed the connection.
    func connectionClosed(_ from: ResponseHandler) {
        guard from === handler else { return }
        handler = nil
        if claim != nil { fail(HTTPFailure(kind: .closed, reason: "the service closed the connection")) }
    }

    /// The request in flight has taken longer than the timeout: it fails, and its connection is
    /// closed (a late response must not be taken for the next request's).
    func timeOut() {
        guard claim != nil else { return }
        drop()
        fail(HTTPFailure(kind: .timeout, reason: "timed out"))
    }

    /// Forgets the connection, then closes it (closing may report the channel inactive at once,
    /// which must not be taken for the service closing it).
    private func drop() {
        let closing = handler
        handler = nil
        generation &+= 1
        closing?.close()
    }

    func fail(_ failure: HTTPFailure) { complete(failure) }

    private func complete(_ failure: HTTPFailure?) {
        guard let claim else { return }
        let end = monotonicNanoseconds()
        self.claim = nil
        if let promise = oneShot {
            oneShot = nil
            if let failure { promise.fail(failure) } else { promise.succeed(HTTPResponseOutcome(status: status, serverTiming: serverTiming)) }
            return
        }
        phase?.completed(self, claim: claim, end: end, status: status, serverTiming: serverTiming, failure: failure)
    }

    /// Closes the connection (at the end of the workload).
    func close() {
        drop()
    }
}

/// Between the socket and the response decoder: turns the request head the decoder has seen into
/// the pre-encoded request bytes.
final class RequestBytesHandler: ChannelOutboundHandler {
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = ByteBuffer
    var next = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .head = unwrapOutboundIn(data) {
            context.write(wrapOutboundOut(next), promise: promise)
            next = ByteBuffer()
        } else {
            promise?.succeed()
        }
    }
}

/// The end of a lane's pipeline: hands the decoded response to the lane.
final class ResponseHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    private let lane: HTTPLane
    private var context: ChannelHandlerContext?
    private var writer: RequestBytesHandler?

    init(lane: HTTPLane) { self.lane = lane }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writer = try? context.pipeline.syncOperations.handler(type: RequestBytesHandler.self)
        lane.attach(self)
    }

    func write(_ bytes: ByteBuffer, head: HTTPRequestHead) {
        guard let context, let writer else { return }
        writer.next = bytes
        context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
    }

    func close() { context?.close(promise: nil) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): lane.received(head)
        case .body: break
        case .end: lane.receivedEnd()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lane.connectionFailed(self, error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        lane.connectionClosed(self)
        self.context = nil
    }
}
