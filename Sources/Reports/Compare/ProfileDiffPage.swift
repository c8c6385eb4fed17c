/// A page for two profiles of one workload, such as two instruction counts
/// (`instructions-compare.html`): a verdict, tables whose figures the caller has formatted, and a
/// differential flame graph (``FlameGraph/differentialSVG(before:after:beforeScale:afterScale:title:width:unit:)``).
/// Knows nothing of what was profiled; the same look as the other reports.
public struct ProfileDiffPage: Sendable {
    /// How the verdict is coloured.
    public enum Tone: String, Sendable {
        case bad, good, warn, neutral
    }

    /// A table of text; columns in `numeric` are right-aligned.
    public struct Table: Sendable {
        public var caption: String?
        public var headers: [String]
        public var rows: [[String]]
        public var numeric: Set<Int>

        public init(caption: String?, headers: [String], rows: [[String]], numeric: Set<Int> = []) {
            self.caption = caption
            self.headers = headers
            self.rows = rows
            self.numeric = numeric
        }
    }

    public var title: String
    public var subtitle: String?
    public var verdict: String
    public var tone: Tone
    /// The two sides: a label and what it was (build, file).
    public var sides: [(label: String, detail: String)]
    public var tables: [Table]
    /// The differential flame graph's SVG, when both sides had call trees.
    public var flameGraph: String?
    /// Said under the graph, or, without one, why there is none.
    public var flameGraphNote: String?
    public var notes: [String]

    public init(title: String, subtitle: String?, verdict: String, tone: Tone, sides: [(label: String, detail: String)],
                tables: [Table], flameGraph: String?, flameGraphNote: String?, notes: [String] = []) {
        self.title = title
        self.subtitle = subtitle
        self.verdict = verdict
        self.tone = tone
        self.sides = sides
        self.tables = tables
        self.flameGraph = flameGraph
        self.flameGraphNote = flameGraphNote
        self.notes = notes
    }

    /// The page as GitHub Markdown (a pull-request comment or a job summary): the verdict, the
    /// tables, the notes, and where the graph is (`graphFile`), within `limit` characters — rows past
    /// it are left out with a line that says so (a GitHub comment holds 65,536).
    public func markdown(graphFile: String? = nil, limit: Int = 60_000) -> String {
        var out = "### \(Escape.markdown(title))\n\n**\(Escape.markdown(verdict))**\n\n"
        for t in tables {
            var table = MarkdownTable(t.headers, align: t.headers.indices.map { t.numeric.contains($0) ? .right : .left })
            for row in t.rows {
                table.append(Array((row + Array(repeating: "", count: Swift.max(0, t.headers.count - row.count))).prefix(t.headers.count)))
            }
            // One line a row after the header's two: keep the rows that fit, say how many did not.
            let lines = table.render().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            var body = (t.caption.map { Escape.markdown($0) + "\n\n" } ?? "") + lines.prefix(2).joined(separator: "\n") + "\n"
            let budget = limit - 500 - out.count
            var used = body.count, kept = 0
            for line in lines.dropFirst(2) {
                used += line.count + 1
                guard used <= budget else { break }
                body += line + "\n"
                kept += 1
            }
            if kept < t.rows.count { body += "\n_\(t.rows.count - kept) more rows left out to stay under \(limit) characters._\n" }
            out += body + "\n"
        }
        for note in notes { out += "- \(Escape.markdown(note))\n" }
        if let graphFile { out += "\nDifferential flame graph: `\(graphFile)`.\n" }
        return out
    }

    /// The page as self-contained HTML.
    public func html(generator: String = "phibench") -> String {
        func table(_ t: Table) -> Reports.Table {
            Reports.Table(caption: t.caption, headers: t.headers.enumerated().map { Cell($1, cls: t.numeric.contains($0) ? "num" : "") },
                          rows: t.rows.map { row in Row(cells: row.enumerated().map { Cell($1, cls: t.numeric.contains($0) ? "num" : "") }) })
        }
        var sections = [Section(id: "figures", title: "What changed", intro: nil, tables: tables.map(table))]
        var figures: [Figure] = []
        if let flameGraph {
            figures.append(Figure(svg: flameGraph, caption: flameGraphNote, wide: true))
        }
        sections.append(Section(id: "flame", title: "Differential flame graph", intro: flameGraph == nil ? flameGraphNote : nil,
                                figures: figures, notes: notes))
        let runs = Reports.Table(caption: nil, headers: [Cell("Side"), Cell("What")],
                                 rows: sides.map { Row(cells: [Cell($0.label), Cell($0.detail, cls: "mono")]) })
        let page = Page(title: title, subtitle: subtitle, generator: generator, verdict: verdict, verdictClass: tone.rawValue,
                        banners: [], runs: runs, cards: [], sections: sections,
                        toc: sections.map { Page.TOCEntry(id: $0.id, title: $0.title) })
        return Templates.render(page)
    }
}
