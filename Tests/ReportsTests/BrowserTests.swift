import BenchModel
import Foundation
import Testing
@testable import Reports

/// Renders the reports in headless Chromium: the page must paint (a PNG that is not blank), its
/// DOM must hold the charts, and the console must stay free of errors.
@Suite(.serialized) struct BrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ args: [String]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                       "--disable-dev-shm-usage", "--hide-scrollbars"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes while the browser runs, so a full pipe cannot stall it.
        nonisolated(unsafe) var outData = Data()
        let reader = Thread { outData = out.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while reader.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        return Run(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (Int, Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        let be = { (o: Int) in bytes[o..<o + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    func check(html: String, name: String, minimumSVGs: Int) throws {
        guard Self.chromium != nil else {
            print("BrowserTests: skipped: chromium is not installed (apt-get install chromium)")
            return
        }
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
        #expect(data.count > 60_000, "screenshot is only \(data.count) bytes: blank page?")

        let dom = try Self.run(["--enable-logging=stderr", "--v=0", "--dump-dom", page.absoluteString])
        #expect(dom.status == 0)
        #expect(dom.stdout.components(separatedBy: "<svg").count - 1 >= minimumSVGs)
        #expect(dom.stdout.contains("<path d=\"M"))
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
}
