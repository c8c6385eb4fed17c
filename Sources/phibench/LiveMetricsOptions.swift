import ArgumentParser
import Foundation
import Harness
import LiveMetrics

/// `--metrics-listen` and `--metrics-linger`, shared by `run` and `soak`.
struct LiveMetricsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Serve live metrics at http://HOST:PORT/metrics in the Prometheus text format while the run lasts.",
        discussion: "e.g. --metrics-listen 127.0.0.1:9464; port 0 picks a free port (printed on stderr).",
        valueName: "HOST:PORT"))
    var metricsListen: String?

    @Option(help: "Keep serving /metrics this long after the run ends, so a scraper sees the final values: a duration like 15s (default 0).")
    var metricsLinger: DurationArgument?

    func validate() throws {
        if let metricsListen {
            do { _ = try ListenAddress(parsing: metricsListen) } catch { throw ValidationError(error.description) }
        } else if metricsLinger != nil {
            throw ValidationError("--metrics-linger needs --metrics-listen")
        }
    }

    /// Starts the endpoint when asked for, printing its URL on stderr.
    func start() throws -> LiveMetricsEndpoint? {
        guard let metricsListen else { return nil }
        do {
            let endpoint = try LiveMetricsEndpoint(address: try ListenAddress(parsing: metricsListen))
            printError("metrics: \(endpoint.url)")
            return endpoint
        } catch {
            throw InputError(error)
        }
    }

    /// Waits out `--metrics-linger` (cut short by Ctrl-C), then stops the endpoint.
    func finish(_ endpoint: LiveMetricsEndpoint?, stop: StopSignal) {
        guard let endpoint else { return }
        if let linger = metricsLinger?.seconds, linger > 0 {
            let end = Date().addingTimeInterval(linger)
            while Date() < end, !stop.isSet { Thread.sleep(forTimeInterval: min(0.1, end.timeIntervalSinceNow)) }
        }
        endpoint.shutdown()
    }
}

extension RunOptions {
    /// These options, exporting to `endpoint` (a fresh exporter for `target`'s catalogue) when there is one.
    func exporting(to endpoint: LiveMetricsEndpoint?, target: WorkloadTarget, scenario: String) -> RunOptions {
        guard let endpoint else { return self }
        return exporting(to: endpoint.begin(catalogue: target.catalogue, scenario: scenario, workload: target.vocabulary.name))
    }
}
