import ArgumentParser
import BenchModel
import Foundation
import Harness
import Reports

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine results of the same scenario into one result whose trials are all of theirs.",
        discussion: """
            Results of another build (commit) or machine than the first are refused (exit 2): merged, their \
            difference would pass for noise. --allow-mixed merges them anyway.
            Examples:
              phibench merge runs/ab/A-*/result.json --out runs/ab/A.json
            """)

    @Argument(help: "result.json files of the same scenario.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Where to write the merged result.")
    var out: String

    @Flag(name: .customLong("allow-mixed"), help: "Merge results of different builds or machines anyway.")
    var allowMixed = false

    func run() async throws {
        var results: [BenchResult] = []
        for input in inputs {
            results.append(try loadResult(input))
        }
        let merged: BenchResult
        do { merged = try ResultMerger.merge(results, files: inputs, allowMixed: allowMixed) } catch { throw InputError(error) }
        try writeResult(merged, to: URL(fileURLWithPath: out))
        print("\(out): \(merged.trials.count) trials")
    }
}
