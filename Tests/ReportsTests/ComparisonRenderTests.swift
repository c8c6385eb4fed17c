import BenchModel
import Foundation
import Gate
import Testing
import TestSupport
@testable import Reports

/// The comparison's renderings (text, JSON, HTML, Markdown within a comment's limit) and the profile
/// page; the comparison itself is tested with the gate (GateTests/CompareTests).
@Suite struct ComparisonRenderTests {
    @Test func renderersAgreeWithTheReport() throws {
        let before = Fixture(seed: 71, noiseSeed: 1).make()
        let after = Fixture(seed: 71, noiseSeed: 2, scale: ["ESGT": 1.3, "e2e": 1.3]).make()
        let report = try Comparison.compare(before: before, after: after)
        let text = report.text()
        #expect(text.contains("REGRESSED") && text.contains("ESGT.p50 *"))
        let json = try report.json()
        let decoded = try JSONCoding.decoder(nonFinite: true).decode(ComparisonReport.self, from: Data(json.utf8))
        #expect(decoded == report)
        let html = report.html(before: before, after: after)
        #expect(html.contains("class=\"regressed\"") && html.contains("<svg"))
        let md = report.markdown()
        #expect(md.contains("❌") && md.contains("ESGT.p50"))
        try MarkdownChecks.expectWellFormedTables(md)

        // Under a comment's limit: within it, by leaving out the folded table of all metrics first
        // and then changed ungated rows, saying so; the gated metrics always stay.
        #expect(report.markdown(limit: 1_000_000) == md)
        let gated = report.metrics.filter(\.gated).map(\.metric)
        let short = report.markdown(limit: md.count - 1)
        #expect(short.count <= md.count - 1 && short.contains("Cut to stay under") && !short.contains("<details>"))
        for metric in gated { #expect(short.contains(metric), "\(metric) left out") }
        try MarkdownChecks.expectWellFormedTables(short)
        let tiny = report.markdown(limit: 10)
        for metric in gated { #expect(tiny.contains(metric)) }
        #expect(tiny.contains("changed ungated metrics") || !report.metrics.contains { !$0.gated && $0.verdict != .unchanged })
    }

    /// The page of two profiles as Markdown: its tables, cut at a limit with a line saying how many rows.
    @Test func profilePageMarkdownStaysUnderItsLimit() throws {
        let rows = (0..<400).map { ["f\($0)", "\($0)", "+\($0)"] }
        let page = ProfileDiffPage(title: "t", subtitle: nil, verdict: "verdict: REGRESSION", tone: .bad, sides: [],
                                   tables: [.init(caption: "functions", headers: ["Function", "A", "Δ"], rows: rows, numeric: [1, 2])],
                                   flameGraph: nil, flameGraphNote: nil, notes: ["a note"])
        let full = page.markdown(graphFile: "d/instructions-diff.svg")
        #expect(full.hasPrefix("### t\n\n**verdict: REGRESSION**") && full.contains("| f399 | 399 | +399 |"))
        #expect(full.contains("| Function | A | Δ |\n| --- | ---: | ---: |") && full.contains("- a note") && full.contains("`d/instructions-diff.svg`"))
        try MarkdownChecks.expectWellFormedTables(full)
        let cut = page.markdown(limit: 2_000)
        #expect(cut.count <= 2_000 && cut.contains("more rows left out to stay under 2000 characters"))
        try MarkdownChecks.expectWellFormedTables(cut)
    }
}
