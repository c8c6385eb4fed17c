import ArgumentParser
import BenchModel
import Foundation
import Gate
import Harness
import Reports

struct ABCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ab",
        abstract: "Sequential A/B of two builds (or two settings) on this machine: many short workload instances, interleaved in random order, stopped as soon as the answer is clear.",
        discussion: """
            Runs processes of side A and side B in rounds (one process a side, the order drawn per round from \
            --seed), each process running --instances fresh workload instances (trials). After the first \
            --first-look processes a side and then after every --block, every gated metric is tested: per process \
            the geometric mean of its instances, Yuen's t between the sides (Welch's on the means of each side with \
            --trim of its processes cut from each end, so a few processes the host disturbed as a whole decide \
            nothing), against group-sequential boundaries \
            (Lan–DeMets spending), so the repeated looks add no false alarms. It stops as soon as one gated metric \
            regressed (exit 1) or every one is ruled within the threshold, and otherwise when the --budget allows no \
            further block ("inconclusive", with the MDE reached, exit 0). False alarms are controlled for the family \
            of gated metrics together (--alpha, weighted Bonferroni with the --primary metric first); the rest of \
            the table is informational with Benjamini–Hochberg control.
            Writes ab.json (design, every look, every process's per-instance values), ab.md, A.json and B.json \
            (each side merged) and compare/ (the full table) under --out.
            Examples:
              phibench ab scenarios/gate.yaml --a .ab/A-phibench --b .ab/B-phibench --out runs/ab
              phibench ab scenarios/memory-before.yaml --b-scenario scenarios/memory-adaptive-after.yaml --gate e2e.p50
              phibench ab scenarios/gate.yaml --b-set "inject+={slow: MEA, extra: 150ns}" --budget 5m
            Exit status 0 pass or inconclusive, 1 a gated metric regressed, 2 bad input or a side failed, \
            130/143 interrupted (what was measured is still written).
            """)

    @Argument(help: "Scenario file (YAML) both sides run (side A runs --a-scenario when given).")
    var scenario: String

    @Option(help: "Side A's phibench binary (default: this one).")
    var a: String?
    @Option(help: "Side B's phibench binary (default: this one).")
    var b: String?
    @Option(name: .customLong("a-scenario"), help: "Side A's scenario file, when it differs (an older build's copy).")
    var aScenario: String?
    @Option(name: .customLong("b-scenario"), help: "Side B's scenario file, when it differs.")
    var bScenario: String?
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario value on both sides.", valueName: "KEY=VALUE"))
    var overrides: [String] = []
    @Option(name: .customLong("a-set"), help: ArgumentHelp("Override a scenario value on side A only.", valueName: "KEY=VALUE"))
    var aOverrides: [String] = []
    @Option(name: .customLong("b-set"), help: ArgumentHelp("Override a scenario value on side B only.", valueName: "KEY=VALUE"))
    var bOverrides: [String] = []
    @Option(name: .customLong("a-env"), help: ArgumentHelp("Environment for side A's processes.", valueName: "NAME=VALUE"))
    var aEnvironment: [String] = []
    @Option(name: .customLong("b-env"), help: ArgumentHelp("Environment for side B's processes.", valueName: "NAME=VALUE"))
    var bEnvironment: [String] = []
    @Option(name: .customLong("a-label"), help: "Name shown for side A.")
    var aLabel = "A"
    @Option(name: .customLong("b-label"), help: "Name shown for side B.")
    var bLabel = "B"

    @Option(parsing: .unconditional, help: "Workload instances (trials) per process, 1…100.")
    var instances = 2
    @Option(name: .customLong("first-look"), parsing: .unconditional, help: "Processes a side before the first look.")
    var firstLook = 6
    @Option(parsing: .unconditional, help: "Processes a side between looks.")
    var block = 2
    @Option(name: .customLong("max-processes"), parsing: .unconditional, help: "The most processes a side.")
    var maxProcesses = 60
    @Option(parsing: .unconditional, help: "Seed of the per-round order (recorded in ab.json).")
    var seed: UInt64 = 0x5EED_AB
    @OptionGroup var rule: GateRuleOptions
    @Option(parsing: .unconditional, help: "Power at --threshold, e.g. 90%.")
    var power = PercentageArgument(argument: "90%")!
    @Option(help: "The primary metric: always gated, it gets --primary-share of --alpha (default e2e.min where reported).")
    var primary: String?

    /// e2e.min: the power table on this machine (README) chose it — per instance ±5% against e2e p50's
    /// ±18%, so it resolves a 5% slowdown within the budget where e2e p50 cannot.
    static let defaultPrimary = MetricKey.e2e(.min)
    @Option(name: .customLong("primary-share"), parsing: .unconditional, help: "The primary metric's share of --alpha, e.g. 0.5.")
    var primaryShare = 0.5
    @Option(help: ArgumentHelp("Gated metric pattern (repeatable; `*` matches a stage). Default: the catalogue's gated metrics.",
                               valueName: "PATTERN"))
    var gate: [String] = []
    @Flag(help: "Run the whole plan without stopping early (calibrations, power studies).")
    var fixed = false
    @Option(name: .shortAndLong, help: "Directory for ab.json, ab.md, each process's run, the merged sides and the compare.")
    var out = "runs/ab"
    @Option(help: "Also write the gate's Markdown (ab.md) to this file, e.g. for a pull request.")
    var markdown: String?

    func validate() throws {
        for (name, list) in [("--a-env", aEnvironment), ("--b-env", bEnvironment)] {
            for e in list where !e.contains("=") || e.hasPrefix("=") {
                throw ValidationError("\(name) \(e): expected NAME=VALUE")
            }
        }
        guard primaryShare > 0, primaryShare < 1 else { throw ValidationError("--primary-share must be in (0, 1), got \(primaryShare)") }
    }

    func run() async throws {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var plan = ABPlan(instancesPerProcess: instances, firstLook: firstLook, block: block, maxProcesses: maxProcesses,
                          seed: seed, power: power.fraction, primaryShare: primaryShare, fixed: fixed)
        rule.apply(to: &plan)
        do { try plan.validate() } catch { throw InputError(error) }
        // Both scenarios are loaded here first, so a typo fails before any process runs.
        let sideA = ABSide(binary: a ?? me, scenario: aScenario ?? scenario, overrides: overrides + aOverrides,
                           environment: Self.environment(aEnvironment), label: aLabel)
        let sideB = ABSide(binary: b ?? me, scenario: bScenario ?? scenario, overrides: overrides + bOverrides,
                           environment: Self.environment(bEnvironment), label: bLabel)
        _ = try loadScenario(sideB.scenario, overrides: sideB.overrides)
        if sideA.binary == me { _ = try loadScenario(sideA.scenario, overrides: sideA.overrides) }
        for s in [sideA, sideB] where !FileManager.default.isExecutableFile(atPath: s.binary) {
            throw InputError("\(s.binary): not an executable phibench binary (side \(s.label))")
        }
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        try createOutputDirectory(dir)

        let stop = StopSignal()
        stop.installSignalHandlers()
        var engine = ABEngine(plan: plan, gate: ABGateSpec(patterns: gate.isEmpty ? nil : gate, primary: primary ?? Self.defaultPrimary,
                                                          primaryRequired: primary != nil))
        engine.shouldStop = { stop.isSet }
        engine.onLook = { r in
            let undecided = r.metrics.filter { $0.verdict == .undecided || $0.verdict == .inconclusive }.count
            let p = r.metrics.first { $0.key == (primary ?? Self.defaultPrimary) } ?? r.metrics.first
            let primaryText = p.map { " · \($0.key) \(Units.change($0.change)) (z \(ABOutcome.z($0.z)) vs \(ABOutcome.z($0.efficacyBoundary)))" } ?? ""
            printError("ab: look \(r.look), \(r.processesPerSide) a side, \(Int(r.elapsedSeconds)) s: \(undecided) of \(r.metrics.count) undecided\(primaryText)")
        }
        var source = ProcessUnitSource(a: sideA, b: sideB, instances: instances, directory: dir)
        printError("ab: A = \(sideA.label) (\(sideA.binary)), B = \(sideB.label) (\(sideB.binary)), \(instances) instance(s) per process, budget \(Int(rule.budget.seconds)) s")
        let outcome: ABOutcome
        do { outcome = try engine.run(&source) } catch { throw InputError(error) }
        let labels = [sideA.label, sideB.label]
        let json = ABOutcome.encoder()
        let md = outcome.renderMarkdown(labels: labels)
        do {
            try json.encode(outcome).write(to: dir.appendingPathComponent("ab.json"))
            try Data(md.utf8).write(to: dir.appendingPathComponent("ab.md"))
            if let markdown { try Data(md.utf8).write(to: URL(fileURLWithPath: markdown)) }
        } catch { throw InputError("\(out): cannot write the A/B record: \(error.localizedDescription)") }
        try writeSides(source, labels: labels, dir: dir)
        print(outcome.renderText(labels: labels))
        print("  ab.json  \(dir.appendingPathComponent("ab.json").relativePath)\n  compare  \(dir.appendingPathComponent("compare/compare.html").relativePath)")
        if let status = stop.exitStatus { throw ExitCode(status) }
        if outcome.verdict == .regressed { throw ExitCode(1) }
    }

    /// Each side merged (A.json, B.json) and the full informational compare under compare/.
    private func writeSides(_ source: ProcessUnitSource, labels: [String], dir: URL) throws {
        var merged: [BenchResult] = []
        for side in ABSideID.allCases {
            let results = source.results[side] ?? []
            let files = (1...max(1, results.count)).map { dir.appendingPathComponent("\(side.rawValue)-\($0)/result.json").path }
            do { merged.append(try ResultMerger.merge(results, files: files)) } catch { throw InputError(error) }
            try writeResult(merged[merged.count - 1], to: dir.appendingPathComponent("\(side.rawValue).json"))
        }
        var options = CompareOptions(gate: [], force: true)
        options.beforeLabel = labels[0]
        options.afterLabel = labels[1]
        do {
            let report = try Comparison.compare(before: merged[0], after: merged[1], options: options)
            let cdir = dir.appendingPathComponent("compare", isDirectory: true)
            try FileManager.default.createDirectory(at: cdir, withIntermediateDirectories: true)
            _ = try CompareWriter.write(report, before: merged[0], after: merged[1], to: cdir)
        } catch {
            printError("warning: the informational compare was not written: \(error)")
        }
    }

    static func environment(_ list: [String]) -> [String: String] {
        var env: [String: String] = [:]
        for e in list {
            let parts = e.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            env[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return env
    }
}
