import BenchModel
import Foundation
import Gate
import Testing
import TestSupport
@testable import Reports

private let chromiumPath: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// Renders the reports in headless Chromium: the page must paint (a PNG that is not blank), its
/// DOM must hold the charts, and the console must stay free of errors. Without Chromium the suite
/// is skipped, and says so in the test run's summary (it used to pass, printing "skipped").
@Suite(.serialized, .enabled(if: chromiumPath != nil, "chromium is not installed (make deps installs it)"))
struct BrowserTests {
    static let chromium = chromiumPath

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String]) throws -> Run {
        let out = try ChildProcess.run(URL(fileURLWithPath: chromium!),
                                       ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                                        "--disable-dev-shm-usage", "--hide-scrollbars"] + args)
        return Run(status: out.status, stdout: out.stdout, stderr: out.stderr)
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        let be = { (o: Int) in bytes[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    func check(html: String, name: String, minimumSVGs: Int, requirePaths: Bool = true, minimumBytes: Int = 60_000) throws {
        let dir = try ScratchDirectory("browser")
        let page = dir.file("\(name).html")
        try Data(html.utf8).write(to: page)
        let png = dir.file("\(name).png")
        let shot = try Self.run(["--screenshot=\(png.path)", "--window-size=1280,2000", page.absoluteString])
        #expect(shot.status == 0, "chromium exited \(shot.status): \(shot.stderr.suffix(500))")
        let data = try Data(contentsOf: png)
        let size = try #require(Self.pngSize(data), "not a PNG")
        #expect(size == (1280, 2000))
        // A blank 1280×2000 screenshot compresses to a few KB; a painted report is far larger.
        #expect(data.count > minimumBytes, "screenshot is only \(data.count) bytes: blank page?")

        let dom = try Self.run(["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString])
        #expect(dom.status == 0)
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 >= minimumSVGs)
        if requirePaths { #expect(dom.stdout.contains("<path d=\"M")) }
        for bad in ["Uncaught", "SyntaxError", "Refused to", "Failed to load"] {
            #expect(!dom.stderr.contains(bad), "console: \(dom.stderr.split(separator: "\n").filter { $0.contains(bad) })")
        }
        let consoleErrors = dom.stderr.split(separator: "\n").filter { $0.contains("CONSOLE") && $0.contains("ERROR") }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
        if ProcessInfo.processInfo.environment["PHIBENCH_KEEP_ARTIFACTS"] != nil { print("BrowserTests: screenshot \(png.path)") }
    }

    @Test func reportPaintsInChromium() throws {
        var r = Fixture().make()
        r.warnings = [RunWarning(.other, .note, "machine was busy: load average 3.1 on 2 cores")]
        try check(html: HTMLReport.render(results: [r]), name: "report", minimumSVGs: 8)
    }

    @Test func overlaidReportPaintsInChromium() throws {
        let a = Fixture(seed: 1).make()
        let b = Fixture(seed: 1, noiseSeed: 9, scale: ["ESGT": 1.3, "e2e": 1.3], configuration: "debug").make()
        try check(html: HTMLReport.render(results: [a, b], options: ReportOptions(labels: ["main", "esgt-slow"])), name: "overlay", minimumSVGs: 10)
    }

    @Test func comparePaintsInChromium() throws {
        let a = Fixture(seed: 1, noiseSeed: 1).make()
        let b = Fixture(seed: 1, noiseSeed: 2, scale: ["ESGT": 1.3, "e2e": 1.3]).make()
        let report = try Comparison.compare(before: a, after: b)
        try check(html: report.html(before: a, after: b), name: "compare", minimumSVGs: 3)
    }

    /// #22: the differential flame graph, laid out by the browser: its frames have width on screen,
    /// the frame that grew is painted red and the one that shrank blue (computed style, after the
    /// graph's own script ran), and search still works.
    @Test func differentialFlameGraphPaintsGrownFramesRed() throws {
        let before = "episode;stage A;steady 500\nepisode;stage A;hot 100\nepisode;stage B;cooled 400\n"
        let after = "episode;stage A;steady 500\nepisode;stage A;hot 900\nepisode;stage B;cooled 100\n"
        let svg = FlameGraph.differentialSVG(before: before, after: after, title: "B against A", width: 1000, unit: "instructions/episode")
        let probe = #"""
            <script>
            (function(){
              var out = {drawn: 0, fills: {}};
              document.querySelectorAll("svg.flamegraph g.fg-f").forEach(function(g){
                var r = g.querySelector("rect");
                if (r.getBoundingClientRect().width > 0) out.drawn++;
                out.fills[g.getAttribute("data-n")] = getComputedStyle(r).fill;
              });
              var search = document.querySelector("svg.flamegraph .fg-search");
              search.value = "hot";
              search.dispatchEvent(new Event("input"));
              out.matched = document.querySelector("svg.flamegraph .fg-matched").textContent;
              document.body.setAttribute("data-probe", JSON.stringify(out));
            })();
            </script>
            """#
        let html = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>\(svg)\(probe)</body></html>"
        try check(html: html, name: "diff-flame", minimumSVGs: 1, requirePaths: false, minimumBytes: 15_000)
        let dir = try ScratchDirectory("browser-diff")
        let page = dir.file("diff.html")
        try Data(html.utf8).write(to: page)
        let dom = try Self.run(["--dump-dom", page.absoluteString])
        let attribute = try #require(dom.stdout.firstRange(of: "data-probe=\"").map { dom.stdout[$0.upperBound...] })
        let json = String(attribute[..<attribute.firstIndex(of: "\"")!]).replacingOccurrences(of: "&quot;", with: "\"")
        let probe0 = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        #expect(probe0["drawn"] as? Int == 7, "\(json)")  // all, episode, stage A, steady, hot, stage B, cooled
        let fills = try #require(probe0["fills"] as? [String: String])
        // hot grew by 800, the largest change: full red. cooled shrank by 300: blue.
        #expect(fills["hot"] == "rgb(255, 0, 0)", "\(fills)")
        #expect(fills["cooled"]?.hasPrefix("rgb(") == true && fills["cooled"]?.hasSuffix(", 255)") == true, "\(fills)")
        #expect(fills["steady"] == "rgb(235, 235, 235)", "\(fills)")
        #expect((probe0["matched"] as? String)?.hasPrefix("Matched: ") == true, "\(json)")
    }
}
