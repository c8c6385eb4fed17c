import Testing
@testable import Profiling

/// The call tree unrolled from callgrind's call graph into folded stacks, on files worked out by hand:
/// `episode` (self 10) calls stages `a` and `b`, each of which calls the shared helper `h`; `h` does
/// 100 instructions of its own for each, but calls `x` (300) only when `a` called it.
@Suite struct CallgrindFoldedTests {
    /// Without caller contexts: `h` is one node, so `x` can only be split between `a` and `b` by
    /// their share of `h`'s inclusive cost (400 from a, 100 from b of 500).
    static let plain = """
        events: Ir
        fn=(1) episode
        0 10
        cfn=(2) a
        calls=1 0
        0 405
        cfn=(3) b
        calls=1 0
        0 105
        fn=(2)
        0 5
        cfn=(4) h
        calls=1 0
        0 400
        fn=(3)
        0 5
        cfn=(4)
        calls=1 0
        0 100
        fn=(4)
        0 200
        cfn=(5) x
        calls=1 0
        0 300
        fn=(5)
        0 300
        """

    /// The same run counted with `--separate-callers`: `h'a` and `h'b` are nodes of their own, so
    /// `x` is placed exactly, under `a` only.
    static let contexts = """
        events: Ir
        fn=(1) episode
        0 10
        cfn=(2) a'episode
        calls=1 0
        0 405
        cfn=(3) b'episode
        calls=1 0
        0 105
        fn=(2)
        0 5
        cfn=(4) h'a'episode
        calls=1 0
        0 400
        fn=(3)
        0 5
        cfn=(6) h'b'episode
        calls=1 0
        0 100
        fn=(4)
        0 100
        cfn=(5) x'h'a'episode
        calls=1 0
        0 300
        fn=(6)
        0 100
        fn=(5)
        0 300
        """

    static func stacks(_ folded: String) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for line in folded.split(separator: "\n") {
            let space = line.lastIndex(of: " ")!
            out[String(line[..<space])] = UInt64(line[line.index(after: space)...])
        }
        return out
    }

    @Test func withoutContextsSharedCodeIsSplitByItsCallersShare() throws {
        let p = try CallgrindProfile(parsing: Self.plain)
        #expect(p.contextCalls.isEmpty)
        let s = Self.stacks(p.folded(root: "episode", rename: { $0 }, minimumShare: 0))
        #expect(s["episode"] == 10)
        #expect(s["episode;a"] == 5 && s["episode;b"] == 5)
        // h's 500 inclusive: 4/5 through a, 1/5 through b, x's 300 with it.
        #expect(s["episode;a;h"] == 160 && s["episode;b;h"] == 40)
        #expect(s["episode;a;h;x"] == 240 && s["episode;b;h;x"] == 60)
        #expect(s.values.reduce(0, +) == 520)
    }

    @Test func withContextsTheTreeIsExact() throws {
        let p = try CallgrindProfile(parsing: Self.contexts)
        // The per-function view adds the contexts up, as without them.
        #expect(p.functions["h"] == .init(selfCost: 200, inclusiveCost: 500, calls: 2))
        #expect(p.functions["x"]?.inclusiveCost == 300)
        #expect(p.calls["a"]?["h"] == 400 && p.calls["h"]?["x"] == 300)
        let s = Self.stacks(p.folded(root: "episode", rename: { $0 == "episode" ? "E" : $0.uppercased() }, minimumShare: 0))
        #expect(s == ["E": 10, "E;A": 5, "E;B": 5, "E;A;H": 100, "E;B;H": 100, "E;A;H;X": 300])
    }

    @Test func recursionBecomesALeafAndTinyFramesFoldIntoTheirCaller() throws {
        let text = """
            events: Ir
            fn=(1) episode
            0 1000
            cfn=(2) r
            calls=1 0
            0 9000
            cfn=(3) tiny
            calls=1 0
            0 1
            fn=(2)
            0 4000
            cfn=(2)
            calls=1 0
            0 5000
            fn=(3)
            0 1
            """
        let p = try CallgrindProfile(parsing: text)
        let s = Self.stacks(p.folded(root: "episode", rename: { $0 }, minimumShare: 0.001))
        // tiny (1 of 10,001) is below a thousandth: its instruction stays with episode.
        #expect(s["episode"] == 1001)
        #expect(s["episode;r;r"] == 5000)
        #expect(s["episode;r"] == 4000)
        #expect(p.folded(root: "absent", rename: { $0 }).isEmpty)
    }

    @Test func namesCannotBreakTheFormat() throws {
        let p = try CallgrindProfile(parsing: Self.plain)
        let folded = p.folded(root: "episode", rename: { $0 == "a" ? "f;g\nh" : $0 }, minimumShare: 0)
        #expect(folded.contains("episode;f:g:h;h 160"))
    }
}
