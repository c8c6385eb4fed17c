import BenchModel
import MemoryLayer

/// What the pipeline reports besides its stage timings: the Φ cache's counters, the ignitions, and the
/// memory layer's footprint, as the workload's own counters, gauges and metrics. The harness and the
/// reports know these only through this vocabulary.
extension PipelineWorkload {
    /// Keys of the pipeline's counters and gauges in ``WorkloadStatistics/values``.
    enum Key {
        static let phiHits = "phi.hits"
        static let phiMisses = "phi.misses"
        static let phiEvictions = "phi.evictions"
        static let ignitions = "esgt.ignitions"
        static let storedStates = "memory_layer.stored_states"
        static let faults = "memory_layer.faults"
        static let residentBytes = "memory_layer.resident_bytes"
        static let residentPerState = "memory_layer.resident_bytes_per_state"
        static let logicalPerState = "memory_layer.logical_bytes_per_state"
        static let liveStates = "memory_layer.live_states"
        static let diskBytes = "memory_layer.disk_bytes"
        static let compression = "memory_layer.compression_ratio"
        static let archive = "memory_layer.archive_ratio"
        static let dedup = "memory_layer.dedup_ratio"
    }

    /// What the pipeline reports, known before a workload exists (for checking thresholds).
    package static let stageVocabulary = WorkloadVocabulary(
        name: "pipeline",
        stages: PipelineStage.allCases.map { .init($0.name, parent: $0.parent?.name, summary: $0.summary) },
        counters: [Key.phiHits, Key.phiMisses, Key.phiEvictions, Key.ignitions, Key.storedStates, Key.faults],
        gauges: [Key.residentBytes, Key.residentPerState, Key.logicalPerState, Key.liveStates, Key.diskBytes,
                 Key.compression, Key.archive, Key.dedup],
        metrics: [
            MetricDescriptor(key: "phi.cache_hit_rate", label: "Φ cache hit rate", unit: .fraction, direction: .higherIsBetter,
                             source: .ratio([Key.phiHits], over: [Key.phiHits, Key.phiMisses]),
                             summary: "Φ lookups answered by the LRU cache ÷ lookups.", gated: true, highlight: true, series: true),
            MetricDescriptor(key: "phi.hits", label: "Φ cache hits", unit: .count, direction: .informational, source: .counter(Key.phiHits)),
            MetricDescriptor(key: "phi.misses", label: "Φ cache misses", unit: .count, direction: .informational, source: .counter(Key.phiMisses)),
            MetricDescriptor(key: "phi.evictions", label: "Φ cache evictions", unit: .count, direction: .informational,
                             source: .counter(Key.phiEvictions)),
            MetricDescriptor(key: "esgt.ignition_rate", label: "Ignitions / episode", unit: .fraction, direction: .informational,
                             source: .perEpisode(Key.ignitions), summary: "Episodes whose ESGT event ignited ÷ episodes."),
            MetricDescriptor(key: "memory_layer.resident_bytes_per_state", label: "Memory layer bytes / state", unit: .bytes,
                             direction: .lowerIsBetter, source: .gauge(Key.residentPerState, .end),
                             summary: "Bytes the memory layer keeps in memory per live state (its own structures)."),
            MetricDescriptor(key: "memory_layer.resident_bytes", label: "Memory layer resident", unit: .bytes, direction: .lowerIsBetter,
                             source: .gauge(Key.residentBytes, .end), summary: "Bytes the memory layer keeps in memory.", series: true),
            MetricDescriptor(key: "memory_layer.logical_bytes_per_state", label: "Logical bytes / state", unit: .bytes,
                             direction: .informational, source: .gauge(Key.logicalPerState, .end),
                             summary: "A state's plain in-memory size, before any optimisation."),
            MetricDescriptor(key: "memory_layer.live_states", label: "Live states", unit: .count, direction: .informational,
                             source: .gauge(Key.liveStates, .end)),
            MetricDescriptor(key: "memory_layer.stored_states", label: "States stored", unit: .count, direction: .informational,
                             source: .counter(Key.storedStates)),
            MetricDescriptor(key: "memory_layer.disk_bytes", label: "Memory layer on disk", unit: .bytes, direction: .lowerIsBetter,
                             source: .gauge(Key.diskBytes, .end), summary: "Warm SQLite and cold segment files."),
            MetricDescriptor(key: "memory_layer.compression_ratio", label: "Compression ratio", unit: .ratio, direction: .higherIsBetter,
                             source: .gauge(Key.compression, .end), summary: "Live states' logical bytes ÷ (resident + disk bytes)."),
            MetricDescriptor(key: "memory_layer.archive_ratio", label: "Metrics archive ratio", unit: .ratio, direction: .higherIsBetter,
                             source: .gauge(Key.archive, .end), summary: "Metrics archive: plain bytes ÷ archived bytes."),
            MetricDescriptor(key: "memory_layer.dedup_ratio", label: "Dedup ratio", unit: .ratio, direction: .higherIsBetter,
                             source: .gauge(Key.dedup, .end), summary: "Live states ÷ distinct embedding contents."),
            MetricDescriptor(key: "memory_layer.faults", label: "Memory layer faults", unit: .count, direction: .lowerIsBetter,
                             source: .counter(Key.faults), summary: "Corrupt records, truncated segments, I/O and disk-full errors."),
        ])

    package var vocabulary: WorkloadVocabulary { Self.stageVocabulary }

    package func statistics() -> WorkloadStatistics {
        let phi = context.phiCache.statistics
        let m = context.memory.statistics()
        return WorkloadStatistics(values: [
            Key.phiHits: Double(phi.hits), Key.phiMisses: Double(phi.misses), Key.phiEvictions: Double(phi.evictions),
            Key.ignitions: Double(context.ignitions.load(ordering: .relaxed)),
            Key.storedStates: Double(m.storedStates), Key.faults: Double(m.faults.total),
            Key.residentBytes: Double(m.residentBytes), Key.residentPerState: m.residentBytesPerState,
            Key.logicalPerState: m.logicalBytesPerState, Key.liveStates: Double(m.liveStates),
            Key.diskBytes: Double(m.disk.warmBytes + m.disk.coldBytes), Key.compression: m.compression.overall,
            Key.archive: m.compression.archive, Key.dedup: m.dedup.ratio,
        ])
    }

    /// The adaptive memory policy's decisions since the last call, as events on the run's time axis.
    package func drainEvents() -> [WorkloadEvent] {
        context.memory.drainDecisions().map { d in
            WorkloadEvent(episode: d.episode, kind: "memory.policy",
                          message: "\(d.from) → \(d.to): \(d.reason) (resident \(d.residentBytes) B, cost share \(Int((d.costShare * 100).rounded()))%)")
        }
    }

    /// The memory layer's full statistics, for the report's table of fields.
    package func details() -> JSONValue? {
        JSONValue.of(context.memory.statistics()).map { .object(["memory_layer": $0]) }
    }
}

extension PipelineStage {
    /// The stage this one is part of.
    var parent: PipelineStage? {
        switch self {
        case .phiHit, .phiMiss: .phi
        default: nil
        }
    }

    /// What the stage does, for the reports.
    var summary: String {
        switch self {
        case .mmei: "Internal state monitor: needs from the episode's internal metrics."
        case .mcea: "Arousal controller: arousal level and the ignition threshold."
        case .mea: "Attention schema: scores candidates, picks a focus."
        case .tig: "Global interconnect: injects the focus and propagates it along the graph."
        case .esgt: "Global synchronisation: Kuramoto oscillators on the recruited subgraph."
        case .phi: "Integrated information Φ of ignited events (through the LRU cache)."
        case .phiHit: "Φ lookups answered by the cache."
        case .phiMiss: "Φ computed (exhaustive over bipartitions)."
        case .memoryStore: "Storing the episode's conscious state in the memory layer."
        case .memoryQuery: "Similarity queries against the memory layer."
        }
    }
}
