import BenchModel
import Foundation
@testable import Harness
import Testing
import TestSupport

/// Numbers at the edges of their types, alias bombs, deep nesting: every one is refused with the key
/// and the accepted range (exit 2 in the CLI), never an overflow or an allocation storm.
@Suite("Hostile scenarios")
struct ScenarioHostileInputTests {
    static func phase(_ p: String) -> String { "name: t\nphases:\n  - \(p)\n" }
    static func top(_ line: String) -> String { "name: t\n\(line)\nphases:\n  - { kind: constant, rate: 10, duration: 1s }\n" }

    static let cases: [(yaml: String, key: String, expected: String)] = [
        (phase("{ kind: constant, rate: 1e19, duration: 1s }"), "phases[0].rate", "up to 10,000,000/s"),
        (phase("{ kind: constant, rate: 10, duration: 1e30s }"), "phases[0].duration", "up to 366 days"),
        (phase("{ kind: ramp, from: 0, to: 0, duration: 5s }"), "phases[0]", "schedules at least one arrival"),
        (phase("{ kind: spike, base: 0, peak: 1e300, at: 1s, hold: 1s, duration: 3s }"), "phases[0].peak", "up to 10,000,000/s"),
        (phase("{ kind: burst, count: 100000000000 }"), "phases[0].count", "from 1 to 100,000,000"),
        (phase("{ kind: closed, concurrency: [100000], each: 1s }"), "phases[0].concurrency[0]", "from 1 to 4,096"),
        (phase("{ kind: constant, rate: 10, duration: 1s, workers: 100000 }"), "phases[0].workers", "from 1 to 4,096"),
        (top("workers: 100000"), "workers", "from 1 to 4,096"),
        (top("workers: 99999999999999999999999"), "workers", "from 1 to 4,096"),
        (top("interval: 1e12s"), "interval", "up to 1 h"),
        (top("interval: 10us"), "interval", "at least 1ms"),
        (top("warmup: 1e9h"), "warmup", "up to 1 h"),
        (top("max_queue: -5"), "max_queue", "from 1 to 100,000,000"),
        (top("inject: [{ stall: 1e20s, every: 10 }]"), "inject[0].stall", "up to 1 h"),
        (top("inject: [{ stall: 1ms, every: 1e30 }]"), "inject[0].every", "from 1 to"),
        (top("inject: [{ slow: ESGT, extra: 1e20s }]"), "inject[0].extra", "up to 10 s"),
        (top("inject: [{ leak: 1e30 }]"), "inject[0].leak", "at most 1.00 GiB"),
        (top("seed: -1"), "seed", "a non-negative integer"),
        (top("seed: 184467440737095516160"), "seed", "a non-negative integer"),
    ]

    @Test("numbers beyond their range are errors naming the key and the range", arguments: cases.indices)
    func outOfRange(_ i: Int) {
        let c = Self.cases[i]
        do {
            _ = try ScenarioLoader.parse(yaml: c.yaml, file: "t.yaml")
            Issue.record("accepted: \(c.yaml)")
        } catch {
            #expect(error.description.contains("t.yaml:") && error.description.contains(c.key + ":"), "\(error)")
            #expect(error.description.contains(c.expected), "\(error)")
            #expect(error.description.count < 500, "a short message")
        }
    }

    @Test("the same bounds hold for --set overrides")
    func overrides() {
        for (override, expected) in [("phases[0].rate=1e19", "up to 10,000,000/s"), ("interval=1e12s", "up to 1 h"),
                                     ("workers=100000", "from 1 to 4,096")] {
            #expect(throws: ScenarioError.self) {
                _ = try ScenarioLoader.parse(yaml: Self.phase("{ kind: constant, rate: 10, duration: 1s }"), file: "t.yaml",
                                             overrides: [override])
            }
            do {
                _ = try ScenarioLoader.parse(yaml: Self.phase("{ kind: constant, rate: 10, duration: 1s }"), file: "t.yaml",
                                             overrides: [override])
            } catch {
                #expect(error.description.contains("--set") && error.description.contains(expected), "\(error)")
            }
        }
    }

    @Test("a YAML alias bomb is refused by its size, not expanded")
    func aliasBomb() {
        var lines = ["name: bomb", "phases: [{kind: burst, count: 1}]", #"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*" + previous, count: 9).joined(separator: ",") + "]")
            previous = name
        }
        let started = Date()
        do {
            _ = try ScenarioLoader.parse(yaml: lines.joined(separator: "\n"), file: "bomb.yaml")
            Issue.record("an alias bomb loaded")
        } catch {
            #expect(error.description.contains("100000 values"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 10)
        do {
            _ = try ScenarioLoader.parse(yaml: "name: deep\nx: " + String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000),
                                         file: "deep.yaml")
            Issue.record("5,000 levels of nesting loaded")
        } catch {
            #expect(error.description.contains("64 levels") || error.description.contains("deep.yaml"), "\(error)")
        }
    }

    /// Seeded mutations of the shipped scenarios: each must load or be refused with a ScenarioError
    /// (the loader's typed error), never trap; what loads must plan its phases without trapping.
    @Test("mutated scenarios load or are refused, never trap (seeded, bounded time)")
    func fuzz() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        let seeds = try files.map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
        let extremes = ["1e19", "-1", "0", "1e308", "nan", ".inf", "-.inf", "18446744073709551616", "1e-300", "9223372036854775807",
                        "\"\"", "[]", "{}", "~", "*x", "&x 1", "0x10", "1e19/s", "1e30s", "-5s", "1e20ns", "99999999999999999999KiB"]
        var rng = SplitMix64(seed: ProcessInfo.processInfo.environment["PHIBENCH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5CE7)
        func next() -> UInt64 { rng.next() }
        let seconds = ProcessInfo.processInfo.environment["PHIBENCH_FUZZ_SECONDS"].flatMap { Double($0) } ?? 4
        let deadline = Date().addingTimeInterval(seconds)
        var cases = 0
        while Date() < deadline {
            var text = seeds[Int(next() % UInt64(seeds.count))]
            for _ in 0..<(1 + Int(next() % 3)) {
                // Replace one number (or one word after a colon) with an extreme, or cut the text short.
                let chars = Array(text)
                guard !chars.isEmpty else { break }
                let at = Int(next() % UInt64(chars.count))
                switch next() % 5 {
                case 0:
                    text = String(chars.prefix(at))
                case 1:
                    text = String(chars.prefix(at)) + String(chars.suffix(from: at).drop { $0 != "\n" })
                default:
                    var end = at
                    while end < chars.count, chars[end].isNumber || chars[end] == "." { end += 1 }
                    var start = at
                    while start > 0, chars[start - 1].isNumber || chars[start - 1] == "." { start -= 1 }
                    text = String(chars[..<start]) + extremes[Int(next() % UInt64(extremes.count))] + String(chars[end...])
                }
            }
            if let loaded = try? ScenarioLoader.parse(yaml: text, file: "fuzz.yaml", workloads: testWorkloads) {
                _ = PlannedPhase.plan(loaded.scenario, seed: 1, defaultWorkers: 2)
                _ = PlannedPhase.warmup(loaded.scenario, seed: 1, seconds: loaded.scenario.warmup, defaultWorkers: 2)
                _ = try? FaultInjector(loaded.scenario.inject, stageNames: ["MMEI", "ESGT"])
            }
            cases += 1
        }
        #expect(cases >= 50, "only \(cases) mutants in \(seconds) s")
    }
}
