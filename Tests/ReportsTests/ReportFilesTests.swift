import BenchModel
import Foundation
import Testing
import TestSupport
@testable import Reports

@Suite struct ReportFilesTests {
    @Test func writesAllFourFiles() throws {
        let dir = try ScratchDirectory("files")
        let written = try ReportWriter.write(results: [Fixture(episodesSimulated: 800).make()], to: dir.url)
        #expect(written.map(\.lastPathComponent) == ["report.html", "summary.csv", "timeseries.csv", "summary.md"])
        for url in written { #expect((try Data(contentsOf: url)).count > 500) }
        #expect(throws: ReportError.noResults) { try ReportWriter.write(results: [], to: dir.url) }
    }

    @Test func summaryCSVParsesBackWithOneRowPerScopeAndMetric() throws {
        var r = Fixture(trials: 3, episodesSimulated: 800).make()
        r.scenario.name = "steady, \"quoted\"\nname"
        let csv = SummaryCSV.render(results: [r])
        let records = try CSVReader.parse(csv)
        #expect(records[0] == SummaryCSV.columns)
        let rows = records.dropFirst()
        #expect(rows.allSatisfy { $0.count == SummaryCSV.columns.count })
        #expect(rows.allSatisfy { $0[0] == "steady, \"quoted\"\nname" }, "label round-trips through quoting")
        let overall = rows.filter { $0[1] == "overall" }
        let expectedOverall = 1 + r.catalogue.descriptors.filter { r.summary.metric($0.key) != nil }.count
        #expect(overall.count == expectedOverall)
        let p99 = try #require(overall.first { $0[5] == "e2e.p99" })
        #expect(Double(p99[6]) == r.summary.metric("e2e.p99"))
        #expect(p99[7] == "ns")
        let thr = try #require(overall.first { $0[5] == "throughput" })
        #expect(abs(Double(thr[6])! - r.summary.metric("throughput")!) < 1e-9)
        #expect(Set(rows.filter { $0[1] == "phase" }.map { $0[3] }) == ["0", "1", "2"])
        #expect(rows.contains { $0[1] == "phase" && $0[3] == "2" && $0[4] == "burst" && $0[5] == "drain_s" && $0[6] == "1.66" })
        #expect(Set(rows.filter { $0[1] == "trial" }.map { $0[2] }) == ["1", "2", "3"])
        #expect(csv.contains("\r\n"))
    }

    @Test func timeseriesCSVHasEveryFieldOfEveryInterval() throws {
        let a = Fixture(episodesSimulated: 500).make()
        let b = Fixture(seed: 2, episodesSimulated: 500, jemalloc: false).make()
        let records = try CSVReader.parse(TimeseriesCSV.render(results: [a, b], labels: ["before", "after"]))
        let header = records[0]
        #expect(Array(header.prefix(8)) == ["result"] + TimeseriesCSV.leading)
        // Every series metric any interval has is a column, in catalogue order.
        let series = Set(a.timeseries.flatMap(\.metrics.keys))
        #expect(Set(header.dropFirst(8)) == series)
        let order = a.catalogue.descriptors.map(\.key)
        let positions = header.dropFirst(8).compactMap { order.firstIndex(of: $0) }
        #expect(positions == positions.sorted(), "catalogue order")
        #expect(records.count == 1 + a.timeseries.count + b.timeseries.count)
        let col = { (name: String) in header.firstIndex(of: name)! }
        let first = records[1]
        #expect(first[0] == "before")
        #expect(Double(first[col("e2e.p99")]) == a.timeseries[0].metric("e2e.p99"))
        #expect(Double(first[col("memory.rss_end_bytes")]) == a.timeseries[0].metric("memory.rss_end_bytes"))
        let afterRow = records[1 + a.timeseries.count]
        #expect(afterRow[0] == "after" && afterRow[col("memory.jemalloc.allocated")] == ""
                && afterRow[col("memory.allocations_per_episode")] == "")
        let burst = records.first { $0[0] == "before" && $0[col("t_s")] == "45" }!
        #expect(burst[col("target_rate")] == "", "closed or burst intervals have no target rate")
    }

    @Test func summaryMarkdownTablesAreWellFormed() throws {
        var r = Fixture(episodesSimulated: 800, configuration: "debug").make()
        r.phases[0].label = "constant | 200/s <b>"
        let md = SummaryMarkdown.render(results: [r])
        try MarkdownChecks.expectWellFormedTables(md)
        #expect(md.hasPrefix("## phibench · steady — ✗ 1 of 3 thresholds failed"))
        #expect(md.contains("> [!WARNING]") && md.contains("debug build"))
        #expect(md.contains("### Latency") && md.contains("### Phases") && md.contains("### Thresholds") && md.contains("All metrics"))
        #expect(md.contains("constant \\| 200/s &lt;b&gt;"))
        let two = SummaryMarkdown.render(results: [r, Fixture(seed: 3, episodesSimulated: 500).make()], labels: ["old", "new"])
        try MarkdownChecks.expectWellFormedTables(two)
        #expect(two.contains("| Metric | old | new |"))
    }

    @Test func htmlEscapesUserTextAndIsSelfContained() throws {
        var r = Fixture(episodesSimulated: 800).make()
        r.scenario.name = "<script>alert(1)</script>"
        r.warnings = [RunWarning(.other, .note, "warmup \"short\" & <noisy>")]
        let html = HTMLReport.render(results: [r])
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("warmup &quot;short&quot; &amp; &lt;noisy&gt;"))
        for forbidden in ["<script", "src=\"http", "href=\"http", "@import", "url(http"] { #expect(!html.contains(forbidden), "\(forbidden)") }
        for id in ["thresholds", "latency", "stages", "time", "phases", "metrics", "details", "trials"] {
            #expect(html.contains("<section id=\"\(id)\">"), "section \(id)")
        }
        #expect(html.contains("Memory layer bytes / state") && html.contains("resident_bytes_per_state") && html.contains("612"))
        #expect(html.contains("no leak"))
        #expect(html.components(separatedBy: "<svg").count - 1 >= 8)
    }

    @Test func flameGraphHookIsUsedWhenFoldedStacksExist() throws {
        let dir = try ScratchDirectory("flame")
        var r = Fixture(episodesSimulated: 500).make()
        r.profile = ProfileInfo(kind: "cpu", samples: 4_990, hz: 999, foldedFile: "profile.folded")
        try Data("main;run;ESGT 70\nmain;run;TIG 30\n".utf8).write(to: dir.file("profile.folded"))
        let options = ReportOptions(flameGraph: { folded, title, width in
            "<svg class=\"flame\" data-lines=\"\(folded.split(separator: "\n").count)\" data-width=\"\(width)\"><title>\(title)</title></svg>"
        }, files: [.html])
        try ReportWriter.write(results: [r], to: dir.url, options: options)
        let html = try String(contentsOf: dir.file("report.html"), encoding: .utf8)
        #expect(html.contains("<svg class=\"flame\" data-lines=\"2\" data-width=\"1160\">"))
        let without = HTMLReport.render(results: [r], folded: ["main 1\n"])
        #expect(without.contains("folded stacks are in profile.folded"))
    }

    @Test func severalResultsOverlayWithALegend() throws {
        let a = Fixture(seed: 1, episodesSimulated: 800).make()
        let b = Fixture(seed: 1, noiseSeed: 9, scale: ["ESGT": 1.3, "e2e": 1.3], episodesSimulated: 800).make()
        let html = HTMLReport.render(results: [a, b], options: ReportOptions(labels: ["main", "branch"]))
        #expect(html.contains("main vs branch"))
        #expect(html.contains(Palette.result(0)) && html.contains(Palette.result(1)))
        #expect(html.contains("ESGT latency by percentile"))
        #expect(html.contains(">main p50<") && html.contains(">branch p99<"))
    }
}

@Suite struct EmptyInputTests {
    @Test func renderersCopeWithNoResults() {
        #expect(HTMLReport.render(results: []).contains("No results to report."))
        #expect(SummaryMarkdown.render(results: []) == "No results.\n")
        #expect(SummaryCSV.render(results: []) == SummaryCSV.columns.joined(separator: ",") + "\r\n")
    }
}
