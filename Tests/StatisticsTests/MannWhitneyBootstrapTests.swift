@testable import Statistics
import Testing

@Suite struct MannWhitneyBootstrapTests {
    /// Expected values from SciPy 1.17: `mannwhitneyu(x, y, alternative="two-sided")` (method auto).
    @Test(arguments: [
        // Exact (no ties, a side of ≤ 8).
        ([1.0, 2, 3, 4, 5], [6.0, 7, 8, 9, 10], 0.0, 0.007936507936507936, MannWhitneyMethod.exact),
        ([1.2, 3.4, 2.2, 5.1, 0.7], [4.4, 6.1, 3.9, 7.2, 5.5], 2.0, 0.031746031746031744, .exact),
        ([10.0, 11, 12], [1.0, 2, 3, 4], 12.0, 0.05714285714285714, .exact),
        ([1.0, 3, 5, 7, 9, 11], [2.0, 4, 6, 8, 10, 12], 15.0, 0.6991341991341992, .exact),
        // Normal approximation with tie correction (ties present).
        ([1.0, 2, 2, 3, 4], [2.0, 3, 3, 5, 6], 6.0, 0.19882894401644247, .normalApproximation),
        ([5.0, 5, 5], [5.0, 5, 5], 4.5, 1.0, .normalApproximation),
    ])
    func mannWhitneyMatchesSciPy(x: [Double], y: [Double], u: Double, p: Double, method: MannWhitneyMethod) throws {
        let r = try #require(MannWhitney.test(x, y))
        #expect(r.u == u)
        #expect(abs(r.p - p) < 1e-9, "p = \(r.p), SciPy says \(p)")
        #expect(r.method == method)
    }

    @Test func mannWhitneyLargeSamplesUseTheNormalApproximation() throws {
        // x = 0…19, y = x + 5.5 (no ties, both sides > 8): SciPy gives U = 105, p = 0.010581211443165648.
        let x = (0..<20).map(Double.init)
        let y = (0..<20).map { Double($0) + 5.5 }
        let r = try #require(MannWhitney.test(x, y))
        #expect(r.method == .normalApproximation)
        #expect(r.u == 105)
        #expect(abs(r.p - 0.010581211443165648) < 1e-9, "p = \(r.p)")
    }

    @Test func exactDistributionIsAProbabilityDistribution() {
        for (m, n) in [(1, 1), (3, 4), (5, 5), (8, 30)] {
            #expect(MannWhitney.exactSurvival(0, m, n) == 1)
            #expect(MannWhitney.exactSurvival(m * n + 1, m, n) == 0)
            #expect(abs(MannWhitney.exactSurvival(m * n, m, n) - 1 / binomial(m + n, m)) < 1e-12)
        }
    }

    @Test func smallestPossiblePTellsWhenTrialsAreTooFew() {
        #expect(MannWhitney.smallestPossibleP(3, 3) >= 0.05)
        #expect(MannWhitney.smallestPossibleP(4, 4) < 0.05)
        #expect(abs(MannWhitney.smallestPossibleP(5, 5) - 2.0 / 252) < 1e-12)
    }

    @Test func bootstrapIsDeterministicAndCoversTheTrueChange() throws {
        let before = [100.0, 102, 98, 101, 99]
        let after = before.map { $0 * 1.3 }
        let a = try #require(Bootstrap.relativeChangeOfMedians(before: before, after: after, resamples: 2000, level: 0.95, seed: 7))
        let b = try #require(Bootstrap.relativeChangeOfMedians(before: before, after: after, resamples: 2000, level: 0.95, seed: 7))
        #expect(a == b)
        #expect(a.low < 0.3 && a.high > 0.3, "CI \(a.low)…\(a.high) should contain +30%")
        #expect(a.low > 0.2 && a.high < 0.4)
        let same = try #require(Bootstrap.relativeChangeOfMedians(before: before, after: before, resamples: 2000, level: 0.95, seed: 7))
        #expect(same.low <= 0 && same.high >= 0)
    }

    @Test func medianAndQuantile() {
        #expect(Descriptive.median([3, 1, 2]) == 2)
        #expect(Descriptive.median([4, 1, 2, 3]) == 2.5)
        #expect(Descriptive.median([]) == nil)
        #expect(Descriptive.quantile(sorted: [0, 10], 0.25) == 2.5)
    }

    private func binomial(_ n: Int, _ k: Int) -> Double {
        (0..<k).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
    }
}
