import BenchModel
import Foundation
import Testing
import TestSupport
@testable import Harness

/// Execution segments: every open-loop schedule split so the union of the segments' intended starts
/// is exactly the single-generator schedule, closed-loop concurrency split evenly, and the segment
/// syntax (`i/N`, `a:b`) read strictly.
@Suite("Execution segments")
struct ExecutionSegmentTests {
    static let shapes: [(String, LoadShape, ArrivalProcess)] = [
        ("constant", .constant(rate: 97, duration: 3), .uniform),
        ("ramp", .ramp(from: 10, to: 250, duration: 2.5), .uniform),
        ("spike", .spike(base: 20, peak: 300, at: 0.5, hold: 0.4, duration: 2), .uniform),
        ("step", .step(rates: [15, 60, 35], each: 1.5), .uniform),
        ("burst", .burst(count: 101), .uniform),
        ("poisson constant", .constant(rate: 97, duration: 3), .poisson),
        ("poisson ramp", .ramp(from: 10, to: 250, duration: 2.5), .poisson),
        ("poisson spike", .spike(base: 20, peak: 300, at: 0.5, hold: 0.4, duration: 2), .poisson),
    ]

    func all(_ schedule: ArrivalSchedule) -> [Double] { Array(schedule) }

    /// Every unit of a scenario with `phases`, as the whole test and as each of `segments`.
    func units(_ phases: [Phase], process: ArrivalProcess, segments: [ExecutionSegment]) -> (whole: [PlannedPhase], parts: [[PlannedPhase]]) {
        let scenario = Scenario(name: "s", seed: 7, arrivals: process, phases: phases)
        return (PlannedPhase.plan(scenario, defaultWorkers: 2),
                segments.map { PlannedPhase.plan(scenario, defaultWorkers: 2, segment: $0) })
    }

    @Test("the union of N segments' intended starts is exactly the single-generator schedule (N = 2, 3, 7)",
          arguments: [2, 3, 7])
    func unionIsTheSchedule(_ n: Int) throws {
        let segments = (1...n).map { ExecutionSegment(index: $0, of: n)! }
        for (name, shape, process) in Self.shapes {
            let (whole, parts) = units([Phase(shape)], process: process, segments: segments)
            // A step phase is one unit per rate; every unit is split on its own.
            #expect(parts.allSatisfy { $0.count == whole.count })
            for (u, unit) in whole.enumerated() {
                guard case .open(let w) = unit.mode else { Issue.record("\(name): not open loop"); continue }
                let expected = all(w.schedule)
                #expect(expected.count == w.schedule.totalArrivals && expected.count > 20, "\(name)")
                var union: [Double] = []
                var counts: [Int] = []
                for part in parts {
                    guard case .open(let p) = part[u].mode else { Issue.record("\(name): segment not open loop"); continue }
                    let own = all(p.schedule)
                    #expect(own.count == p.schedule.totalArrivals, "\(name): a segment's count disagrees with its stream")
                    counts.append(own.count)
                    union += own
                }
                // Exactly: the same Double values, each once (a multiset equality).
                #expect(union.sorted() == expected.sorted(), "\(name), N = \(n): the segments' union differs from the schedule")
                #expect(counts.reduce(0, +) == expected.count)
                // Each segment's share is its width: for uniform spacing within the van der Corput
                // sequence's discrepancy (N·D*_N ≤ log₂N / 3 + 1, Béjian and Faure 1977; an interval
                // counts within twice that), binomially spread for Poisson (an independent thinning, 4σ).
                let fair = Double(expected.count) / Double(n)
                let slack = process == .poisson ? 4 * (fair * (1 - 1 / Double(n))).squareRoot() + 1
                    : 2 * (log2(Double(expected.count)) / 3 + 1)
                #expect(counts.allSatisfy { abs(Double($0) - fair) <= slack }, "\(name), N = \(n): shares \(counts)")
            }
        }
    }

    @Test("uneven a:b segments covering [0, 1) split a schedule exactly too")
    func unevenSegments() throws {
        let segments = try ["0:1/3", "1/3:0.5", "50%:7/8", "7/8:1"].map { try ExecutionSegment.parse($0) }
        for (name, shape, process) in Self.shapes {
            let (whole, parts) = units([Phase(shape)], process: process, segments: segments)
            guard case .open(let w) = whole[0].mode else { continue }
            var union: [Double] = []
            for part in parts { if case .open(let p) = part[0].mode { union += all(p.schedule) } }
            #expect(union.sorted() == all(w.schedule).sorted(), "\(name)")
        }
    }

    @Test("a power-of-two split is exact round robin: segment i/4 runs every fourth arrival")
    func roundRobin() {
        let schedule = ArrivalSchedule(.constant(rate: 100, duration: 1))!
        let whole = all(schedule)
        let part = all(schedule.segmented(ExecutionSegment(index: 3, of: 4)!))
        let indices = part.map { o in whole.firstIndex(of: o)! }
        #expect(indices.count == 25)
        #expect(zip(indices, indices.dropFirst()).allSatisfy { $1 - $0 == 4 })
    }

    @Test("a Poisson segment's arrivals still pass the Poisson gap check (an independent thinning)")
    func poissonSegmentIsPoisson() {
        let schedule = ArrivalSchedule(.constant(rate: 2000, duration: 10), process: .poisson, seed: 11)!
            .segmented(ExecutionSegment(index: 2, of: 3)!)
        let o = all(schedule)
        let scale = Double(schedule.segment!.owned) / Double(schedule.segment!.whole)
        let gaps = zip(o, o.dropFirst()).map { (b: Double, a: Double) in scale * (schedule.integral(at: a) - schedule.integral(at: b)) }
        let check = ArrivalCheck.evaluate(rescaledGaps: gaps, process: .poisson)
        #expect(check.verdict == .pass, "p = \(String(describing: check.pValue))")
    }

    @Test("closed-loop concurrency: shares add up to c and differ by at most one", arguments: [1, 2, 3, 4, 7, 16])
    func concurrencyShares(_ n: Int) {
        for c in 0...40 {
            let shares = (1...n).map { ExecutionSegment(index: $0, of: n)!.share(of: c) }
            #expect(shares.reduce(0, +) == c, "c = \(c): \(shares)")
            #expect((shares.max()! - shares.min()!) <= 1, "c = \(c): \(shares)")
        }
        let (_, parts) = units([Phase(.closed(concurrency: [5, 1], each: 1))], process: .uniform,
                               segments: (1...n).map { ExecutionSegment(index: $0, of: n)! })
        for level in 0..<2 {
            let total = parts.reduce(0) { sum, p in
                if case .closed(let c, _) = p[level].mode { return sum + c }
                return sum
            }
            #expect(total == [5, 1][level])
        }
    }

    @Test("segment syntax: i/N and a:b read as k6 writes them", arguments: [
        ("1/4", "0:1/4"), ("4/4", "3/4:1"), ("2/3", "1/3:2/3"), ("1/1", "0:1"), ("0:1/4", "0:1/4"),
        (" 1/4 : 2/4 ", "1/4:1/2"), ("0.25:0.5", "1/4:1/2"), ("50%:100%", "1/2:1"), ("0:1", "0:1"), ("1/3:0.5", "1/3:1/2"),
    ])
    func parses(_ text: String, _ expected: String) throws {
        let s = try ExecutionSegment.parse(text)
        #expect(s.description == expected)
        #expect(try ExecutionSegment.parse(s.description) == s)
    }

    @Test("bad segments are refused with the reason", arguments: [
        ("0/4", "1…4"), ("5/4", "1…4"), ("1/0", "N must be"), ("-1/4", "1…4"), ("x", "i/N"), ("1/4/2", "i/N"),
        ("1/2:1/4", "below"), ("1/2:1/2", "below"), ("0:3/2", "a:b"), ("0:1/0", "a:b"), ("0:1/4294967296", "a:b"),
        ("1/9999999999999", "N must be"), ("0.1234567891:1", "a:b"), ("", "i/N"), (":", "a:b"),
    ])
    func refuses(_ text: String, _ reason: String) {
        #expect {
            _ = try ExecutionSegment.parse(text)
        } throws: { error in
            "\(error)".contains(reason) && "\(error)".contains("'\(text)'")
        }
    }

    @Test("uncovered parts of [0, 1) and overlaps")
    func coverage() throws {
        let p = { (t: String) in try ExecutionSegment.parse(t) }
        #expect(ExecutionSegment.uncovered(by: try [p("1/4"), p("2/4"), p("4/4")]).map(\.description) == ["1/2:3/4"])
        #expect(ExecutionSegment.uncovered(by: try [p("2/3")]).map(\.description) == ["0:1/3", "2/3:1"])
        #expect(ExecutionSegment.uncovered(by: try (1...7).map { try p("\($0)/7") }).isEmpty)
        #expect(try p("1/4:1/2").overlaps(p("0:1/3")))
        #expect(try !p("1/4:1/2").overlaps(p("1/2:1")))
    }

    @Test("membership by position agrees with the fraction's value")
    func positions() throws {
        var random = SplitMix64(seed: 3)
        let s = try ExecutionSegment.parse("2/7:5/9")
        for _ in 0..<20_000 {
            let position = random.next()
            let x = Double(position) / 0x1p64
            // Away from the bounds, the Double comparison is reliable.
            guard abs(x - s.from.value) > 1e-12, abs(x - s.to.value) > 1e-12 else { continue }
            #expect(s.owns(position: position) == (x >= s.from.value && x < s.to.value))
        }
        #expect(ExecutionSegment.whole.owns(position: .max) && ExecutionSegment.whole.owns(position: 0))
    }

    @Test("generator health: saturated when CPU is at 90% of its cores, arrivals start 5 ms late at p99, or any are dropped")
    func health() {
        #expect(!GeneratorHealth(cpuCoresBusy: 1.7, cores: 2, latenessP99: 4_999_999, dropped: 0).saturated)
        let cpu = GeneratorHealth(cpuCoresBusy: 1.8, cores: 2, latenessP99: nil, dropped: 0)
        #expect(cpu.saturated && cpu.reasons == ["CPU 1.80 of 2 cores busy"])
        let late = GeneratorHealth(cpuCoresBusy: 0.2, cores: 4, latenessP99: 7_500_000, dropped: 0)
        #expect(late.saturated && late.reasons.count == 1 && late.reasons[0].contains("late"))
        let dropped = GeneratorHealth(cpuCoresBusy: nil, cores: 0, latenessP99: nil, dropped: 3)
        #expect(dropped.saturated && dropped.reasons == ["3 arrivals dropped at the queue bound"])
    }
}
