import ArgumentParser
import BenchModel
import Foundation
import Harness
import Reports

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Make report.html, summary.csv, timeseries.csv and summary.md from stored results.",
        discussion: """
            Several results in one report overlay their curves. A timeseries.jsonl from a soak (even one \
            killed with -9) is rebuilt into a result first; a directory means its result.json, or its \
            timeseries.jsonl when there is no result.json.
            Examples:
              phibench report runs/smoke/result.json
              phibench report runs/before/result.json runs/after/result.json --out runs/both
              phibench report runs/soak/timeseries.jsonl
            """)

    @Argument(help: "result.json files, timeseries.jsonl logs or run directories.")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output directory (default: the input's directory when there is one input).")
    var out: String?

    func run() async throws {
        var results: [BenchResult] = []
        var sources: [URL?] = []
        for input in inputs {
            let url = try resolve(input)
            sources.append(url.deletingLastPathComponent())
            if url.pathExtension == "jsonl" {
                do {
                    let rebuilt = try TimeseriesLog.rebuild(from: url)
                    // Keep the rebuilt result beside the log, so compare and later reports can use it.
                    let saved = url.deletingLastPathComponent().appendingPathComponent("result-rebuilt.json")
                    try? ResultCodec.write(rebuilt, to: saved)
                    results.append(rebuilt)
                } catch {
                    throw InputError(error)
                }
            } else {
                results.append(try loadResult(url.relativePath))
            }
        }
        let dir: URL
        if let out {
            dir = URL(fileURLWithPath: out, isDirectory: true)
        } else if results.count == 1, let source = sources[0] {
            dir = source
        } else {
            throw ValidationError("with several inputs, say where the report goes with --out DIR")
        }
        let written: [URL]
        do {
            written = try ReportWriter.write(results: results, to: dir, options: reportOptions(sources: sources))
        } catch {
            throw InputError(error)
        }
        for url in written { print(url.relativePath) }
    }

    /// A file as given, or the result (or log) inside a run directory.
    private func resolve(_ input: String) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw InputError("\(input): no such file or directory; expected a result.json, a timeseries.jsonl or a run directory")
        }
        guard isDirectory.boolValue else { return URL(fileURLWithPath: input) }
        for name in ["result.json", "timeseries.jsonl"] {
            let candidate = URL(fileURLWithPath: input).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        throw InputError("\(input): a directory without result.json or timeseries.jsonl")
    }
}
