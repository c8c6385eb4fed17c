import ArgumentParser
import BenchModel
import Foundation
import Gate
import Statistics

struct PowerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "power",
        abstract: "The gate's power table by replay: many `phibench ab` gates resampled from a recorded A/A pool, with effects injected.",
        discussion: """
            POOL is the ab.json of an A/A run of one build (phibench ab --fixed with a large --max-processes): its \
            processes, with their per-instance values, are the pool. Each replayed gate draws processes for both \
            sides with replacement, adds the effect to side B, and runs the real sequential rule on a simulated \
            clock (the pool's seconds per process), so the table shows the false-alarm rate (level 0), the power \
            at each level and the measuring time on this machine's own noise.
            Examples:
              phibench ab scenarios/gate.yaml --fixed --max-processes 150 --budget 60m --out runs/pool
              phibench power runs/pool/ab.json --level 0 --level 3 --level 5 --runs 1000
            """)

    @Argument(help: "ab.json of an A/A run (the pool), or the directory of one whose record is missing (its A-*/B-* result.json files); with --rejudge, the ab.json files of recorded gate runs.")
    var inputs: [String]
    @Flag(help: "Judge each recorded gate run (ab.json) again under this rule (--trim, --budget, --threshold, --alpha): the same processes in the same order, stopped where this rule stops.")
    var rejudge = false
    private var pool: String { inputs.first ?? "" }
    @Option(help: "Effect levels in per cent of e2e p50 (repeatable; 0 = A/A).")
    var level: [Double] = [0, 3, 5]
    @Option(parsing: .unconditional, help: "Replayed gates per level.")
    var runs = 1_000
    @Option(help: "The stage the added work goes into (its p50 and e2e p50 grow); also replayed as a uniform e2e slowdown.")
    var stage = "MEA"
    @OptionGroup var rule: GateRuleOptions
    @Option(parsing: .unconditional, help: "Workload instances per process in the pool's runs (for the plan).")
    var instances = 2
    @Option(name: .customLong("seconds-per-process"), parsing: .unconditional,
            help: "With a directory as the pool: the measured seconds a process took (ab.json records them).")
    var secondsPerProcess = 9.0
    @Option(help: "The primary metric (half of --alpha; always gated).")
    var primary = ABCommand.defaultPrimary
    @Option(parsing: .unconditional, help: "Seed of the replays.")
    var seed: UInt64 = 0xBEEF

    func validate() throws {
        guard (1...100_000).contains(runs) else { throw ValidationError("--runs must be 1…100000, got \(runs)") }
        for l in level where !(l.isFinite && l >= 0 && l < 100) { throw ValidationError("--level must be in [0, 100), got \(l)") }
        guard !inputs.isEmpty else { throw ValidationError("expected a pool (or, with --rejudge, recorded ab.json files)") }
        guard rejudge || inputs.count == 1 else { throw ValidationError("expected one pool, got \(inputs.count) (--rejudge takes several recorded runs)") }
    }

    func run() async throws {
        var plan = ABPlan(instancesPerProcess: instances)
        rule.apply(to: &plan)
        do { try plan.validate() } catch { throw InputError(error) }
        if rejudge { return try rejudgeAll() }
        let outcome = try load(plan)
        guard outcome.units.count >= 20 else { throw InputError("\(pool): \(outcome.units.count) processes; a pool needs at least 20") }
        let gate = ABGateSpec(patterns: outcome.family.map(\.key), primary: primary, primaryRequired: true)
        let perProcess = Descriptive.mean(outcome.units.map(\.seconds))
        print("pool: \(outcome.units.count) processes (\(outcome.units.count * instances) instances), \(Units.fixed(perProcess, digits: 1)) s a process; "
              + "\(runs) replayed gates per row; gated: \(outcome.family.map(\.key).joined(separator: ", "))")
        print("| effect | gates | failed (exit 1) | 95% CI | passed | inconclusive | median time | worst time | median \(primary) MDE |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for l in level {
            let effects: [(String, InjectedEffect?)] = l == 0 ? [("none (A/A)", nil)]
                : [("+\(Units.number(l))% work in \(stage)", .stageWork(stage: stage, share: l / 100)),
                   ("+\(Units.number(l))% everywhere", .uniform(share: l / 100))]
            for (name, effect) in effects {
                let s: ReplaySummary
                do { s = try ReplaySummary.replay(pool: outcome, plan: plan, gate: gate, effect: effect, runs: runs, seed: seed) } catch {
                    throw InputError(error)
                }
                let interval = Proportion.wilson(successes: s.regressed, trials: s.runs).map { "\(Self.pct($0.lowerBound))–\(Self.pct($0.upperBound))" } ?? "n/a"
                print("| \(name) | \(s.runs) | \(s.regressed) (\(Self.pct(Double(s.regressed) / Double(s.runs)))) | \(interval) | "
                      + "\(s.passed) | \(s.inconclusive) | \(Units.fixed(s.medianSeconds, digits: 0)) s | \(Units.fixed(s.maxSeconds, digits: 0)) s | "
                      + "\(s.medianMDE.map { Self.pct($0) } ?? "n/a") |")
            }
        }
    }

    /// Each recorded run judged again: its design (instances, looks, seed, family) with this command's
    /// rule, on its own processes in their recorded order and times.
    private func rejudgeAll() throws {
        print("| run | recorded: verdict, processes a side, seconds | this rule: verdict, processes a side, seconds | \(primary) change | MDE |")
        print("|---|---|---|---:|---:|")
        for file in inputs {
            let record = try Self.decode(file)
            var plan = record.plan
            rule.apply(to: &plan)
            plan.fixed = false
            var source = RecordedSource(record: record)
            let clock = source.clock
            // The record's own family and primary (none when its gate had none).
            let primaryKey = record.family.first(where: \.primary)?.key
            let gate = ABGateSpec(patterns: record.family.map(\.key), primary: primaryKey, primaryRequired: primaryKey != nil)
            let again: ABOutcome
            do { again = try ABEngine(plan: plan, gate: gate, clock: { clock.now }).run(&source) } catch {
                print("| \(file) | \(record.verdict.rawValue), \(record.processesPerSide), \(Int(record.seconds)) s | cannot replay: \(error) | | |")
                continue
            }
            let p = again.final.first { $0.key == (primaryKey ?? primary) }
            print("| \(file) | \(record.verdict.rawValue), \(record.processesPerSide), \(Int(record.seconds)) s | "
                  + "\(again.verdict.rawValue), \(again.processesPerSide), \(Int(again.seconds)) s | "
                  + "\(p.map { ($0.change >= 0 ? "+" : "") + Self.pct($0.change) } ?? "n/a") | \(p?.mdeAtBudget.map { Self.pct($0) } ?? "n/a") |")
        }
    }

    private static func decode(_ file: String) throws -> ABOutcome {
        do { return try ABOutcome.decoder().decode(ABOutcome.self, from: Data(contentsOf: URL(fileURLWithPath: file))) } catch {
            throw InputError("\(file): not an ab.json (phibench ab's record): \(error.localizedDescription)")
        }
    }

    /// The pool: an ab.json, or an ab run's directory of per-process results (seconds per process
    /// then from `--seconds-per-process`).
    private func load(_ plan: ABPlan) throws -> ABOutcome {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: pool, isDirectory: &isDirectory) else { throw InputError("\(pool): no such file or directory") }
        guard isDirectory.boolValue else { return try Self.decode(pool) }
        var units: [ABUnit] = []
        for side in ABSideID.allCases {
            var index = 0
            while true {
                let file = URL(fileURLWithPath: pool).appendingPathComponent("\(side.rawValue)-\(index + 1)/result.json")
                guard FileManager.default.fileExists(atPath: file.path) else { break }
                let r = try loadResult(file.path)
                units.append(ProcessUnitSource.unit(r, side: side, index: index, seconds: secondsPerProcess, steal: nil, file: file.path))
                index += 1
            }
        }
        do { return try ABOutcome.pool(units: units, plan: plan, gate: ABGateSpec(primary: primary, primaryRequired: true)) } catch { throw InputError("\(pool): \(error)") }
    }

    static func pct(_ f: Double) -> String { Units.fixed(f * 100, digits: 1) + "%" }

}
