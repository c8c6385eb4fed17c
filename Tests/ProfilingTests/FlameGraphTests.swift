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

    @Test func controlCharactersAreDropped() {
        #expect(Escape.xml("a\u{1}b<c>") == "a b&lt;c&gt;")
    }
}
