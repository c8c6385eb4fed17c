@testable import BenchModel
import Foundation
import Testing
@testable import Reports

@Suite struct ResultCodecTests {
    func encoded(_ r: BenchResult) throws -> Data { try ResultCodec.encode(r) }

    @Test func roundTripsAResult() throws {
        let dir = try ScratchDirectory("loader")
        let r = Fixture(trials: 2, episodesSimulated: 500).make()
        try ResultCodec.write(r, to: dir.file("result.json"))
        #expect(try ResultCodec.load(dir.file("result.json")) == r)
    }

    @Test func histogramsAreStoredOnceAndRestoredByMerging() throws {
        let r = Fixture(trials: 3, episodesSimulated: 600).make()
        let json = try #require(try JSONSerialization.jsonObject(with: encoded(r)) as? [String: Any])
        let summary = try #require(json["summary"] as? [String: Any])
        #expect((summary["histograms"] as? [String: Any])?.isEmpty == true, "the run's histograms are the merge of its trials'")
        let trials = try #require(json["trials"] as? [[String: Any]])
        #expect(trials.allSatisfy { (($0["summary"] as? [String: Any])?["histograms"] as? [String: Any])?.isEmpty == false })
        let back = try ResultCodec.decode(try encoded(r), file: "r.json")
        #expect(back.summary.span.histograms == r.summary.span.histograms)
        #expect(back.summary.metric("e2e.p99") == r.summary.metric("e2e.p99"))
    }

    @Test func nonFiniteNumbersAreReadBack() throws {
        var r = Fixture(trials: 1, episodesSimulated: 300).make()
        r.summary.metrics["memory.rss_growth_pct"] = .nan
        r.summary.metrics["cpu.utilization"] = .infinity
        let back = try ResultCodec.decode(try encoded(r), file: "nan.json")
        #expect(back.summary.metric("memory.rss_growth_pct")?.isNaN == true)
        #expect(back.summary.metric("cpu.utilization") == .infinity)
    }

    @Test func truncatedJSONNamesTheFileAndTheByte() throws {
        let dir = try ScratchDirectory("loader")
        let data = try encoded(Fixture(trials: 1, episodesSimulated: 300).make())
        let cut = data.count / 2
        try data.prefix(cut).write(to: dir.file("after.json"))
        let error = try #require(throws: ResultFileError.self) { try ResultCodec.load(dir.file("after.json")) }
        guard case .truncatedJSON(let file, let offset, _) = error else { Issue.record("got \(error)"); return }
        #expect(file.hasSuffix("after.json"))
        #expect(offset == cut)
        #expect(error.description.contains("after.json: truncated JSON at byte \(cut)"))
    }

    @Test func invalidJSONGivesLineAndColumn() throws {
        let error = try #require(throws: ResultFileError.self) {
            try ResultCodec.decode(Data("{\n  \"schema\": \"phibench.result/2\",\n  \"summary\": tru\n}".utf8), file: "bad.json")
        }
        #expect(error == .invalidJSON(file: "bad.json", offset: 51, line: 3, column: 17, message: "expected 'true'"), "\(error)")
    }

    @Test func jsonWithoutSchemaIsNotAResult() throws {
        let error = try #require(throws: ResultFileError.self) {
            try ResultCodec.decode(Data(#"{"name": "steady", "episodes": 12}"#.utf8), file: "before.json")
        }
        #expect(error.description == #"before.json: not a phibench result (no "schema" field); expected phibench.result/2 or phibench.result/1"#)
        let array = try #require(throws: ResultFileError.self) { try ResultCodec.decode(Data("[1, 2]".utf8), file: "x.json") }
        #expect(array.description.contains("x.json: not a phibench result (the top level is not an object"))
        let other = try #require(throws: ResultFileError.self) { try ResultCodec.decode(Data(#"{"schema": "k6/summary"}"#.utf8), file: "k6.json") }
        #expect(other.description.contains("k6.json: not a phibench result"))
    }

    @Test func wrongSchemaVersionIsRefused() throws {
        var json = String(decoding: try encoded(Fixture(trials: 1, episodesSimulated: 300).make()), as: UTF8.self)
        json = json.replacingOccurrences(of: "phibench.result/2", with: "phibench.result/3")
        let error = try #require(throws: ResultFileError.self) { try ResultCodec.decode(Data(json.utf8), file: "new.json") }
        #expect(error == .wrongSchema(file: "new.json", found: "phibench.result/3"))
        #expect(error.description.contains("expected phibench.result/2 or phibench.result/1"))
    }

    @Test func missingFieldIsNamed() throws {
        let data = try encoded(Fixture(trials: 1, episodesSimulated: 300).make())
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var trials = try #require(object["trials"] as? [[String: Any]])
        trials[0].removeValue(forKey: "seed")
        object["trials"] = trials
        let error = try #require(throws: ResultFileError.self) {
            try ResultCodec.decode(try JSONSerialization.data(withJSONObject: object), file: "r.json")
        }
        #expect(error == .invalidResult(file: "r.json", field: "trials[0].seed", message: "missing"), "\(error)")
    }

    @Test func unreadableAndEmptyFiles() throws {
        let dir = try ScratchDirectory("loader")
        let missing = try #require(throws: ResultFileError.self) { try ResultCodec.load(dir.file("nope.json")) }
        #expect(missing.description.hasSuffix("nope.json: cannot read: no such file"))
        let isDir = try #require(throws: ResultFileError.self) { try ResultCodec.load(dir.url) }
        #expect(isDir.description.contains("is a directory"))
        try Data("  \n".utf8).write(to: dir.file("empty.json"))
        let empty = try #require(throws: ResultFileError.self) { try ResultCodec.load(dir.file("empty.json")) }
        #expect(empty.description.contains("empty.json: empty file; expected phibench.result/2"))
    }

    @Test(arguments: [
        ("{\"a\": [1, 2", true), ("{\"a\": \"abc", true), ("{\"a\": 1,", true), ("", true),
        ("{\"a\": 1} x", false), ("{\"a\" 1}", false), ("[1 2]", false), ("{\"a\": -}", false),
    ])
    func syntaxCheckerTellsTruncationFromCorruption(text: String, truncated: Bool) throws {
        let p = try #require(JSONSyntax.firstProblem(in: Array(text.utf8)))
        #expect(p.atEnd == truncated, "\(p)")
        #expect(JSONSyntax.firstProblem(in: Array(#"{"a": [1, 2.5e3, true, null, "x\"y"], "b": {}}"#.utf8)) == nil)
    }
}

@Suite struct ResultV1Tests {
    func v1() throws -> BenchResult {
        let url = try #require(Bundle.module.url(forResource: "v1-smoke", withExtension: "json", subdirectory: "Fixtures"))
        return try ResultCodec.load(url)
    }

    @Test func versionOneResultsAreUpgradedWithTheirFigures() throws {
        let r = try v1()
        #expect(r.schema == BenchResult.schemaID)
        #expect(r.summary.metric("throughput")! > 0 && r.summary.metric("e2e.p50")! > 0)
        #expect(r.summary.metric("phi.cache_hit_rate") != nil, "a cache's hit rate is carried over")
        #expect(r.catalogue.descriptor("phi.cache_hit_rate")?.unit == .fraction)
        #expect(r.catalogue.stageKeys.contains("ESGT") && r.catalogue.descriptor("PHI.hit.p50") != nil)
        #expect(r.trials.count == 2 && r.trials.allSatisfy { $0.summary.metric("e2e.p99") != nil })
        #expect(!r.timeseries.isEmpty && r.timeseries[0].metric("memory.rss_end_bytes") != nil)
        #expect(r.summary.span.histograms["e2e"] != nil, "the run's histograms are kept")
        // Every output renders it.
        _ = TerminalSummary.render(r)
        _ = HTMLReport.render(results: [r])
        try MarkdownChecks.expectWellFormedTables(SummaryMarkdown.render(results: [r]))
    }

    @Test func theWorkloadsUpgradeNamesAVersionOneResultAndKeepsItsObjectsAsDetails() throws {
        let url = try #require(Bundle.module.url(forResource: "v1-smoke", withExtension: "json", subdirectory: "Fixtures"))
        let named = try ResultCodec.load(url, v1: ResultV1Upgrade(workload: "cached", detailKeys: ["memory_layer", "absent"]))
        #expect(named.workload.name == "cached")
        guard case .object(let details)? = named.workload.details else { Issue.record("no details"); return }
        #expect(Array(details.keys) == ["memory_layer"])
        let plain = try v1()
        #expect(plain.workload.name == "unknown" && plain.workload.details == nil)
        #expect(plain.summary.episodes == named.summary.episodes && plain.catalogue.stageKeys == named.catalogue.stageKeys)
    }

    @Test func aVersionOneResultComparesWithAVersionTwoResult() throws {
        let old = try v1()
        var new = old
        new.summary = old.catalogue.summarize(old.summary.span)
        let report = try Comparison.compare(before: old, after: Fixture(scenario: old.scenario.name).make(),
                                            options: CompareOptions(force: true))
        #expect(report.metrics.contains { $0.metric == "e2e.p50" } && report.metrics.contains { $0.metric == "phi.cache_hit_rate" })
        _ = new
    }
}
