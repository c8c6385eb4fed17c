import CHTTPParser
import NIOCore

/// One connection's HTTP/1.1 response parser: nodejs/http-parser (Debian's libhttp-parser) run over
/// the bytes as they arrive. It keeps only what an episode needs — the status, whether the
/// connection stays open and the `Server-Timing` values; no other header becomes a string, and no
/// message is made per part. Framing (Content-Length, chunked, until-close, HEAD, 1xx, 204, 304) is
/// the library's.
final class HTTPResponseParser {
    /// What a call to ``parse(_:)`` or ``finish()`` came to.
    enum Outcome {
        /// The response is not complete yet.
        case partial
        case response(status: Int, keepAlive: Bool, serverTiming: [String])
        case malformed(String)
    }

    private let parser = UnsafeMutablePointer<http_parser>.allocate(capacity: 1)
    private let settings = UnsafeMutablePointer<http_parser_settings>.allocate(capacity: 1)
    /// A response to HEAD has headers that describe a body it does not carry.
    private let headRequest: Bool
    // The message being read.
    private var status = 0
    private var keepAlive = true
    private var complete = false
    private var serverTiming: [String] = []
    /// The current header's name so far, while it may still be `server-timing` and came in pieces.
    private var name: [UInt8] = []
    private var nameLength = 0
    private var value: [UInt8] = []
    private var inValue = true
    private var isServerTiming = false
    private let serverTimingName = Array("server-timing".utf8)

    init(headRequest: Bool) {
        self.headRequest = headRequest
        http_parser_init(parser, HTTP_RESPONSE)
        http_parser_settings_init(settings)
        settings.pointee.on_message_begin = { p in
            HTTPResponseParser.of(p).begin()
            return 0
        }
        settings.pointee.on_header_field = { p, at, length in
            HTTPResponseParser.of(p).field(UnsafeRawBufferPointer(start: at, count: length))
            return 0
        }
        settings.pointee.on_header_value = { p, at, length in
            HTTPResponseParser.of(p).value(UnsafeRawBufferPointer(start: at, count: length))
            return 0
        }
        settings.pointee.on_headers_complete = { p in
            HTTPResponseParser.of(p).headersComplete()
        }
        settings.pointee.on_message_complete = { p in
            HTTPResponseParser.of(p).messageComplete()
            return 0
        }
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        parser.deallocate()
        settings.deallocate()
    }

    /// Reads `bytes`, which continue the response to the request in flight.
    func parse(_ bytes: ByteBuffer) -> Outcome {
        bytes.withUnsafeReadableBytes { run($0) }
    }

    /// The service closed the connection: a body that runs until the close is complete now.
    func finish() -> Outcome {
        run(UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private func run(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        complete = false
        let parsed = http_parser_execute(parser, settings, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        if complete {
            // Paused at the end of the response, so that nothing after it is taken for the next one.
            http_parser_pause(parser, 0)
            if parsed < bytes.count {
                return .malformed("\(bytes.count - parsed) bytes after the response, before a request asked for them")
            }
            return .response(status: status, keepAlive: keepAlive, serverTiming: serverTiming)
        }
        let errno = http_errno(rawValue: parser.pointee.http_errno)
        if errno != HPE_OK {
            return .malformed("malformed response: " + String(cString: http_errno_description(errno)))
        }
        return .partial
    }

    private static func of(_ p: UnsafeMutablePointer<http_parser>?) -> HTTPResponseParser {
        Unmanaged<HTTPResponseParser>.fromOpaque(p!.pointee.data).takeUnretainedValue()
    }

    private func begin() {
        status = 0
        serverTiming.removeAll(keepingCapacity: true)
        inValue = true
        isServerTiming = false
    }

    private func field(_ bytes: UnsafeRawBufferPointer) {
        if bytes.isEmpty { return }
        if inValue {
            endValue()
            inValue = false
            nameLength = 0
            name.removeAll(keepingCapacity: true)
        }
        let first = nameLength == 0
        nameLength += bytes.count
        let wanted = serverTimingName.count
        if nameLength > wanted {
            isServerTiming = false
        } else if first && nameLength == wanted {
            // Almost always a name arrives in one piece and is compared where it lies.
            isServerTiming = namesServerTiming(bytes)
            // Kept in case more of the name follows in the next read.
            if isServerTiming { name.append(contentsOf: bytes) }
        } else {
            name.append(contentsOf: bytes)
            isServerTiming = nameLength == wanted && name.withUnsafeBytes { self.namesServerTiming($0) }
        }
    }

    /// `server-timing` in any case.
    private func namesServerTiming(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == serverTimingName.count else { return false }
        for (byte, lower) in zip(bytes, serverTimingName) where byte != lower {
            guard byte >= 0x41, byte <= 0x5A, byte | 0x20 == lower else { return false }
        }
        return true
    }

    private func value(_ bytes: UnsafeRawBufferPointer) {
        if !inValue {
            value.removeAll(keepingCapacity: true)
            inValue = true
        }
        if isServerTiming { value.append(contentsOf: bytes) }
    }

    private func endValue() {
        if isServerTiming { serverTiming.append(String(decoding: value, as: UTF8.self)) }
        isServerTiming = false
    }

    /// 1: the response has no body, whatever its headers say: the answer to a HEAD request, and
    /// 1xx, 204 and 304 answers (RFC 9112 §6.3; http-parser leaves this to its caller).
    private func headersComplete() -> Int32 {
        endValue()
        status = Int(parser.pointee.status_code)
        return headRequest || status < 200 || status == 204 || status == 304 ? 1 : 0
    }

    private func messageComplete() {
        // An interim response (100 Continue, 103 Early Hints): the real one follows.
        if status >= 100 && status < 200 && status != 101 { return }
        keepAlive = http_should_keep_alive(parser) != 0
        complete = true
        http_parser_pause(parser, 1)
    }
}

/// A lane's connection: the one handler of its pipeline (under TLS, if any). Writes the pre-encoded
/// request bytes, feeds what comes back to the parser, and tells the lane.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let lane: HTTPLane
    private let parser: HTTPResponseParser
    private var context: ChannelHandlerContext?

    init(lane: HTTPLane, headRequest: Bool) {
        self.lane = lane
        parser = HTTPResponseParser(headRequest: headRequest)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        lane.attach(self)
    }

    func write(_ bytes: ByteBuffer) {
        context?.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    func close() { context?.close(promise: nil) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(parser.parse(unwrapInboundIn(data)))
    }

    private func deliver(_ outcome: HTTPResponseParser.Outcome) {
        switch outcome {
        case .partial: break
        case .response(let status, let keepAlive, let serverTiming):
            lane.responded(self, status: status, keepAlive: keepAlive, serverTiming: serverTiming)
        case .malformed(let reason):
            lane.connectionFailed(self, HTTPFailure(kind: .other, reason: reason))
            context?.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        lane.connectionFailed(self, error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if lane.isWaiting(on: self) {
            let outcome = parser.finish()
            if case .response = outcome { deliver(outcome) }
        }
        lane.connectionClosed(self)
        self.context = nil
    }
}
