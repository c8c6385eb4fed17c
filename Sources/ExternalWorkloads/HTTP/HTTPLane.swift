import BenchModel
import NIOCore
import NIOPosix
import NIOSSL

/// Everything a connection needs, resolved once per workload: the address (no name lookup per
/// connection), the encoded request, TLS, the timeout.
struct HTTPEndpoint: Sendable {
    let url: String
    let target: HTTPTarget
    let address: SocketAddress
    let template: HTTPRequestTemplate
    /// A HEAD request's response has no body (the response parser must know).
    let headRequest: Bool
    let tls: NIOSSLContext?
    let timeout: UInt64

    init(spec: HTTPWorkloadSpec) throws(HTTPWorkloadError) {
        url = spec.url
        target = try HTTPTarget(url: spec.url)
        template = try HTTPRequestTemplate(spec: spec, target: target)
        headRequest = spec.method == "HEAD"
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
    private var handler: HTTPConnectionHandler?
    private var connecting = false
    /// Bumped by every connect and drop, so a connection attempt that was dropped meanwhile is known.
    private var generation = 0
    private var buffer = ByteBuffer()
    /// The request in flight: its claim, when it was sent, what has come back so far.
    private(set) var claim: EpisodeClaim?
    private(set) var begin: UInt64 = 0
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
        endpoint.template.write(claim.episode, into: &buffer)
        if let handler {
            handler.write(buffer)
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
                    try sync.addHandler(HTTPConnectionHandler(lane: bound.value, headRequest: endpoint.headRequest))
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
                    if let handler { handler.write(buffer) } else { connect() }
                case .failure(let error):
                    handler = nil
                    if claim != nil { fail(HTTPFailure(kind: .connect, reason: "cannot connect: \(HTTPWorkload.describe(error))")) }
                }
            }
    }

    // MARK: From the connection's handler

    /// A new connection's handler, as it is added to the pipeline (before the connection is up).
    func attach(_ handler: HTTPConnectionHandler) {
        self.handler = handler
    }

    /// Whether `handler`'s connection is the lane's and a request is waiting on it.
    func isWaiting(on handler: HTTPConnectionHandler) -> Bool {
        handler === self.handler && claim != nil
    }

    /// The response to the request in flight has been read.
    func responded(_ from: HTTPConnectionHandler, status: Int, keepAlive: Bool, serverTiming: [String]) {
        guard isWaiting(on: from) else { return }
        // `Connection: close` (or HTTP/1.0): this connection is done; the next request makes another.
        if !keepAlive { drop() }
        complete(nil, status: status, serverTiming: serverTiming)
    }

    /// The connection failed (reset, TLS, a response that does not parse): the request in flight
    /// fails and the connection is dropped; the next request connects again.
    func connectionFailed(_ from: HTTPConnectionHandler, _ error: any Error) {
        guard from === handler else { return }
        drop()
        if claim != nil { fail(HTTPFailure(kind: HTTPWorkload.kind(of: error), reason: HTTPWorkload.describe(error))) }
    }

    /// The service closed the connection.
    func connectionClosed(_ from: HTTPConnectionHandler) {
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

    private func complete(_ failure: HTTPFailure?, status: Int = 0, serverTiming: [String] = []) {
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
