/// Settings of the change-point detector. The defaults are Apache Otava's (window 50, p ≤ 0.001,
/// no minimum magnitude) plus a minimum segment length of 3, so that one or two outliers in a row
/// are never a change point, and the t-test on ranks, so that outliers neither hide a change nor
/// make one (see ``ChangePointDetector``).
package struct DetectionOptions: Sendable, Equatable, Codable {
    /// Points per sliding window of the split step (Otava's `window_len`, default 50). Windows
    /// overlap by half; a change is looked for within each.
    package var window: Int
    /// Largest p-value of the t-test for a change point to be kept (Otava's `max_pvalue`, default
    /// 0.001). The split step uses a first-pass threshold ten times larger, as Otava does.
    package var maxPValue: Double
    /// Smallest relative change of the segment means for a change point to be kept, as a fraction
    /// (0.01 = 1%; Otava's `min_magnitude`, default 0).
    package var minMagnitude: Double
    /// Fewest points on each side of a change point (default 3): a change must hold for this many
    /// results in a row. Also the number of results after a change before it can be seen.
    package var minSegment: Int

    /// What the t-test is computed on (the energy statistic always uses the values).
    package enum Test: String, Sendable, Codable, CaseIterable {
        /// The values, as Otava does.
        case values
        /// The ranks of the values (Conover & Iman's rank transform): a lone outlier has bounded weight.
        /// The default.
        case ranks
    }

    /// Default ``Test/ranks``.
    package var test: Test

    package init(window: Int = 50, maxPValue: Double = 0.001, minMagnitude: Double = 0, minSegment: Int = 3, test: Test = .ranks) {
        self.test = test
        self.window = window
        self.maxPValue = maxPValue
        self.minMagnitude = minMagnitude
        self.minSegment = minSegment
    }

    /// The first-pass threshold of the split step: 10× `maxPValue` below 0.05, 2× below 0.5
    /// (Otava's rule), so weak candidates survive until the merge step judges them together.
    package var firstPassPValue: Double {
        maxPValue < 0.05 ? maxPValue * 10 : maxPValue < 0.5 ? maxPValue * 2 : maxPValue
    }

    /// Checks every setting's range.
    /// - Throws: ``HistoryError/invalidOption(_:)`` naming the setting and the allowed range.
    package func validate() throws(HistoryError) {
        guard minSegment >= 1, minSegment <= 500 else {
            throw .invalidOption("minimum segment length must be between 1 and 500, got \(minSegment)")
        }
        guard window >= 2 * minSegment, window <= 1000 else {
            throw .invalidOption("window must be at least twice the minimum segment length (\(2 * minSegment)) and at most 1000, got \(window)")
        }
        guard maxPValue > 0, maxPValue < 1 else {
            throw .invalidOption("maximum p-value must be between 0 and 1 (exclusive), got \(maxPValue)")
        }
        guard minMagnitude >= 0, minMagnitude.isFinite else {
            throw .invalidOption("minimum magnitude must be a fraction ≥ 0, got \(minMagnitude)")
        }
    }
}
