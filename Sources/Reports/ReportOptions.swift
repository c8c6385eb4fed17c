import Foundation

/// Renders folded stacks (`frame;frame;frame count` lines) as an SVG flame graph.
/// The CLI passes `{ FlameGraph.svg(folded: $0, title: $1, width: $2) }`.
public typealias FlameGraphRenderer = @Sendable (_ folded: String, _ title: String, _ width: Int) -> String

/// The files ``ReportWriter`` can write.
public enum ReportFile: String, Sendable, CaseIterable, Equatable {
    case html = "report.html"
    case summaryCSV = "summary.csv"
    case timeseriesCSV = "timeseries.csv"
    case markdown = "summary.md"
}

/// Settings of a report.
public struct ReportOptions: Sendable {
    /// Names of the results, in order (default: scenario name, disambiguated by commit).
    public var labels: [String?]
    /// Per result, the directory its `profile.folded` (or `profile.folded_file`) is looked up in;
    /// the output directory is tried when an entry is missing or nil.
    public var sourceDirectories: [URL?]
    /// Draws the flame graph section when a result has folded stacks; without it the section says
    /// where the folded stacks are.
    public var flameGraph: FlameGraphRenderer?
    /// Which files to write.
    public var files: [ReportFile]
    /// Shown in the page footer and as `<meta name="generator">`.
    public var generator: String

    public init(labels: [String?] = [], sourceDirectories: [URL?] = [], flameGraph: FlameGraphRenderer? = nil,
                files: [ReportFile] = ReportFile.allCases, generator: String = "phibench") {
        self.labels = labels
        self.sourceDirectories = sourceDirectories
        self.flameGraph = flameGraph
        self.files = files
        self.generator = generator
    }
}
