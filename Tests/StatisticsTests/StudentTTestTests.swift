import Testing
@testable import Statistics

@Suite struct StudentTTestTests {
    /// Expected p-values from SciPy 1.17: `scipy.stats.ttest_ind(a, b)` (pooled variance, two-sided).
    @Test(arguments: [
        ([1.0, 2, 3, 4, 5], [6.0, 7, 8, 9, 10], 0.0010528257933665399),
        ([10.0, 10.5, 9.8, 10.2], [10.4, 10.9, 10.6, 11.0, 10.7], 0.012525857857772106),
        ([1.0, 2, 3], [1.5, 2.5, 3.5], 0.5733922538253555),
        ([100.0, 101, 99, 100.5, 100.2, 99.8], [103.0, 102.5, 103.4, 102.9, 103.1, 102.7], 2.9057859586679743e-06),
        ([5.0], [6.0, 7.0, 8.0], 0.22540333075851665),
    ])
    func matchesSciPy(a: [Double], b: [Double], p: Double) {
        let c = SegmentComparison(before: a[...], after: b[...])
        #expect(abs(c.pValue - p) <= 1e-9 * max(1, p) + 1e-12, "p = \(c.pValue), SciPy says \(p)")
    }

    @Test func degenerateSegments() {
        // One point each: no degrees of freedom, no evidence.
        #expect(SegmentComparison(before: [1.0][...], after: [2.0][...]).pValue == 1)
        // No variance anywhere: equal means are the same, different means are certainly different.
        #expect(SegmentComparison(before: [3.0, 3, 3][...], after: [3.0, 3][...]).pValue == 1)
        #expect(SegmentComparison(before: [3.0, 3, 3][...], after: [4.0, 4][...]).pValue == 0)
    }

    @Test func magnitudeIsOtavas() {
        // A doubling and a halving are both magnitude 1; relative change keeps the sign.
        let up = SegmentComparison(before: [10.0, 10][...], after: [20.0, 20][...])
        let down = SegmentComparison(before: [20.0, 20][...], after: [10.0, 10][...])
        #expect(up.magnitude == 1 && down.magnitude == 1)
        #expect(up.relativeChange == 1 && down.relativeChange == -0.5)
        // From zero: the relative change is undefined (0), the magnitude still shows the change.
        let fromZero = SegmentComparison(before: [0.0, 0][...], after: [5.0, 5][...])
        #expect(fromZero.relativeChange == 0 && fromZero.magnitude == 1)
    }

    @Test func incompleteBetaKnownValues() {
        // I_x(1, 1) = x; I_x(a, b) + I_{1-x}(b, a) = 1; I_0.5(a, a) = 0.5.
        #expect(abs(Distributions.regularizedIncompleteBeta(x: 0.3, a: 1, b: 1) - 0.3) < 1e-12)
        #expect(abs(Distributions.regularizedIncompleteBeta(x: 0.5, a: 7.5, b: 7.5) - 0.5) < 1e-12)
        let s = Distributions.regularizedIncompleteBeta(x: 0.2, a: 3, b: 0.5) + Distributions.regularizedIncompleteBeta(x: 0.8, a: 0.5, b: 3)
        #expect(abs(s - 1) < 1e-12)
    }
}
