import Statistics

/// A change in a series: from ``index`` on, the values come from a different distribution.
package struct ChangePoint: Sendable, Equatable {
    /// Index of the first point after the change (the first result of the new segment).
    package var index: Int
    /// The segment before (from the previous change point) against the segment after (to the next).
    package var comparison: SegmentComparison

    package init(index: Int, comparison: SegmentComparison) {
        self.index = index
        self.comparison = comparison
    }
}

/// Change-point detection as Apache Otava (formerly Hunter, Fleming et al., ICPE 2023,
/// doi:10.1145/3578244.3583719) does it: E-Divisive means over sliding windows, with Student's
/// t-test as the significance test, then a merge step that drops weak change points.
///
/// 1. **Split.** Windows of ``DetectionOptions/window`` points, each starting half a window after
///    the previous one (or at the last change point found, if later). Within a window, E-Divisive
///    (Matteson & James 2014) repeatedly takes the split τ of a segment that maximises the energy
///    statistic Q̂ (see ``EnergyStatistic``) and keeps it while the t-test of the two parts has
///    p ≤ the first-pass threshold (10 × `maxPValue`). The union over windows is the set of
///    "weak" change points.
/// 2. **Merge.** Each weak change point is re-tested between its neighbours. Repeatedly, the one
///    with the largest p-value above `maxPValue` is removed (its neighbours re-tested, since their
///    segments grew); when all pass, the one with the smallest magnitude is removed if it is not
///    above `minMagnitude`. What remains are the change points.
///
/// Differences from Otava, each on purpose and measured (README, "Keeping a history in CI"):
/// - By default (``DetectionOptions/Test/ranks``) the t-test compares the ranks of the values
///   (Conover & Iman's rank transform), not the values: one result 20% off in a series with 2%
///   noise otherwise inflates a segment's variance enough to hide a real 3% step, and two such
///   results at the end of a series look like a regression. The energy statistic still runs on the
///   values (ranks would blur where a large step is), and means, changes and magnitudes are the
///   values'. ``DetectionOptions/Test/values`` is Otava's test.
/// - A minimum segment length L (``DetectionOptions/minSegment``, like `min.size` of R's
///   `ecp::e.divisive`): every segment, and the right-hand part over which Q̂ is maximised, has at
///   least L points, so a lone outlier can neither be a segment nor pull the split towards itself.
///   L = 1 gives Otava's behaviour.
/// - The t-test uses sample variances (n − 1); Otava passes population standard deviations to
///   SciPy, which makes its p-values slightly smaller than they should be.
/// - After removing a change point in the merge step, both neighbours are re-tested (Otava
///   re-tests the following two, leaving the preceding one with stale statistics).
///
/// With `test: .values`, `minSegment: 1` and those last two Otava quirks put back, this
/// implementation gave the same change points as Otava's `compute_change_points` on 300 of 300
/// random series (60–160 points, 0–2 steps of 3–8% in 2% noise), checked while writing it.
///
/// All functions are pure and deterministic.
package enum ChangePointDetector {
    /// The change points of `values`, in index order. Options out of range are brought into it
    /// (``DetectionOptions/validate()`` says what is wrong with them; callers taking user input use it).
    package static func detect(_ values: [Double], options: DetectionOptions = DetectionOptions()) -> [ChangePoint] {
        var options = options
        options.minSegment = max(1, options.minSegment)
        options.window = max(options.window, 2 * options.minSegment)
        let tested = options.test == .ranks ? ranks(values) : values
        let weak = split(values, tested: tested, options: options)
        return merge(weak, values: values, tested: tested, options: options)
    }

    /// Ranks 1…n of `values`, ties sharing their mean rank.
    static func ranks(_ values: [Double]) -> [Double] { Descriptive.midRanks(values).ranks }

    /// The split step: weak change-point indices, sorted, at least `minSegment` apart and from the ends.
    static func split(_ values: [Double], tested: [Double], options: DetectionOptions) -> [Int] {
        let n = values.count
        let step = max(1, options.window / 2)
        var found: [Int] = []
        var start = 0
        while start < n {
            let end = min(start + options.window, n)
            let inWindow = EnergyStatistic.eDivisive(values, tested: tested, start: start, end: end,
                                                     maxPValue: options.firstPassPValue, minSegment: options.minSegment)
            start = max(inWindow.last ?? 0, start + step)
            // Overlapping windows find the same change again, sometimes a point or two off; the first
            // one found stands, so no segment of the union is shorter than L.
            for i in inWindow where !found.contains(where: { abs($0 - i) < options.minSegment }) {
                found.append(i)
            }
        }
        return found.sorted()
    }

    /// The merge step: keeps the weak change points that are significant at `maxPValue` and larger
    /// than `minMagnitude` once tested against their final neighbours.
    static func merge(_ weak: [Int], values: [Double], tested: [Double], options: DetectionOptions) -> [ChangePoint] {
        var indices = weak
        var tests = indices.indices.map { test(indices, at: $0, values: values, tested: tested, options: options) }
        while !indices.isEmpty {
            var weakest = tests.indices.max { tests[$0].pValue < tests[$1].pValue }!
            if tests[weakest].pValue <= options.maxPValue {
                weakest = tests.indices.min { tests[$0].magnitude < tests[$1].magnitude }!
                if tests[weakest].magnitude > options.minMagnitude { break }
            }
            indices.remove(at: weakest)
            tests.remove(at: weakest)
            // The two neighbours of the removed point now span its segments: test them again.
            for i in [weakest - 1, weakest] where indices.indices.contains(i) {
                tests[i] = test(indices, at: i, values: values, tested: tested, options: options)
            }
        }
        return zip(indices, tests).map { ChangePoint(index: $0, comparison: $1) }
    }

    /// The change point at `indices[i]` tested between its neighbours (or the ends of the series).
    private static func test(_ indices: [Int], at i: Int, values: [Double], tested: [Double], options: DetectionOptions) -> SegmentComparison {
        let lo = i > 0 ? indices[i - 1] : 0
        let hi = i + 1 < indices.count ? indices[i + 1] : values.count
        var c = SegmentComparison(before: values[lo..<indices[i]], after: values[indices[i]..<hi])
        if options.test == .ranks {
            c.pValue = SegmentComparison(before: tested[lo..<indices[i]], after: tested[indices[i]..<hi]).pValue
        }
        return c
    }
}
