import BenchModel
import Synchronization

/// A kind of event a workload counts (a fault, an error by kind): its counter key and what it means.
protocol CounterKind: CaseIterable, Sendable where AllCases == [Self] {
    var key: String { get }
    var summary: String { get }
    /// Charted over time in the report.
    var series: Bool { get }
}

extension CounterKind {
    var series: Bool { false }

    /// One counter metric per kind, in declaration order.
    static var descriptors: [MetricDescriptor] {
        allCases.map {
            MetricDescriptor(key: $0.key, label: $0.key, unit: .count, direction: .lowerIsBetter, source: .counter($0.key),
                             summary: $0.summary, series: $0.series, origin: .workload)
        }
    }
}

/// Counts events by kind; readable from the sampler thread. A mutex, not atomics: these move only
/// when something went wrong, never on a clean episode.
final class EventCounters<Kind: CounterKind & Equatable>: Sendable {
    private let values = Mutex<[UInt64]>(Array(repeating: 0, count: Kind.allCases.count))

    func add(_ kind: Kind, _ n: UInt64 = 1) {
        let i = Kind.allCases.firstIndex(of: kind)!
        values.withLock { $0[i] &+= n }
    }

    func value(_ kind: Kind) -> UInt64 {
        let i = Kind.allCases.firstIndex(of: kind)!
        return values.withLock { $0[i] }
    }

    /// Every counter by key, for ``Workload/statistics()``.
    var statistics: WorkloadStatistics {
        let snapshot = values.withLock { $0 }
        return WorkloadStatistics(values: Dictionary(uniqueKeysWithValues: zip(Kind.allCases.map(\.key), snapshot.map { Double($0) })))
    }
}
