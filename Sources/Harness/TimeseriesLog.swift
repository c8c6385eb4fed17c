import BenchModel
import Foundation
import Histogram
import Synchronization

/// `timeseries.jsonl`: a run's intervals streamed to disk as they happen, one JSON object per line,
/// each written with a single `write(2)` so a run killed with -9 leaves every finished interval
/// readable. The first line is a header (scenario, machine, build), then one line per interval
/// (the point plus its raw span: counters, gauges, end-to-end latency histogram), and an `end` line
/// when the run finished cleanly. The header carries the metric catalogue, so a rebuilt result
/// derives its figures exactly as the run would have.
public final class TimeseriesLog: Sendable {
    public static let schemaID = "phibench.timeseries/2"

    struct Header: Codable {
        var type = "header"
        var schema = TimeseriesLog.schemaID
        var scenario: ScenarioRecord
        var machine: MachineInfo
        var build: BuildInfo
        var workload: String
        var catalogue: MetricCatalogue
        var startedAt: String
    }

    struct Line: Codable {
        var type: String
        var point: TimeseriesPoint?
        var span: Span?
        var interrupted: Bool?
    }

    private let fd: Int32
    private let path: String
    private let failed = Mutex<String?>(nil)

    /// Creates (truncating) the log at `url` and writes its header.
    /// - Throws: ``HarnessError/write(path:reason:)``.
    public init(url: URL, scenario: ScenarioRecord, machine: MachineInfo, build: BuildInfo, workload: String,
                catalogue: MetricCatalogue) throws(HarnessError) {
        path = url.path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .write(path: path, reason: String(cString: strerror(errno))) }
        try append(Header(scenario: scenario, machine: machine, build: build, workload: workload, catalogue: catalogue,
                          startedAt: isoNow()))
    }

    deinit { close(fd) }

    /// Appends one interval. Errors are remembered (see ``writeError``) rather than thrown, because
    /// this runs on the sampler thread in the middle of a run.
    public func append(_ interval: IntervalSnapshot) {
        do {
            try append(Line(type: "interval", point: interval.point, span: interval.span))
        } catch {
            failed.withLock { $0 = $0 ?? error.description }
        }
    }

    /// Marks the log complete.
    public func finish(interrupted: Bool) throws(HarnessError) {
        try append(Line(type: "end", interrupted: interrupted))
        fsync(fd)
    }

    /// The first write error, if any.
    public var writeError: String? { failed.withLock { $0 } }

    private func append(_ value: some Encodable) throws(HarnessError) {
        var data: Data
        do { data = try JSONCoding.encoder([.sortedKeys, .withoutEscapingSlashes]).encode(value) } catch { throw .write(path: path, reason: "\(error)") }
        data.append(UInt8(ascii: "\n"))
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else {
            throw .write(path: path, reason: written < 0 ? String(cString: strerror(errno)) : "short write")
        }
    }
}
