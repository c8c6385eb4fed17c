import BenchModel
import Foundation
import Histogram

/// Why a time-series log could not be read.
public enum TimeseriesLogError: Error, CustomStringConvertible, Equatable {
    case unreadable(path: String, reason: String)
    case notALog(path: String)
    case badLine(path: String, line: Int, reason: String)
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): "\(p): cannot read: \(r)"
        case .notALog(let p): "\(p): not a phibench time-series log (first line is not a \(TimeseriesLog.schemaID) header)"
        case .badLine(let p, let l, let r): "\(p):\(l): \(r)"
        case .empty(let p): "\(p): the log has a header but no finished interval to report on"
        }
    }
}

extension TimeseriesLog {
    /// Rebuilds a result from a (possibly partial) log: exact end-to-end percentiles from the merged
    /// interval histograms, throughput and memory from the points, and a leak verdict. Per-stage
    /// latency is not in the log, so the result has only `e2e`. A last line cut off mid-write
    /// (kill -9) is ignored; any other bad line is an error.
    public static func rebuild(from url: URL) throws(TimeseriesLogError) -> BenchResult {
        let path = url.path
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let decoder = JSONDecoder()
        guard let first = lines.first, let header = try? decoder.decode(Header.self, from: Data(first.utf8)),
              header.schema == schemaID else {
            throw .notALog(path: path)
        }
        var points: [TimeseriesPoint] = []
        var e2e = makeLatencyHistogram()
        var ended: Bool?
        for (i, line) in lines.enumerated().dropFirst() {
            let parsed: Line
            do {
                parsed = try decoder.decode(Line.self, from: Data(line.utf8))
            } catch {
                if i == lines.count - 1 { break }  // cut off by the kill: the intervals before it stand
                throw .badLine(path: path, line: i + 1, reason: "not a valid log line (\(error))")
            }
            switch parsed.type {
            case "interval":
                guard let p = parsed.point else { throw .badLine(path: path, line: i + 1, reason: "interval without a point") }
                points.append(p)
                if let h = try? parsed.e2e?.histogram() { e2e.add(h) }
            case "end":
                ended = parsed.interrupted ?? false
            default:
                throw .badLine(path: path, line: i + 1, reason: "unknown line type '\(parsed.type)'")
            }
        }
        guard let last = points.last, let firstPoint = points.first else { throw .empty(path: path) }

        let seconds = last.tSeconds
        let episodes = points.reduce(0) { $0 + $1.episodes }
        var summary = RunSummary(
            episodes: episodes, errors: points.reduce(0) { $0 + $1.errors }, dropped: points.reduce(0) { $0 + $1.dropped },
            throughputEps: seconds > 0 ? Double(episodes) / seconds : 0,
            latencyNs: e2e.totalCount > 0 ? ["e2e": e2e.latencySummary] : [:])
        let startRSS = firstPoint.rssBytes
        summary.memory = MemoryStats(
            rssStartBytes: startRSS, rssEndBytes: last.rssBytes, rssPeakBytes: points.map(\.rssBytes).max() ?? 0,
            rssGrowthPct: startRSS > 0 ? (Double(last.rssBytes) - Double(startRSS)) / Double(startRSS) * 100 : 0,
            rssSlopeBytesPerEpisode: rssSlope(points))
        if let b = last.jemallocAllocated {
            summary.memory.jemalloc = JemallocStats(allocated: b)
            summary.memory.allocationsPerEpisode = episodes > 0
                ? Double(points.compactMap(\.allocations).reduce(0, +)) / Double(episodes) : nil
        }
        summary.cpu.utilization = mean(points.map(\.cpuUtilization))

        let interrupted = ended ?? true
        var warnings = ["rebuilt from \(url.lastPathComponent): end-to-end latency only (per-stage histograms are not streamed)"]
        if ended == nil {
            warnings.append("the log has no end line: the run was killed; \(points.count) finished intervals are reported")
        }
        if header.build.configuration != "release" {
            warnings.append("debug build: timings are not representative")
        }
        return BenchResult(
            scenario: header.scenario, machine: header.machine, build: header.build, startedAt: header.startedAt,
            durationSeconds: seconds, interrupted: interrupted, warnings: warnings, summary: summary,
            timeseries: points, histograms: e2e.totalCount > 0 ? ["e2e": EncodedHistogram(e2e)] : [:],
            leak: LeakAnalysis.verdict(points))
    }
}
