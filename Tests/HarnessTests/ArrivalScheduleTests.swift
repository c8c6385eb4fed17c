import BenchModel
import Testing
@testable import Harness

@Suite("Arrival schedule")
struct ArrivalScheduleTests {
    func offsets(_ shape: LoadShape) -> [Double] {
        let schedule = ArrivalSchedule(shape)!
        var out: [Double] = []
        while let o = schedule.offset(of: out.count) { out.append(o) }
        return out
    }

    @Test("constant rate: arrivals at i / rate, as many as rate × duration")
    func constant() {
        let o = offsets(.constant(rate: 15, duration: 10))
        #expect(o.count == 150)
        #expect(o.count == ArrivalSchedule(.constant(rate: 15, duration: 10))!.totalArrivals)
        #expect(abs(o[1] - 1.0 / 15) < 1e-12)
        #expect(abs(o[149] - 149.0 / 15) < 1e-9)
    }

    @Test("ramp: the count is the area under the rate, spacing shrinks as the rate rises")
    func ramp() {
        let o = offsets(.ramp(from: 10, to: 100, duration: 10))
        #expect(o.count == 550)
        let early = o[1] - o[0], late = o[o.count - 1] - o[o.count - 2]
        #expect(early > 5 * late)
        #expect(zip(o, o.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(o.last! < 10)
    }

    @Test("ramp down works too")
    func rampDown() {
        let o = offsets(.ramp(from: 100, to: 0, duration: 2))
        #expect(o.count == 100)
        #expect(zip(o, o.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test("step and spike add up their segments")
    func stepAndSpike() {
        #expect(offsets(.step(rates: [10, 20, 30], each: 2)).count == 120)
        let spike = offsets(.spike(base: 10, peak: 100, at: 1, hold: 1, duration: 3))
        #expect(spike.count == 120)
        let inPeak = spike.filter { $0 >= 1 && $0 < 2 }.count
        #expect(inPeak == 100)
    }

    @Test("arrivals due by t agree with the offsets", arguments: [
        LoadShape.constant(rate: 15, duration: 10), .ramp(from: 10, to: 100, duration: 10),
        .spike(base: 10, peak: 100, at: 1, hold: 1, duration: 3), .step(rates: [5, 50], each: 2),
    ])
    func dueCounts(_ shape: LoadShape) {
        let schedule = ArrivalSchedule(shape)!
        let o = offsets(shape)
        #expect(schedule.arrivalsDue(by: -1) == 0)
        #expect(schedule.arrivalsDue(by: 0) == 1)
        for (i, t) in o.enumerated() where i + 1 < o.count {
            // Just after arrival i is due, i + 1 arrivals are due; just before the next, still i + 1.
            #expect(schedule.arrivalsDue(by: t + 1e-7) == i + 1)
            #expect(schedule.arrivalsDue(by: o[i + 1] - 1e-7) == i + 1)
        }
        #expect(schedule.arrivalsDue(by: shape.nominalDuration + 1) == o.count)
    }

    @Test("a bounded queue drops exactly what a real tail-drop queue refuses")
    func tailDrop() {
        // 100 arrivals/s from t = 0; nobody claims for 1 s, so 100 are due and a bound of 10 keeps
        // the first 10 (indices 0…9) and refuses 10…99; then claims run in index order.
        let arrivals = OpenLoopArrivals(schedule: ArrivalSchedule(.constant(rate: 100, duration: 5))!, start: 1_000,
                                        maxQueue: 10)
        let oneSecond: UInt64 = 1_000 + 1_000_000_000 - 1
        var claimed: [Int] = []
        for _ in 0..<10 { claimed.append(arrivals.claim(now: oneSecond)!.index) }
        #expect(claimed == Array(0..<10))
        // The next claim skips the dropped 10…99 and gets 100, due at 1 s.
        let next = arrivals.claim(now: oneSecond + 1)!
        #expect(next.index == 100)
        let totals = arrivals.finish(now: oneSecond + 1)
        #expect(totals.dropped == 90)
        #expect(totals.maxDepth == 10)
    }

    @Test("without a bound nothing is dropped and depth counts every waiting arrival")
    func unbounded() {
        let arrivals = OpenLoopArrivals(schedule: ArrivalSchedule(.burst(count: 50))!, start: 1_000, maxQueue: nil)
        #expect(arrivals.claim(now: 2_000)?.index == 0)
        let s = arrivals.sample(now: 3_000)
        #expect(s.maxDepth == 50 && s.dropped == 0 && s.due == 50)
    }

    @Test("a burst is all due at once")
    func burst() {
        let o = offsets(.burst(count: 100))
        #expect(o.count == 100 && o.allSatisfy { $0 == 0 })
    }
}

@Suite("Theil–Sen")
struct TheilSenTests {
    @Test("recovers a slope despite outliers, with an interval around it")
    func robust() throws {
        let x = (0..<100).map(Double.init)
        var y = x.map { 3 * $0 + 10 }
        y[10] = 10_000
        y[50] = -5_000
        let fit = try #require(TheilSen.fit(x: x, y: y))
        #expect(abs(fit.slope - 3) < 1e-9)
        #expect(fit.low <= 3 && fit.high >= 3)
        #expect(abs(fit.intercept - 10) < 1e-6)
    }

    @Test("noise gives an interval that contains zero for a flat series")
    func flat() throws {
        var rng = SystemRandomNumberGenerator()
        let x = (0..<200).map(Double.init)
        let y = x.map { _ in Double.random(in: -1...1, using: &rng) }
        let fit = try #require(TheilSen.fit(x: x, y: y))
        #expect(fit.low < 0 && fit.high > 0)
    }

    @Test("too few points give no fit")
    func tooFew() {
        #expect(TheilSen.fit(x: [1, 2], y: [1, 2]) == nil)
        #expect(TheilSen.fit(x: [1, 1, 1], y: [1, 2, 3]) == nil)
    }
}
