import BenchModel

/// One metric's value in a stored result, with what it takes to read it: unit and direction.
package struct HistoryMetric: Sendable, Codable, Equatable {
    /// Metric key as thresholds and compare name it: `e2e.p99`, `throughput`.
    package var key: String
    /// The value in the metric's base unit (nanoseconds, bytes, per second, …).
    package var value: Double
    package var unit: MetricUnit
    package var direction: MetricDirection
    /// Whether the result's catalogue gates the metric by default (``MetricDescriptor/gated``):
    /// `history check` without `--metric` checks these.
    package var gated: Bool

    package init(key: String, value: Double, unit: MetricUnit, direction: MetricDirection, gated: Bool = false) {
        self.key = key
        self.value = value
        self.unit = unit
        self.direction = direction
        self.gated = gated
    }
}

/// One result as the history keeps it: where and when it was measured, and its summary per metric.
///
/// Built from a `BenchResult` by ``init(result:)``, the only place that reads the result schema.
package struct HistoryRecord: Sendable, Codable, Equatable {
    package var scenario: String
    /// Git commit the measuring binary was built from (`unknown` when not built from a checkout).
    package var commit: String
    /// True when the tree had uncommitted changes: the commit alone does not reproduce the result.
    package var dirty: Bool
    /// ISO 8601 UTC time the measured part started (the result's `started_at`).
    package var startedAt: String
    /// The machine and build the result was measured with; series never mix two fingerprints.
    package var machine: HistoryMachine
    /// `release` or `debug`.
    package var configuration: String
    /// The summary, one entry per metric, in the result's catalogue order.
    package var metrics: [HistoryMetric]

    package init(scenario: String, commit: String, dirty: Bool, startedAt: String, machine: HistoryMachine,
                configuration: String, metrics: [HistoryMetric]) {
        self.scenario = scenario
        self.commit = commit
        self.dirty = dirty
        self.startedAt = startedAt
        self.machine = machine
        self.configuration = configuration
        self.metrics = metrics
    }

    /// The record of `result`: every metric of its summary that has a finite value.
    ///
    /// This is the one function that reads a `BenchResult`; when the result schema changes, only it
    /// changes. Metrics without a value (Φ in a run where Φ never ran, allocations without jemalloc)
    /// and non-finite values are left out: a series simply has no point there.
    package init(result: BenchResult) {
        let summary = result.summary
        let metrics = result.catalogue.descriptors.compactMap { d -> HistoryMetric? in
            guard let v = summary.metric(d.key), v.isFinite else { return nil }
            return HistoryMetric(key: d.key, value: v, unit: d.unit, direction: d.direction, gated: d.gated)
        }
        let b = result.build
        self.init(scenario: result.scenario.name, commit: b.commit, dirty: b.dirty, startedAt: result.startedAt,
                  machine: HistoryMachine(MachineFingerprint(result)), configuration: b.configuration, metrics: metrics)
    }

    /// Identity of the record in a history: a hash of scenario, machine fingerprint, commit and start
    /// time, so adding the same result file twice stores it once, whatever else was re-encoded.
    package var id: String {
        let key = [scenario, machine.hash, commit, startedAt].joined(separator: "\u{1F}")
        return HistoryMachine.hex(SHA256.hash(data: Array(key.utf8)).prefix(16))
    }

    /// The value of metric `key`, if this record has it.
    package func metric(_ key: String) -> HistoryMetric? {
        metrics.first { $0.key == key }
    }
}
