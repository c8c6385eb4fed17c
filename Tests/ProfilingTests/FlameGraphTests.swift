import BenchModel
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reports

/// Collects what the flame graph tests look at while parsing the SVG as XML.
private final class SVGCollector: NSObject, XMLParserDelegate {
    var rootElement: String?
    var frames: [(name: String, samples: Double)] = []
    var rectWidths: [Double] = []
    /// Each frame's fill, by name (the last frame of a name wins).
    var fills: [String: String] = [:]
    var scripts = 0
    var inputs = 0
    var titleTexts: [String] = []
    private var inTitle = false

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        if rootElement == nil { rootElement = element }
        switch element {
        case "g" where attributes["class"] == "fg-f":
            frames.append((attributes["data-n"] ?? "", Double(attributes["data-w"] ?? "") ?? -1))
        case "rect" where !frames.isEmpty:
            rectWidths.append(Double(attributes["width"] ?? "") ?? -1)
            fills[frames[frames.count - 1].name] = attributes["fill"]
        case "script": scripts += 1
        case "input": inputs += 1
        case "title": inTitle = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        if element == "title" { inTitle = false }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { titleTexts.append(string) }
    }
}

@Suite struct FlameGraphTests {
    static let folded = """
        main;Swift.Array<Swift.Int>.append(_:) & co;ProfilingTests.deliberatelyHotFunction(iterations:) 90
        main;cold() 10
        not a folded line
        main;ignored -3

        """

    private func parse(_ svg: String) throws -> SVGCollector {
        let parser = XMLParser(data: Data(svg.utf8))
        let collector = SVGCollector()
        parser.delegate = collector
        let ok = parser.parse()
        #expect(ok, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")")
        return collector
    }

    @Test func svgIsWellFormedWithEscapedNames() throws {
        let svg = FlameGraph.svg(folded: Self.folded, title: "CPU <profile> & \"more\"", width: 1000)
        let parsed = try parse(svg)
        #expect(parsed.rootElement == "svg")
        #expect(parsed.scripts == 1 && parsed.inputs == 1, "zoom script and search box are inline")
        #expect(svg.contains("Swift.Array&lt;Swift.Int&gt;.append(_:) &amp; co"))
        #expect(svg.contains("CPU &lt;profile&gt; &amp; &quot;more&quot;"))
        #expect(!svg.contains("http://") || !svg.contains("src="), "no external resources")

        let names = parsed.frames.map(\.name)
        #expect(names == ["all", "main", "Swift.Array<Swift.Int>.append(_:) & co",
                          "ProfilingTests.deliberatelyHotFunction(iterations:)", "cold()"])
        #expect(parsed.frames.first?.samples == 100, "malformed and negative lines are skipped")
        let hot = try #require(parsed.frames.first { $0.name.contains("deliberatelyHotFunction") })
        #expect(hot.samples == 90)
        #expect(parsed.titleTexts.contains { $0.contains("deliberatelyHotFunction") && $0.contains("90.00%") })
    }

    @Test func widthsAreProportionalToCounts() throws {
        let parsed = try parse(FlameGraph.svg(folded: Self.folded, title: "t", width: 1020))
        // 1020 px minus 10 px padding each side = 1000 px for 100 samples.
        #expect(parsed.rectWidths.first == 1000)
        let hotIndex = try #require(parsed.frames.firstIndex { $0.name.contains("deliberatelyHotFunction") })
        #expect(abs(parsed.rectWidths[hotIndex] - 900) < 0.5)
    }

    @Test func emptyInputStillRendersValidSVG() throws {
        let svg = FlameGraph.svg(folded: "", title: "nothing")
        let parsed = try parse(svg)
        #expect(parsed.frames.isEmpty)
        #expect(svg.contains("No samples"))
    }

    /// A: main → grows (10), shrinks (50), same (40), gone (5). B: grows 30, shrinks 20, same 40,
    /// new (10). Widths are B's; colours follow the change of each frame's own count.
    static let diffBefore = "main;grows 10\nmain;shrinks 50\nmain;same 40\nmain;gone 5\n"
    static let diffAfter = "main;grows 30\nmain;shrinks 20\nmain;same 40\nmain;new 10\n"

    @Test func differentialGraphIsBsWidthsColouredByChange() throws {
        let svg = FlameGraph.differentialSVG(before: Self.diffBefore, after: Self.diffAfter, title: "diff", width: 1020, unit: "instr")
        let parsed = try parse(svg)
        #expect(parsed.scripts == 1 && parsed.inputs == 1)
        #expect(Set(parsed.frames.map(\.name)) == ["all", "main", "grows", "shrinks", "same", "new"], "code only A ran is not drawn")
        #expect(parsed.frames.first?.samples == 100)
        // The largest change of a frame's own count is shrinks' −30: the deepest blue.
        #expect(parsed.fills["shrinks"] == "rgb(0,0,255)")
        // grows: +20 of a largest 30 → 210 × (1 − 2/3) = 70 in the other channels.
        #expect(parsed.fills["grows"] == "rgb(255,70,70)")
        #expect(parsed.fills["new"] == "rgb(255,140,140)")
        #expect(parsed.fills["same"] == "rgb(235,235,235)")
        // main's own count is 0 on both sides: unchanged, although its children moved.
        #expect(parsed.fills["main"] == "rgb(235,235,235)")
        #expect(svg.contains("code only A ran, not drawn: -5.0"))
        #expect(svg.contains("<title>grows (30.0 instr, 30.00%) · A 10.0, Δ +20.0 · own: A 10.0, B 30.0, Δ +20.0</title>"))
    }

    @Test func differentialFoldedIsDifffoldedsFormatScaled() {
        let text = FlameGraph.differentialFolded(before: Self.diffBefore, after: Self.diffAfter, beforeScale: 0.5, afterScale: 0.1, digits: 2)
        #expect(text == """
            main;gone 2.50 0.00
            main;grows 5.00 3.00
            main;new 0.00 1.00
            main;same 20.00 4.00
            main;shrinks 25.00 2.00

            """)
        // Scaling to per-episode figures makes two windows of different length comparable.
        let svg = FlameGraph.differentialSVG(before: Self.diffBefore, after: Self.diffBefore, beforeScale: 1, afterScale: 2, title: "t")
        #expect(svg.contains("Δ +10.0"))
    }

    /// Sampling profiles are put per episode before they are drawn against each other: a CPU sample
    /// is 1 / effective Hz of CPU time, a heap profile's count is bytes.
    @Test func profilesArePutPerEpisode() throws {
        let cpu = ProfileInfo(kind: "cpu", samples: 1000, hz: 999, foldedFile: "profile.folded", effectiveHz: 500, episodes: 100)
        #expect(ProfileDifference.scale(cpu)?.scale == 20)  // 1e6 µs / 500 Hz / 100 episodes
        #expect(ProfileDifference.scale(cpu)?.unit == "µs CPU/episode")
        var capped = cpu
        capped.effectiveHz = nil
        #expect(abs((ProfileDifference.scale(capped)?.scale ?? 0) - 1e6 / 999 / 100) < 1e-9)
        let heap = ProfileInfo(kind: "heap", samples: 10, hz: 0, foldedFile: "profile.folded", episodes: 4)
        #expect(ProfileDifference.scale(heap)?.scale == 0.25 && ProfileDifference.scale(heap)?.unit == "bytes/episode")
        var noEpisodes = cpu
        noEpisodes.episodes = nil
        #expect(ProfileDifference.scale(noEpisodes) == nil)
    }

    @Test func controlCharactersAreDropped() {
        #expect(Escape.xml("a\u{1}b<c>") == "a b&lt;c&gt;")
    }
}
