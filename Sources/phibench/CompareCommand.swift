import ArgumentParser
import BenchModel
import Foundation
import Gate
import Reports

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two results (before/after) metric by metric, with a statistical verdict.",
        discussion: """
            Each metric gets before and after (medians over trials), change %, a two-sided Mann–Whitney U \
            p-value over the trials and a bootstrap confidence interval of the change, and a verdict: \
            improved, regressed, unchanged, inconclusive or below detection limit. A regression needs p < alpha \
            AND a change beyond --threshold in the bad direction; with one trial per side nothing is ever called \
            a regression. Every gated metric states its minimum detectable effect (MDE): the smallest change the \
            gate catches with --power, from the trials' noise (or --calibration's). "Unchanged" says what it would \
            have seen; when the MDE exceeds the threshold the metric is "below detection limit".
            Examples:
              phibench compare runs/base/result.json runs/new/result.json
              phibench compare before.json after.json --threshold 10% --format md --out runs/cmp
              phibench compare before.json after.json --gate e2e.p99 --gate throughput
            Exit status 1 when a gated metric regressed, 2 on unreadable or mismatched inputs.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, md, json
    }

    @Argument(help: "The result before the change (result.json).")
    var before: String

    @Argument(help: "The result after the change (result.json).")
    var after: String

    @Option(parsing: .unconditional,
            help: "Smallest change that counts (also the regression threshold): a percentage like 5% or a fraction like 0.05, strictly between 0 and 100%.")
    var threshold = PercentageArgument(argument: "5%")!

    @Option(parsing: .unconditional, help: "Significance level of the Mann–Whitney U test, strictly between 0 and 1.")
    var alpha = 0.05

    @Option(help: ArgumentHelp("Metric pattern whose regression fails the compare (repeatable; `*` matches a stage; `none` gates nothing).",
                               valueName: "PATTERN"))
    var gate: [String] = []

    @Option(parsing: .unconditional,
            help: "Latency changes smaller than this duration are never a change (clock ticks are not regressions), e.g. 100ns.")
    var latencyFloor = DurationArgument(argument: "100ns")!

    @Option(help: "Output format on stdout.")
    var format: Format = .text

    @Option(help: "Also write the comparison as GitHub Markdown to this file (under 60,000 characters: a pull-request comment or a job summary).")
    var markdown: String?

    @Option(name: .shortAndLong, help: "Also write compare.html, compare.md and compare.json here.")
    var out: String?

    @Flag(help: "Compare results of different scenarios or schema versions anyway.")
    var force = false

    @Option(help: "An A/A calibration (phibench calibrate) of this scenario on this machine: its noise gives each gated metric's MDE.")
    var calibration: String?

    @Option(parsing: .unconditional, help: "The power each gated metric's minimum detectable effect (MDE) is computed at, e.g. 0.9.")
    var power = 0.9

    func validate() throws {
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be strictly between 0 and 1, got \(alpha)") }
        guard power > 0.5, power < 1 else { throw ValidationError("--power must be strictly between 0.5 and 1, got \(power)") }
    }

    func run() async throws {
        let a = try load(before)
        let b = try load(after)
        var options = CompareOptions(threshold: threshold.fraction, alpha: alpha,
                                     latencyFloorNanoseconds: latencyFloor.seconds * 1e9, force: force, power: power)
        if let calibration {
            do { options.calibration = try Calibration.load(URL(fileURLWithPath: calibration)) } catch { throw InputError(error) }
        }
        if !gate.isEmpty { options.gate = gate == ["none"] ? [] : gate }
        let report: ComparisonReport
        do {
            report = try Comparison.compare(before: a, after: b, options: options)
        } catch {
            throw InputError(error)
        }
        switch format {
        case .text: print(report.text())
        case .md: print(report.markdown())
        case .json: print(try report.json())
        }
        if let markdown {
            do {
                try Data(report.markdown(limit: 60_000).utf8).write(to: URL(fileURLWithPath: markdown), options: .atomic)
            } catch {
                throw InputError("\(markdown): cannot write: \(error.localizedDescription)")
            }
        }
        if let out {
            let dir = URL(fileURLWithPath: out, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let sources = [before, after].map { URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent() }
                let written = try CompareWriter.write(report, before: a, after: b, to: dir, sourceDirectories: sources)
                if format == .text, written.contains(where: { $0.lastPathComponent == "diff-flame.svg" }) {
                    print("\n  differential flame graph of the two profiles  \(dir.appendingPathComponent("diff-flame.svg").relativePath)")
                }
            } catch {
                throw InputError("\(out): cannot write the comparison: \(error)")
            }
            if format == .text { print("\n  compare.html  \(dir.appendingPathComponent("compare.html").relativePath)") }
        }
        if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
    }

    private func load(_ path: String) throws -> BenchResult {
        try loadResult(path)
    }
}
