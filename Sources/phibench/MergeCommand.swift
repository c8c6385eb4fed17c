import ArgumentParser
import BenchModel
import Foundation
import Harness
import Reports

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine results of the same scenario: trials into one result, or the segments of a distributed test into the whole test.",
        discussion: """
            Trial results of another build (commit) or machine than the first are refused (exit 2): merged, \
            their difference would pass for noise. --allow-mixed merges them anyway.
            Segment results (run --segment; the generators may be different machines) merge into the result of the whole test: histograms added \
            exactly, rates summed, intervals aligned by wall-clock time, and the scenario's thresholds \
            evaluated on the merged result (exit 1 when one fails). Refused (exit 2, naming the file): \
            different scenarios or builds, duplicated or overlapping segments, and missing segments \
            unless --partial (the result is then marked partial and names them). A file may also be a \
            pod's log holding a result (distribute --kubernetes).
            Examples:
              phibench merge runs/ab/A-*/result.json --out runs/ab/A.json
              phibench merge runs/dist/segment-*/result.json --out runs/dist/merged
            """)

    @Argument(help: "result.json files of the same scenario.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Where to write the merged result.")
    var out: String

    @Flag(name: .customLong("allow-mixed"), help: "Merge results of different builds or machines anyway.")
    var allowMixed = false

    @Flag(help: "Segments: merge even when some are missing; the result is marked partial and names them.")
    var partial = false

    @Flag(help: "Segments: no summary table.")
    var quiet = false

    func run() async throws {
        var results: [BenchResult] = []
        for input in inputs {
            results.append(try loadResult(input))
        }
        if results.contains(where: { $0.segment != nil }) {
            let status = try mergeSegments(results, files: inputs, into: URL(fileURLWithPath: out), partial: partial, quiet: quiet)
            if status != 0 { throw ExitCode(status) }
            return
        }
        let merged: BenchResult
        do { merged = try ResultMerger.merge(results, files: inputs, allowMixed: allowMixed) } catch { throw InputError(error) }
        try writeResult(merged, to: URL(fileURLWithPath: out))
        print("\(out): \(merged.trials.count) trials")
    }
}

/// Merges segment results into `dir` (result.json and the reports), prints the verdict and returns
/// the exit status: 1 when a threshold fails on the merged result, else 0.
/// - Throws: ``InputError`` (exit 2) when the segments cannot be merged.
func mergeSegments(_ results: [BenchResult], files: [String], into dir: URL, partial: Bool, quiet: Bool) throws -> Int32 {
    let merged: BenchResult
    do { merged = try SegmentMerger.merge(results, files: files, allowPartial: partial) } catch { throw InputError(error) }
    try createOutputDirectory(dir)
    try writeResult(merged, to: dir.appendingPathComponent("result.json"))
    let reportNote = writeReports(for: merged, in: dir)
    if !quiet {
        print(TerminalSummary.render(merged))
        if let d = merged.distributed {
            print("")
            for s in d.segments {
                let state = s.partial ? "cut short" : "complete"
                let health = s.health.saturated ? "SATURATED (\(s.health.reasons.joined(separator: "; ")))" : "healthy"
                print("  segment \(s.segment)  \(s.episodes) episodes  \(state)  generator \(health)  \(s.file)")
            }
            if !d.missing.isEmpty { print("  missing \(d.missing.map(\.description).joined(separator: ", "))") }
            if d.partial { print("  PARTIAL: the merged figures do not cover the whole test") }
        }
        print("\n  result  \(dir.appendingPathComponent("result.json").relativePath)")
        print(reportNote)
    }
    return merged.thresholds.contains(where: { !$0.passed }) ? 1 : 0
}
