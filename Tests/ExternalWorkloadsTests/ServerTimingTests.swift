import ExternalWorkloads
import Testing

@Suite("Server-Timing parser")
struct ServerTimingTests {
    typealias E = ServerTiming.Entry

    @Test("valid headers", arguments: [
        (["db;dur=53"], [E(name: "db", milliseconds: 53)]),
        (["db;dur=53.2, app;dur=47.2"], [E(name: "db", milliseconds: 53.2), E(name: "app", milliseconds: 47.2)]),
        (["a;dur=1", "b;dur=2"], [E(name: "a", milliseconds: 1), E(name: "b", milliseconds: 2)]),
        (["cache;desc=\"hit, warm; tier 1\";dur=0.5"], [E(name: "cache", milliseconds: 0.5, description: "hit, warm; tier 1")]),
        (["  x ; DUR = 2 ;  desc=plain  "], [E(name: "x", milliseconds: 2, description: "plain")]),
        (["x;dur=2;dur=9"], [E(name: "x", milliseconds: 2)]),
        (["miss"], [E(name: "miss", milliseconds: nil)]),
        (["a;dur=1,,  ,b;dur=2,"], [E(name: "a", milliseconds: 1), E(name: "b", milliseconds: 2)]),
        (["q;desc=\"say \\\"hi\\\"\";dur=3"], [E(name: "q", milliseconds: 3, description: "say \"hi\"")]),
        (["x;dur=0.00012345;foo=bar;flag"], [E(name: "x", milliseconds: 0.00012345)]),
    ])
    func valid(_ headers: [String], _ expected: [E]) {
        let (entries, problems) = ServerTiming.parse(headers)
        #expect(entries == expected)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("malformed entries are reported, not dropped; good neighbours survive", arguments: [
        ("bad name;dur=1, ok;dur=2", "metric name"),
        ("x;dur=abc, ok;dur=2", "dur must be"),
        ("x;dur=-1, ok;dur=2", "dur must be"),
        ("x;desc=\"open, ok;dur=2", "unterminated"),
        ("x;dur=nan, ok;dur=2", "dur must be"),
        ("x;d(ur=1, ok;dur=2", "parameter name"),
        ("x;desc=a b, ok;dur=2", "neither a token"),
    ])
    func malformed(_ header: String, _ reason: String) {
        let (entries, problems) = ServerTiming.parse([header])
        #expect(problems.count == 1)
        #expect(problems.first?.reason.contains(reason) == true, "\(problems)")
        // An unterminated quote swallows the rest of the header: nothing after it can be trusted.
        if !header.contains("\"open") {
            #expect(entries.map(\.name) == ["ok"])
        }
    }

    @Test("hostile input does not trap")
    func hostile() {
        let long = String(repeating: "a;dur=1,", count: 10_000)
        #expect(ServerTiming.parse([long]).entries.count == 10_000)
        #expect(ServerTiming.parse([String(repeating: "\"", count: 1001)]).problems.count == 1)
        #expect(ServerTiming.parse(["x;dur=1e400"]).problems.count == 1)
        #expect(ServerTiming.parse(["\u{0}\u{7f};dur=1"]).problems.count == 1)
        #expect(ServerTiming.parse([""]).entries.isEmpty)
    }
}
