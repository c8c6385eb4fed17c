import BenchModel
import Foundation
import GRDB
import History
@testable import Reports
import Statistics

/// Seeded noise for synthetic histories (SplitMix64 underneath): the same seed gives the same series.
struct Noise {
    private var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 7) }

    mutating func uniform() -> Double { Double(rng.next() >> 11) / Double(UInt64(1) << 53) }

    /// A standard normal deviate (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    mutating func int(below n: Int) -> Int { Int(rng.next() % UInt64(n)) }
}

/// A synthetic benchmark series: `base` with Gaussian noise of relative sd `noise`, multiplied by
/// `1 + step` from index `stepAt` on, and `outliers` single points off by 10–25% (either way), never
/// next to each other nor within two points of the step; then the `slowAtEnd` newest points made
/// 15–25% slower (a noisy runner for the last runs).
struct SyntheticSeries {
    var count = 60
    var stepAt = 30
    var step = 0.03
    var noise = 0.02
    var outliers = 3
    var slowAtEnd = 0
    var base = 1_000_000.0

    func make(seed: UInt64) -> (values: [Double], outliers: [Int]) {
        var g = Noise(seed: seed)
        var values = (0..<count).map { i in base * (1 + (i >= stepAt ? step : 0)) * (1 + noise * g.normal()) }
        var placed: [Int] = []
        while placed.count < outliers {
            let i = g.int(below: count)
            guard abs(i - stepAt) > 2, !placed.contains(where: { abs($0 - i) < 2 }) else { continue }
            let size = 0.10 + 0.15 * g.uniform()
            values[i] *= g.uniform() < 0.5 ? 1 + size : 1 - size
            placed.append(i)
        }
        for k in 0..<min(slowAtEnd, count) {
            values[count - 1 - k] *= 1.15 + 0.1 * g.uniform()
            placed.append(count - 1 - k)
        }
        return (values, placed.sorted())
    }
}

/// Builds history records without a result file.
enum Records {
    static let machineA = HistoryMachine(cpuModel: "AMD EPYC 7B13", cores: 2, kernel: "6.8.0", os: "Ubuntu 24.04",
                                             configuration: "release", jemalloc: true)
    static let machineB = HistoryMachine(cpuModel: "Intel Xeon 8375C", cores: 4, kernel: "6.8.0", os: "Ubuntu 24.04",
                                             configuration: "release", jemalloc: true)

    /// Commit ids `c000`, `c001`, … and start times one hour apart from 2025-01-01.
    static func commit(_ i: Int) -> String { "c" + String(repeating: "0", count: max(0, 3 - String(i).count)) + String(i) }

    static func startedAt(_ i: Int) -> String {
        let date = Date(timeIntervalSince1970: 1_735_689_600 + Double(i) * 3600)
        return ISO8601DateFormatter().string(from: date)
    }

    /// One record per value of `series`, metric by metric (`e2e.p99` lower is better, `throughput`
    /// higher is better).
    static func history(_ series: [String: [Double]], scenario: String = "bench", machine: HistoryMachine = machineA) -> [HistoryRecord] {
        let n = series.values.map(\.count).max() ?? 0
        return (0..<n).map { i in
            let metrics = series.keys.sorted().compactMap { key -> HistoryMetric? in
                guard i < series[key]!.count else { return nil }
                let higher = key == "throughput"
                return HistoryMetric(key: key, value: series[key]![i], unit: higher ? .perSecond : .nanoseconds,
                                     direction: higher ? .higherIsBetter : .lowerIsBetter)
            }
            return HistoryRecord(scenario: scenario, commit: commit(i), dirty: false, startedAt: startedAt(i), machine: machine,
                                 configuration: "release", metrics: metrics)
        }
    }
}

/// Raw SQL on an SQLite history, to tamper with it behind phibench's back.
struct SQLiteScratch {
    let queue: DatabaseQueue

    init(path: String) throws { queue = try DatabaseQueue(path: path) }

    func execute(_ sql: String) throws { try queue.write { try $0.execute(sql: sql) } }
}
