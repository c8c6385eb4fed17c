import BenchModel

/// Which results a series holds: one metric of one scenario on one machine fingerprint.
package struct SeriesKey: Sendable, Hashable, Codable {
    package var scenario: String
    /// ``HistoryMachine/hash``.
    package var fingerprint: String
    package var metric: String

    package init(scenario: String, fingerprint: String, metric: String) {
        self.scenario = scenario
        self.fingerprint = fingerprint
        self.metric = metric
    }
}

/// One result's value in a series.
package struct SeriesPoint: Sendable, Equatable, Codable {
    package var commit: String
    package var dirty: Bool
    package var startedAt: String
    package var value: Double

    package init(commit: String, dirty: Bool, startedAt: String, value: Double) {
        self.commit = commit
        self.dirty = dirty
        self.startedAt = startedAt
        self.value = value
    }
}

/// A metric's values across commits, in the order they were measured.
package struct MetricSeries: Sendable, Equatable {
    package var key: SeriesKey
    package var machine: HistoryMachine
    package var unit: MetricUnit
    package var direction: MetricDirection
    package var points: [SeriesPoint]

    package init(key: SeriesKey, machine: HistoryMachine, unit: MetricUnit, direction: MetricDirection, points: [SeriesPoint]) {
        self.key = key
        self.machine = machine
        self.unit = unit
        self.direction = direction
        self.points = points
    }

    package var values: [Double] { points.map(\.value) }

    /// One series per metric × scenario × machine fingerprint, never mixing two of them.
    ///
    /// Points are ordered by start time, then commit (results of one commit measured at the same
    /// instant keep a stable order). Series come out by scenario, then fingerprint (in order of first
    /// appearance), then metric in the catalogue order of the newest record that has them.
    /// Unit and direction are the newest record's.
    package static func extract(from records: [HistoryRecord]) -> [MetricSeries] {
        let ordered = records.sorted { ($0.startedAt, $0.commit, $0.id) < ($1.startedAt, $1.commit, $1.id) }
        var groups: [String: [String: [HistoryRecord]]] = [:]  // scenario → fingerprint → records
        var fingerprintOrder: [String] = []
        for r in ordered {
            groups[r.scenario, default: [:]][r.machine.hash, default: []].append(r)
            if !fingerprintOrder.contains(r.machine.hash) { fingerprintOrder.append(r.machine.hash) }
        }
        var out: [MetricSeries] = []
        for scenario in groups.keys.sorted() {
            let byMachine = groups[scenario]!
            for fingerprint in fingerprintOrder {
                guard let rs = byMachine[fingerprint], let newest = rs.last else { continue }
                var metricOrder = newest.metrics.map(\.key)
                for r in rs.reversed() {
                    for m in r.metrics where !metricOrder.contains(m.key) { metricOrder.append(m.key) }
                }
                for metric in metricOrder {
                    let samples = rs.compactMap { r in r.metric(metric).map { (r, $0) } }
                    guard let latest = samples.last?.1 else { continue }
                    out.append(MetricSeries(
                        key: SeriesKey(scenario: scenario, fingerprint: fingerprint, metric: metric), machine: newest.machine,
                        unit: latest.unit, direction: latest.direction,
                        points: samples.map { SeriesPoint(commit: $0.0.commit, dirty: $0.0.dirty, startedAt: $0.0.startedAt, value: $0.1.value) }))
                }
            }
        }
        return out
    }
}
