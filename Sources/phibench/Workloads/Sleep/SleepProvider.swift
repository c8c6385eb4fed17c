import BenchModel
import Foundation

/// An example workload provider: two stages that each sleep for a set number of microseconds.
/// It shows everything a provider brings, in one folder plus its line in ``Phibench/workloads``:
/// its scenario section (`sleep: { stage_a_us: 20, stage_b_us: 30 }`) with its own checks and
/// messages, its vocabulary, and how each trial's workload is made. A scenario with a `sleep:`
/// section runs it without `--workload sleep`.
struct SleepProvider: WorkloadProvider {
    /// The settings of `sleep:`, with their defaults (µs).
    static let defaults = ["stage_a_us": 20, "stage_b_us": 30]
    /// The longest sleep a stage may take: one second.
    static let maxMicroseconds = 1_000_000

    var name: String { "sleep" }

    var sections: [WorkloadSection] { [WorkloadSection("sleep", example: "stage_a_us: 20, stage_b_us: 30")] }

    var parameters: [WorkloadParameter] {
        Self.defaults.keys.sorted().map { key in
            WorkloadParameter(name: "sleep.\(key)", defaultValue: "\(Self.defaults[key]!)",
                              description: "µs the stage \(key.dropLast(3)) sleeps each episode (0 to \(Self.maxMicroseconds))")
        }
    }

    func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload {
        var micros = Self.defaults
        let keys = Self.defaults.keys.sorted()
        for (key, text) in settings.sorted(by: { $0.key < $1.key }) {
            let field = key.hasPrefix("sleep.") ? String(key.dropFirst("sleep.".count)) : key
            guard Self.defaults[field] != nil else {
                let hint = KeySuggestion.closest(to: field, among: keys).map { "did you mean `sleep.\($0)`? " } ?? ""
                throw WorkloadSettingError(key: key, "unknown key; \(hint)the sleep workload has \(keys.map { "sleep.\($0)" }.joined(separator: ", "))")
            }
            guard let value = Int(text), (0...Self.maxMicroseconds).contains(value) else {
                throw WorkloadSettingError(key: key, "got \"\(text)\", expected a whole number of microseconds from 0 to \(Self.maxMicroseconds)")
            }
            micros[field] = value
        }
        return Prepared(stageA: UInt64(micros["stage_a_us"]!), stageB: UInt64(micros["stage_b_us"]!))
    }

    /// Checked settings: how long each stage sleeps.
    struct Prepared: PreparedWorkload {
        let stageA: UInt64
        let stageB: UInt64

        var vocabulary: WorkloadVocabulary {
            WorkloadVocabulary(name: "sleep", stages: [.init("stage_a", summary: "sleeps sleep.stage_a_us µs"),
                                                       .init("stage_b", summary: "sleeps sleep.stage_b_us µs")])
        }

        func makeWorkload(_ context: WorkloadContext) -> SleepWorkload {
            SleepWorkload(vocabulary: vocabulary, microseconds: [stageA, stageB])
        }
    }
}

/// Each episode sleeps in stage_a, then in stage_b.
final class SleepWorkload: Workload {
    let vocabulary: WorkloadVocabulary
    let microseconds: [UInt64]

    init(vocabulary: WorkloadVocabulary, microseconds: [UInt64]) {
        self.vocabulary = vocabulary
        self.microseconds = microseconds
    }

    func makeWorker(id: Int) -> Worker { Worker(microseconds: microseconds) }

    struct Worker: WorkloadWorker {
        let microseconds: [UInt64]

        mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) {
            for (stage, us) in microseconds.enumerated() {
                timings.measure(stage) {
                    var request = timespec(tv_sec: Int(us / 1_000_000), tv_nsec: Int(us % 1_000_000) * 1000)
                    var remaining = timespec()
                    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
                }
            }
        }
    }
}
