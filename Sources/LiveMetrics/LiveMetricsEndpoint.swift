import BenchModel
import Harness
import Prometheus
import Synchronization

/// The `/metrics` endpoint of one command: a server that lives as long as the command, serving the
/// exporter of the scenario running now (several scenarios run one after another under one port).
package final class LiveMetricsEndpoint: Sendable {
    /// The exporter being served, shared with the server's event loop.
    private final class Slot: Sendable {
        let exporter = Mutex<LiveMetricsExporter?>(nil)
    }

    private let server: MetricsServer
    private let current: Slot

    /// Starts serving on `address` (nothing is exported until ``begin(catalogue:scenario:workload:)``).
    /// - Throws: ``LiveMetricsError`` when the address cannot be resolved or bound.
    package init(address: ListenAddress) throws(LiveMetricsError) {
        let slot = Slot()
        current = slot
        server = try MetricsServer(address: address) {
            slot.exporter.withLock { $0 }?.registry.emitToBuffer() ?? []
        }
    }

    /// The scrape URL.
    package var url: String { server.url }

    /// A fresh exporter for the next run, served from now on.
    package func begin(catalogue: MetricCatalogue, scenario: String, workload: String) -> LiveMetricsExporter {
        let exporter = LiveMetricsExporter(catalogue: catalogue, scenario: scenario, workload: workload)
        current.exporter.withLock { $0 = exporter }
        return exporter
    }

    /// Stops serving.
    package func shutdown() { server.shutdown() }
}

extension RunOptions {
    /// These options with `exporter` fed from the sampler's intervals and the phase changes (the
    /// existing callbacks still run first), and per-stage interval histograms switched on.
    package func exporting(to exporter: LiveMetricsExporter) -> RunOptions {
        var o = self
        o.intervalStages = true
        let onInterval = self.onInterval, onPhase = self.onPhase
        o.onInterval = { snapshot in
            onInterval(snapshot)
            exporter.publish(snapshot)
        }
        o.onPhase = { index, label in
            onPhase?(index, label)
            exporter.phaseStarted(index, label: label)
        }
        return o
    }
}
