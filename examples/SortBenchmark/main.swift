// A package benchmarking its own code with PhibenchKit: three stages of a sort pipeline
// (generate, sort, verify) under the load of examples/SortBenchmark/sort.yaml.
//
//   swift run -c release SortBenchmark [scenario.yaml] [output-directory]
import Foundation
import PhibenchKit

/// The system under test: sorting `count` pseudo-random integers per episode.
final class SortWorkload: Workload {
    let count: Int
    let vocabulary = WorkloadVocabulary(
        name: "sort",
        stages: [.init("generate"), .init("sort"), .init("verify")],
        samples: ["sort.inversions_per_element"],
        metrics: [MetricDescriptor(key: "sort.inversions_per_element", label: "Adjacent inversions / element",
                                   unit: .ratio, direction: .informational, source: .sampleMean("sort.inversions_per_element"),
                                   summary: "How unsorted the input was (adjacent pairs out of order ÷ elements).")])

    init(count: Int) { self.count = count }

    func makeWorker(id: Int) throws -> Worker { Worker(count: count) }

    struct Worker: WorkloadWorker {
        let count: Int
        var values: [Int] = []

        init(count: Int) {
            self.count = count
            values.reserveCapacity(count)
        }

        mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            // The same episode number always gives the same input.
            var state = episode &* 0x9E37_79B9_7F4A_7C15 | 1
            timings.measure(0) {
                values.removeAll(keepingCapacity: true)
                for _ in 0..<count {
                    state ^= state << 13; state ^= state >> 7; state ^= state << 17
                    values.append(Int(truncatingIfNeeded: state % 1_000_000))
                }
            }
            let inversions = zip(values, values.dropFirst()).reduce(0) { $0 + ($1.0 > $1.1 ? 1 : 0) }
            timings.sample(0, Double(inversions) / Double(max(count, 1)))
            timings.measure(1) { values.sort() }
            let sorted = timings.measure(2) { zip(values, values.dropFirst()).allSatisfy { $0 <= $1 } }
            guard sorted else { throw SortError.notSorted(episode: episode) }
        }
    }

    enum SortError: Error { case notSorted(episode: UInt64) }
}

let arguments = CommandLine.arguments.dropFirst()
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let scenario = arguments.first ?? here.appendingPathComponent("sort.yaml").path
let out = arguments.dropFirst().first ?? "runs/sort"
do {
    let outcome = try Benchmark.run(scenarioFile: scenario, outputDirectory: out) { _, _ in SortWorkload(count: 2_000) }
    print(TerminalSummary.render(outcome.result))
    print("\n  result  \(outcome.files[0].path)")
    exit(outcome.thresholdsPassed ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(2)
}
