@testable import BenchModel
import Foundation
import Gate
import Testing
import TestSupport
@testable import Reports

/// A seeded, structure-aware fuzzer for the result loader: valid results mutated the way a hostile
/// or careless file would be (extreme numbers, wrong types, missing keys, deep nesting, truncation,
/// flipped bytes). Every mutant must load or be refused with a ``ResultFileError`` — never trap — and
/// every mutant that loads must go through every writer and compare without trapping either.
/// Inputs that once crashed are kept in Fixtures/fuzz and replayed first.
@Suite("Result loader fuzzing", .serialized)
struct ResultFuzzTests {
    static let extremes: [JSONValue] = [
        .number(1e308), .number(-1e308), .number(1.8446744073709552e19), .number(-1), .number(0), .number(9007199254740993),
        .number(1e-300), .number(4.6e18), .string("nan"), .string("inf"), .string("-inf"), .string(""), .bool(true), .null,
        .array([]), .object([:]), .string(String(repeating: "x", count: 5_000)),
    ]

    /// Applies one seeded mutation to `value`.
    static func mutate(_ value: JSONValue, _ rng: inout FixtureRNG) -> JSONValue {
        var paths: [[String]] = []
        func collect(_ v: JSONValue, _ path: [String]) {
            paths.append(path)
            switch v {
            case .object(let o): for (k, c) in o { collect(c, path + [k]) }
            case .array(let a): for (i, c) in a.enumerated() { collect(c, path + ["#\(i)"]) }
            default: break
            }
        }
        collect(value, [])
        let target = paths[Int(rng.next() % UInt64(paths.count))]
        let choice = rng.next() % 4
        func replace(_ v: JSONValue, _ path: ArraySlice<String>) -> JSONValue? {
            guard let head = path.first else {
                switch choice {
                case 0: return nil  // delete
                case 1: return .array([.array([.array([v])])])  // nest deeper
                default: return extremes[Int(rng.next() % UInt64(extremes.count))]
                }
            }
            switch v {
            case .object(var o):
                o[head] = o[head].flatMap { replace($0, path.dropFirst()) }
                return .object(o)
            case .array(var a):
                let i = Int(head.dropFirst())!
                if let r = replace(a[i], path.dropFirst()) { a[i] = r } else { a.remove(at: i) }
                return .array(a)
            default:
                return v
            }
        }
        return replace(value, target[...]) ?? value
    }

    /// Loads `data`; when it loads (and `render`), renders it every way and compares it with itself.
    static func exercise(_ data: Data, render: Bool = true) {
        guard let r = try? ResultCodec.decode(data, file: "fuzz.json"), render else { return }
        _ = TerminalSummary.render(r)
        _ = SummaryCSV.render(results: [r])
        _ = TimeseriesCSV.render(results: [r])
        _ = SummaryMarkdown.render(results: [r])
        _ = HTMLReport.render(results: [r])
        if let report = try? Comparison.compare(before: r, after: r, options: CompareOptions(resamples: 100)) {
            _ = report.text()
            _ = report.markdown()
            _ = report.html(before: r, after: r)
        }
    }

    @Test("kept crash cases load or are refused, never trap")
    func regressionCases() throws {
        let dir = try #require(Bundle.module.url(forResource: "fuzz", withExtension: nil, subdirectory: "Fixtures"))
        let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        #expect(!files.isEmpty)
        for file in files { Self.exercise(try Data(contentsOf: file)) }
    }

    @Test("mutated results load or are refused, never trap (seeded, bounded time)")
    func mutants() throws {
        let base = try JSONDecoder().decode(JSONValue.self, from: ResultCodec.encode(Fixture(trials: 2, episodesSimulated: 200).make()))
        // PHIBENCH_FUZZ_SECONDS and PHIBENCH_FUZZ_SEED run a longer campaign by hand.
        let env = ProcessInfo.processInfo.environment
        var rng = FixtureRNG(seed: env["PHIBENCH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0xF022)
        let seconds = env["PHIBENCH_FUZZ_SECONDS"].flatMap { Double($0) } ?? 6
        let deadline = Date().addingTimeInterval(seconds)
        var cases = 0
        while Date() < deadline && cases < Int(seconds * 70) {
            var v = base
            for _ in 0..<(1 + Int(rng.next() % 3)) { v = Self.mutate(v, &rng) }
            var data = try JSONEncoder().encode(v)
            switch rng.next() % 8 {
            case 0: data = data.prefix(Int(rng.next() % UInt64(data.count)))  // truncated
            case 1 where !data.isEmpty: data[Int(rng.next() % UInt64(data.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            default: break
            }
            // Loading is cheap and every mutant gets it; rendering and comparing (bootstrap, MDE
            // simulation) is not, so one in six goes all the way.
            Self.exercise(data, render: cases % 6 == 0)
            cases += 1
        }
        #expect(cases >= 40, "only \(cases) mutants in the time given")
    }

    @Test("a million-deep array is refused with the nesting limit, not a stack overflow")
    func deepNesting() throws {
        let deep = Data(("{\"schema\": \"phibench.result/2\", \"x\": " + String(repeating: "[", count: 1_000_000)).utf8)
        let error = #expect(throws: ResultFileError.self) { try ResultCodec.decode(deep, file: "deep.json") }
        #expect(error?.description.contains("nested more than 512 levels") == true, "\(String(describing: error))")
        #expect((error?.description.count ?? 0) < 400, "a short message whatever the input")
    }
}
