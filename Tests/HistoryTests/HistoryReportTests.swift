import History
import Testing
@testable import Reports

@Suite struct HistoryReportTests {
    static func input(_ records: [HistoryRecord]) throws -> HistoryReport.Input {
        let analyses = try SeriesAnalysis.analyze(records, options: DetectionOptions())
        return HistoryReport.Input(analyses: analyses, findings: HistoryCheck.regressions(in: analyses, recent: 10),
                                   options: DetectionOptions(), recent: 10, source: "history.sqlite", resultCount: records.count)
    }

    @Test("the page shows each series, marks the change points with their commit, and is self-contained")
    func page() throws {
        var g = Noise(seed: 4)
        let latency = (0..<45).map { 2e6 * (1 + ($0 >= 38 ? 0.06 : 0) + 0.005 * g.normal()) }
        let throughput = (0..<45).map { 900 * (1 + ($0 >= 15 ? 0.05 : 0) + 0.005 * g.normal()) }
        var records = Records.history(["e2e.p99": latency, "throughput": throughput])
        records[40].dirty = true
        let html = HistoryReport.render(try Self.input(records), generator: "phibench test")
        #expect(html.contains("✗ 1 regression in the newest results"))
        #expect(html.contains("e2e.p99 regressed from c038"))
        #expect(html.contains("▲ regression") && html.contains("▼ improvement"))
        #expect(html.contains(">c015<") && html.contains(">c038<"), "the table names the commits")
        #expect(html.contains("c040 (dirty tree)"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 2)
        #expect(!html.contains("<script"))
        #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
    }

    @Test("names from the history are escaped")
    func escaping() throws {
        let records = Records.history(["e2e.p99": [1, 2, 3]], scenario: "<script>alert(1)</script>")
        let html = HistoryReport.render(try Self.input(records), generator: "g")
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;"))
    }

    @Test("a series of equal values, whose segment means differ from them by an ulp, renders (it used to loop forever)")
    func nearlyConstant() throws {
        let values = Array(repeating: 0.1, count: 20) + Array(repeating: 0.3, count: 20)
        let html = HistoryReport.render(try Self.input(Records.history(["e2e.p99": values])), generator: "g")
        #expect(html.contains(">c020<"))
    }

    @Test("an empty selection says so")
    func empty() {
        let html = HistoryReport.render(HistoryReport.Input(analyses: [], findings: [], options: DetectionOptions(), recent: 10,
                                                            source: "h.sqlite", resultCount: 0), generator: "g")
        #expect(html.contains("Nothing to show"))
    }
}
