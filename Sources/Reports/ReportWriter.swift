import BenchModel
import Foundation

/// Writes the report files of a run directory: `report.html`, `summary.csv`, `timeseries.csv` and
/// `summary.md` (see ``ReportFile``), for one result or several side by side.
public enum ReportWriter {
    /// Writes the files in `options.files` for `results` into `directory` (created if missing).
    /// - Returns: the files written, in ``ReportFile`` order.
    /// - Throws: ``ReportError/noResults`` for an empty list, ``ReportError/writeFailed(file:reason:)``
    ///   when the directory or a file cannot be written.
    @discardableResult
    public static func write(results: [BenchResult], to directory: URL, options: ReportOptions = ReportOptions()) throws(ReportError) -> [URL] {
        guard !results.isEmpty else { throw .noResults }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(file: directory.relativePath, reason: reason(error))
        }
        var written: [URL] = []
        for file in ReportFile.allCases where options.files.contains(file) {
            let text: String
            switch file {
            case .html:
                let folded = results.indices.map { foldedStacks(results[$0], index: $0, output: directory, options: options) }
                text = HTMLReport.render(results: results, options: options, folded: folded)
            case .summaryCSV: text = SummaryCSV.render(results: results, labels: options.labels)
            case .timeseriesCSV: text = TimeseriesCSV.render(results: results, labels: options.labels)
            case .markdown: text = SummaryMarkdown.render(results: results, labels: options.labels)
            }
            let url = directory.appendingPathComponent(file.rawValue)
            try writeText(text, to: url)
            written.append(url)
        }
        return written
    }

    /// Writes `text` as UTF-8, atomically.
    static func writeText(_ text: String, to url: URL) throws(ReportError) {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(file: url.relativePath, reason: reason(error))
        }
    }

    /// Folded CPU stacks for result `index`: `profile.folded_file` (or `profile.folded`) in the
    /// result's source directory, then in the output directory.
    static func foldedStacks(_ r: BenchResult, index: Int, output: URL, options: ReportOptions) -> String? {
        let name = r.profile?.foldedFile ?? "profile.folded"
        var dirs: [URL] = []
        if index < options.sourceDirectories.count, let d = options.sourceDirectories[index] { dirs.append(d) }
        dirs.append(output)
        for d in dirs {
            let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : d.appendingPathComponent(name)
            if let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) {
                return text
            }
        }
        return nil
    }

    static func reason(_ error: any Error) -> String {
        let ns = error as NSError
        return ns.localizedFailureReason ?? ns.localizedDescription
    }
}
