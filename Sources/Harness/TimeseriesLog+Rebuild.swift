import BenchModel
import Foundation

/// Why a time-series log could not be read.
public enum TimeseriesLogError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case notALog(path: String)
    case oldLog(path: String, schema: String)
    case badLine(path: String, line: Int, reason: String)
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .notALog(let p): "\(p): not a phibench time-series log (first line is not a \(TimeseriesLog.schemaID) header)"
        case .oldLog(let p, let s): "\(p): a \(s) log, written by an older phibench; rebuild it with that version"
        case .badLine(let p, let l, let r): "\(p):\(l): \(r)"
        case .empty(let p): "\(p): the log has a header but no finished interval to report on"
        }
    }
}

extension TimeseriesLog {
    /// Rebuilds a result from a (possibly partial) log: the sequential merge of the intervals' spans,
    /// summarised by the catalogue in the header, so figures (end-to-end percentiles from the merged
    /// histograms, throughput, memory, CPU, the workload's counters) come out as the run would have
    /// given them, plus a leak verdict. Per-stage latency is not streamed, so the result has only the
    /// episode measures. A last line cut off mid-write (kill -9) is ignored; any other bad line is an error.
    public static func rebuild(from url: URL) throws(TimeseriesLogError) -> BenchResult {
        let path = url.path
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let decoder = JSONCoding.decoder(nonFinite: true)
        struct Schema: Decodable { var schema: String? }
        guard let first = lines.first, let schema = (try? decoder.decode(Schema.self, from: Data(first.utf8)))?.schema else {
            throw .notALog(path: path)
        }
        if schema.hasPrefix("phibench.timeseries/") && schema != schemaID { throw .oldLog(path: path, schema: schema) }
        let header: Header
        do { header = try decoder.decode(Header.self, from: Data(first.utf8)) } catch { throw .notALog(path: path) }
        var points: [TimeseriesPoint] = []
        var spans: [Span] = []
        var ended: Bool?
        for (i, line) in lines.enumerated().dropFirst() {
            let parsed: Line
            do {
                parsed = try decoder.decode(Line.self, from: Data(line.utf8))
            } catch {
                if i == lines.count - 1 { break }  // cut off by the kill: the intervals before it stand
                let reason = (error as? DecodingError).map { ResultCodec.describe($0, file: path).description } ?? "\(error)"
                throw .badLine(path: path, line: i + 1, reason: "not a valid log line (\(reason.prefix(300)))")
            }
            switch parsed.type {
            case "interval":
                guard let p = parsed.point, let s = parsed.span else {
                    throw .badLine(path: path, line: i + 1, reason: "an interval line needs a point and a span")
                }
                points.append(p)
                spans.append(s)
            case "end":
                ended = parsed.interrupted ?? false
            default:
                throw .badLine(path: path, line: i + 1, reason: "unknown line type '\(parsed.type.prefix(40))'")
            }
        }
        guard let last = points.last else { throw .empty(path: path) }
        let slopes = gaugeSlopes(zip(points, spans).map { p, s in (p.episodesTotal, s.gauges.mapValues(\.end)) })
        let summary = header.catalogue.summarize(Span.sequential(spans, slopes: slopes))

        let interrupted = ended ?? true
        var warnings = RunWarning.forBuild(header.build)
        warnings.append(RunWarning(.rebuilt, .note, "rebuilt from \(url.lastPathComponent): end-to-end latency only (per-stage histograms are not streamed)"))
        if ended == nil {
            warnings.append(RunWarning(.killed, .bad, "the log has no end line: the run was killed; \(points.count) finished intervals are reported"))
        }
        return BenchResult(
            scenario: header.scenario, machine: header.machine, build: header.build, startedAt: header.startedAt,
            durationSeconds: last.tSeconds, interrupted: interrupted, warnings: warnings,
            workload: WorkloadRecord(name: header.workload), catalogue: header.catalogue, summary: summary,
            timeseries: points, leak: LeakAnalysis.verdict(points))
    }
}
