import Testing
@testable import Statistics

@Suite("Proportion intervals")
struct ProportionTests {
    @Test("Wilson 95% intervals match published values; no interval without trials")
    func wilson() throws {
        // Brown, Cai & DasGupta (2001) / R's prop.test without continuity correction.
        let cases: [(Int, Int, Double, Double)] = [(0, 10, 0, 0.27753), (5, 10, 0.23659, 0.76341),
                                                  (10, 10, 0.72247, 1), (1, 21, 0.00846, 0.22669)]
        for (k, n, lo, hi) in cases {
            let r = try #require(Proportion.wilson(successes: k, trials: n))
            #expect(abs(r.lowerBound - lo) < 5e-5 && abs(r.upperBound - hi) < 5e-5, "\(k) of \(n): \(r)")
        }
        #expect(Proportion.wilson(successes: 0, trials: 0) == nil)
        #expect(Proportion.wilson(successes: 3, trials: 2) == nil)
    }
}
