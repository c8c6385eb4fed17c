import Testing
@testable import Statistics

@Suite struct DistributionsTests {
    @Test(arguments: [(0.975, 1.959963984540054), (0.01, -2.326347874040841), (1e-10, -6.361340902404056), (0.5, 0.0)])
    func normalQuantileMatchesScipy(p: Double, expected: Double) {
        #expect(abs(Distributions.normalQuantile(p) - expected) < 1e-9)
        #expect(abs(Distributions.normalCDF(Distributions.normalQuantile(p)) - p) < 1e-12 * max(1, 1 / p))
    }

    @Test func normalQuantileEdges() {
        #expect(Distributions.normalQuantile(0) == -.infinity)
        #expect(Distributions.normalQuantile(1) == .infinity)
        #expect(Distributions.normalQuantile(1.5).isNaN)
    }

    /// scipy.stats.t.cdf, fractional degrees of freedom included (Welch's are).
    @Test(arguments: [(2.0, 5.0, 0.9490302605850708), (-1.5, 10.5, 0.08153437895922226), (0.3, 2.5, 0.6063288142524014)])
    func studentTMatchesScipy(t: Double, df: Double, expected: Double) {
        #expect(abs(Distributions.studentTCDF(t, df: df) - expected) < 1e-10)
    }

    @Test func benjaminiHochbergMatchesScipy() {
        // scipy.stats.false_discovery_control([0.01, 0.04, 0.03, 0.005]) = [0.02, 0.04, 0.04, 0.02]
        let q = FalseDiscovery.benjaminiHochberg([0.01, 0.04, 0.03, 0.005])
        for (a, b) in zip(q, [0.02, 0.04, 0.04, 0.02]) { #expect(abs(a - b) < 1e-12) }
        #expect(FalseDiscovery.benjaminiHochberg([]).isEmpty)
        #expect(FalseDiscovery.benjaminiHochberg([0.9, 0.95]) == [0.95, 0.95])
    }
}

@Suite struct GroupSequentialTests {
    /// gsDesign's Lan–DeMets O'Brien–Fleming bounds for five equally spaced looks at one-sided 0.025:
    /// 4.8769, 3.3569, 2.6803, 2.2898, 2.0310 (Jennison & Turnbull, table 7.6).
    @Test func obrienFlemingBoundsMatchGsDesign() {
        let t = [0.2, 0.4, 0.6, 0.8, 1.0]
        let c = GroupSequential.upperBoundaries(fractions: t, alpha: 0.025, spending: .obrienFleming)
        for (got, expected) in zip(c, [4.8769, 3.3569, 2.6803, 2.2898, 2.0310]) {
            #expect(abs(got - expected) < 0.005, "boundary \(got) vs gsDesign's \(expected)")
        }
        // The boundaries spend exactly alpha under the null.
        let spent = GroupSequential.crossingProbability(fractions: t, boundaries: c, drift: 0)
        #expect(abs(spent - 0.025) < 2e-4)
    }

    @Test func oneLookIsTheFixedDesign() {
        let c = GroupSequential.upperBoundaries(fractions: [1], alpha: 0.05, spending: .hwangShihDeCani(gamma: -2))
        #expect(abs(c[0] - 1.6448536) < 1e-4)
        // Power 90% at z_α + z_β standard errors.
        let drift = GroupSequential.detectableDrift(fractions: [1], boundaries: c, power: 0.9)
        #expect(abs(drift - (1.6448536 + 1.2815516)) < 1e-3)
    }

    /// Many unequal looks (as a time budget makes them): the false-alarm rate stays at alpha, and the
    /// cost in detectable effect against one look at the end is small (a few per cent).
    @Test func manyLooksKeepAlpha() {
        let n = Array(stride(from: 6, through: 44, by: 2))
        let t = n.map { Double($0) / 44 }
        let c = GroupSequential.upperBoundaries(fractions: t, alpha: 0.005, spending: .obrienFleming)
        #expect(abs(GroupSequential.crossingProbability(fractions: t, boundaries: c, drift: 0) - 0.005) < 1e-4)
        let sequential = GroupSequential.detectableDrift(fractions: t, boundaries: c, power: 0.9)
        let fixed = Distributions.normalQuantile(0.995) + Distributions.normalQuantile(0.9)
        #expect(sequential > fixed && sequential < fixed * 1.08, "sequential \(sequential) vs fixed \(fixed)")
    }

    @Test func spendingFunctionsSpendTheirTotal() {
        for f in [SpendingFunction.obrienFleming, .hwangShihDeCani(gamma: -4), .hwangShihDeCani(gamma: 1), .hwangShihDeCani(gamma: 0)] {
            #expect(abs(f.spent(1, total: 0.01) - 0.01) < 1e-12)
            #expect(f.spent(0, total: 0.01) == 0)
            #expect(f.spent(0.5, total: 0.01) < 0.01)
            #expect(f.spent(2, total: 0.01) == f.spent(1, total: 0.01))
        }
    }
}

@Suite struct WelchTestTests {
    /// scipy.stats.ttest_ind([1, 2, 3, 4, 5], [2, 4, 6, 8, 11], equal_var=False).pvalue = 0.114990...
    @Test func matchesScipy() throws {
        let p = try #require(WelchTest.pValue([1, 2, 3, 4, 5], [2, 4, 6, 8, 11]))
        #expect(abs(p - 0.1149902) < 1e-6, "p \(p)")
        #expect(WelchTest.pValue([1], [2, 3]) == nil)
        #expect(WelchTest.pValue([1, 1], [1, 1]) == 1)
        #expect(WelchTest.pValue([1, 1], [2, 2]) == 0)
        #expect(WelchTest.pValueOfRatio([1, 0], [2, 3]) == nil)
    }
}

@Suite struct YuenTestTests {
    static let a = [0.1, 0.3, 0.2, 0.25, 0.9, 0.15, 0.22]
    static let b = [0.4, 0.35, 0.5, 0.3, 0.45, 2.0, 0.38, 0.41]

    /// scipy.stats.ttest_ind(a, b, equal_var=False, trim=0.2): t −4.2285643206957015, df 8.35450517258968,
    /// p 0.0026137922796582867 — where Welch's test on the plain means (one outlier a side) says p 0.219.
    @Test func matchesScipyTrimmedTTest() throws {
        let (d, se, df) = YuenTest.difference(Self.a, Self.b, trim: 0.2)
        #expect(abs(-d / se - -4.2285643206957015) < 1e-9)
        #expect(abs(df - 8.35450517258968) < 1e-9)
        let p = try #require(YuenTest.pValue(Self.a, Self.b, trim: 0.2))
        #expect(abs(p - 0.0026137922796582867) < 1e-9)
        // scipy.stats.trim_mean(b, 0.2)
        #expect(abs(YuenTest.Side(Self.b, trim: 0.2).trimmedMean - 0.41500000000000004) < 1e-12)
    }

    /// With nothing trimmed it is Welch's test.
    @Test func trimZeroIsWelch() throws {
        let yuen = try #require(YuenTest.pValue(Self.a, Self.b, trim: 0))
        let welch = try #require(WelchTest.pValue(Self.a, Self.b))
        #expect(abs(yuen - welch) < 1e-12)
    }

    /// Small samples keep at least two values; no values, no answer.
    @Test func edges() {
        #expect(YuenTest.Side([1, 2, 3], trim: 0.45).kept == 3)
        #expect(YuenTest.Side([5, 1, 9, 3], trim: 0.49).kept == 2)
        #expect(YuenTest.Side([], trim: 0.2).trimmedMean.isNaN)
        #expect(YuenTest.pValue([1], [2, 3], trim: 0.2) == nil)
        #expect(YuenTest.pValue([1, 1, 1], [1, 1, 1], trim: 0.2) == 1)
        #expect(YuenTest.pValue([1, 1, 1], [2, 2, 2], trim: 0.2) == 0)
    }
}

extension DistributionsTests {
    /// scipy.stats.t.ppf, fractional degrees of freedom included.
    @Test(arguments: [(0.995, 18.0, 2.8784404727386077), (0.9, 7.5, 1.4052118464159533), (0.025, 3.2, -3.0728289297131637)])
    func studentTQuantileMatchesScipy(p: Double, df: Double, expected: Double) {
        #expect(abs(Distributions.studentTQuantile(p, df: df) - expected) < 1e-8)
        #expect(abs(Distributions.studentTCDF(Distributions.studentTQuantile(p, df: df), df: df) - p) < 1e-10)
    }
}
