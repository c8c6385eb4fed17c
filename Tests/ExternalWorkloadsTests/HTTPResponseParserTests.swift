@testable import ExternalWorkloads
import NIOCore
import Testing

/// The HTTP workload's response parser, fed byte streams the way a socket may deliver them: whole,
/// split at every position, with the framings HTTP/1.1 allows.
@Suite("HTTP response parser")
struct HTTPResponseParserTests {
    struct Parsed: Equatable {
        var status: Int
        var keepAlive: Bool
        var serverTiming: [String]
    }

    /// Feeds `pieces` one read at a time; the response, once a read completes it.
    func feed(_ pieces: [String], head: Bool = false, close: Bool = false) -> (Parsed?, String?) {
        let parser = HTTPResponseParser(headRequest: head)
        for (i, piece) in pieces.enumerated() {
            switch parser.parse(ByteBuffer(string: piece)) {
            case .partial: continue
            case .response(let status, let keepAlive, let timing):
                #expect(i == pieces.count - 1, "the response ended before its last read")
                return (Parsed(status: status, keepAlive: keepAlive, serverTiming: timing), nil)
            case .malformed(let reason): return (nil, reason)
            }
        }
        if close, case .response(let status, let keepAlive, let timing) = parser.finish() {
            return (Parsed(status: status, keepAlive: keepAlive, serverTiming: timing), nil)
        }
        return (nil, nil)
    }

    /// Every way of cutting `text` in two.
    func everySplit(_ text: String) -> [[String]] {
        let bytes = Array(text.utf8)
        return (1..<bytes.count).map { [String(decoding: bytes[..<$0], as: UTF8.self), String(decoding: bytes[$0...], as: UTF8.self)] }
    }

    @Test("Content-Length, chunked and HEAD framing; Server-Timing in any case and split anywhere")
    func framings() {
        let timed = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSERVER-timing: db;dur=1.5\r\nX-Other: a\r\nserver-timing: app;dur=2\r\n\r\nhello"
        let expected = Parsed(status: 200, keepAlive: true, serverTiming: ["db;dur=1.5", "app;dur=2"])
        #expect(feed([timed]).0 == expected)
        for split in everySplit(timed) {
            #expect(feed(split).0 == expected, "split as \(split)")
        }
        let chunked = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: x\r\n\r\n"
        for split in everySplit(chunked) {
            #expect(feed(split).0 == Parsed(status: 201, keepAlive: true, serverTiming: []), "split as \(split)")
        }
        // A HEAD answer announces a body it does not carry.
        #expect(feed(["HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"], head: true).0 == Parsed(status: 200, keepAlive: true, serverTiming: []))
        #expect(feed(["HTTP/1.1 204 No Content\r\n\r\n"]).0?.status == 204)
        #expect(feed(["HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n"]).0?.status == 304)
    }

    @Test("a name that only starts like Server-Timing is another header")
    func nearNames() {
        let r = feed(["HTTP/1.1 200 OK\r\nServer-Timingx: a;dur=1\r\nServer-Timin: b;dur=2\r\nserver-timing: c;dur=3\r\nContent-Length: 0\r\n\r\n"]).0
        #expect(r?.serverTiming == ["c;dur=3"])
    }

    @Test("interim 1xx responses are skipped; the final one is the response")
    func interim() {
        let r = feed(["HTTP/1.1 100 Continue\r\nServer-Timing: early;dur=1\r\n\r\nHTTP/1.1 200 OK\r\nServer-Timing: late;dur=2\r\nContent-Length: 2\r\n\r\nok"]).0
        #expect(r == Parsed(status: 200, keepAlive: true, serverTiming: ["late;dur=2"]))
    }

    @Test("Connection: close and HTTP/1.0 end the connection; a body up to the close is complete at the close")
    func closing() {
        #expect(feed(["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"]).0?.keepAlive == false)
        #expect(feed(["HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"]).0?.keepAlive == false)
        #expect(feed(["HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"]).0?.keepAlive == true)
        let untilClose = feed(["HTTP/1.1 200 OK\r\nServer-Timing: a;dur=1\r\n\r\nsome", " more"], close: true).0
        #expect(untilClose == Parsed(status: 200, keepAlive: false, serverTiming: ["a;dur=1"]))
        // Closed halfway through a Content-Length body: no response.
        #expect(feed(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], close: true).0 == nil)
    }

    @Test("malformed responses and bytes nobody asked for are errors, with the reason")
    func malformed() {
        let (r1, e1) = feed(["HTTP/1.1 abc OK\r\n\r\n"])
        #expect(r1 == nil)
        #expect(e1 == "malformed response: invalid HTTP status code")
        let (_, e2) = feed(["HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n"])
        #expect(e2?.hasPrefix("malformed response: ") == true)
        let (r3, e3) = feed(["HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"])
        #expect(r3 == nil)
        #expect(e3 == "5 bytes after the response, before a request asked for them")
    }

    @Test("one parser reads response after response on a keep-alive connection")
    func keepAlive() {
        let parser = HTTPResponseParser(headRequest: false)
        for i in 0..<3 {
            guard case .response(let status, true, let timing) = parser.parse(ByteBuffer(string: "HTTP/1.1 20\(i) X\r\nServer-Timing: n\(i)\r\nContent-Length: 1\r\n\r\n!")) else {
                Issue.record("response \(i) not read")
                return
            }
            #expect(status == 200 + i)
            #expect(timing == ["n\(i)"])
        }
    }
}
