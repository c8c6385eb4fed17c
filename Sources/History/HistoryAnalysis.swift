import BenchModel
import Statistics

/// Whether a change is good or bad news, by the metric's direction.
package enum ChangeKind: String, Sendable, Codable {
    /// The metric moved the bad way (latency up, throughput down).
    case regression
    /// The metric moved the good way.
    case improvement
    /// An informational metric moved; neither good nor bad.
    case change

    /// The kind of a move from `before` to `after` for a metric with `direction`.
    package init(direction: MetricDirection, before: Double, after: Double) {
        switch direction {
        case .informational: self = .change
        case .lowerIsBetter: self = after > before ? .regression : .improvement
        case .higherIsBetter: self = after < before ? .regression : .improvement
        }
    }
}

/// A change point of a series, placed at the commit it starts at.
package struct SeriesChange: Sendable, Equatable {
    package var changePoint: ChangePoint
    package var kind: ChangeKind
    /// The point that starts the new segment: its commit is where the change starts.
    package var first: SeriesPoint
    /// The last point before the change (the last commit with the old behaviour).
    package var lastBefore: SeriesPoint

    package var index: Int { changePoint.index }
    package var comparison: SegmentComparison { changePoint.comparison }
}

/// A series with the change points found in it.
package struct SeriesAnalysis: Sendable, Equatable {
    package var series: MetricSeries
    package var changes: [SeriesChange]

    /// Detects the change points of `series` with `options` and classifies them by direction.
    package init(series: MetricSeries, options: DetectionOptions) {
        self.series = series
        self.changes = ChangePointDetector.detect(series.values, options: options).map { cp in
            let c = cp.comparison
            return SeriesChange(changePoint: cp, kind: ChangeKind(direction: series.direction, before: c.meanBefore, after: c.meanAfter),
                                first: series.points[cp.index], lastBefore: series.points[cp.index - 1])
        }
    }

    /// Analyses every series extracted from `records` whose metric is in `metrics` (all when nil).
    /// - Throws: ``HistoryError/invalidOption(_:)`` when `options` is out of range.
    package static func analyze(_ records: [HistoryRecord], metrics: Set<String>? = nil,
                               options: DetectionOptions) throws(HistoryError) -> [SeriesAnalysis] {
        try options.validate()
        return MetricSeries.extract(from: records)
            .filter { metrics?.contains($0.key.metric) ?? true }
            .map { SeriesAnalysis(series: $0, options: options) }
    }
}

/// A regression the newest results start: what `phibench history check` fails on.
package struct RegressionFinding: Sendable, Equatable {
    package var series: MetricSeries
    package var change: SeriesChange
    /// How many results of the series are on the new side of the change (the newest ones).
    package var resultsSince: Int
}

/// The check behind `phibench history check`.
package enum HistoryCheck {
    /// The series whose most recent change point is a regression that starts among their newest
    /// `recent` results: a regression the latest commits introduced and that is still there.
    ///
    /// A regression followed by a later change (a fix, or an unrelated improvement) is history, not a
    /// finding; an older regression that nobody fixed stops failing the check after `recent` more
    /// results, so a change accepted on purpose does not fail CI forever.
    package static func regressions(in analyses: [SeriesAnalysis], recent: Int) -> [RegressionFinding] {
        analyses.compactMap { a in
            guard let last = a.changes.last, last.kind == .regression else { return nil }
            let since = a.series.points.count - last.index
            return since <= recent ? RegressionFinding(series: a.series, change: last, resultsSince: since) : nil
        }
    }
}
