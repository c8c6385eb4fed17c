import BenchModel
@testable import MemoryLayer
@testable import Pipeline
import Testing

/// The metrics archive on the pipeline's own metrics (not synthetic ones): two workers' episodes
/// interleaved as the harness runs them, the memory-compare stimulus.
@Suite struct ArchiveRatioTests {
    private func pipelineMetrics(_ episodes: Int) throws -> [EpisodeMetrics] {
        let config = try PipelineConfig(settings: ["pipeline.memory": "off", "pipeline.memory_query.every": "0",
                                                   "stimulus.vocabulary": "2000", "stimulus.zipf": "1.05"])
        let workload = try PipelineWorkload(config: config, seed: 42, directory: nil)
        var workers = [try workload.makeWorker(id: 0), try workload.makeWorker(id: 1)]
        var timings = StageTimings(stageCount: workload.stageNames.count)
        for n in 0..<UInt64(episodes) {
            timings.reset()
            try workers[Int(n % 2)].runEpisode(n, timings: &timings)
        }
        return try workload.memory.metricsHistory()
    }

    private func archive(_ ms: [EpisodeMetrics], _ level: MemoryLevel) throws -> (MemoryStore, MemoryLayerStats) {
        var c = MemoryConfiguration.preset(level)
        c.metricsArchiveBudgetBytes = 1 << 30
        let store = try MemoryStore(configuration: c, directory: nil)
        for m in ms { try store.record(metrics: m) }
        return (store, store.statistics())
    }

    @Test("bit-exact, the real metrics stop near 3.4:1: four readings carry noise in every mantissa bit")
    func exactArchive() throws {
        let ms = try pipelineMetrics(4096)
        let (store, s) = try archive(ms, .conservative)
        #expect(try store.metricsHistory() == ms)
        #expect(s.compression.archive > 2.5)
        let cols = s.metricsStore.columns
        // The noise floor: what no lossless coder removes (measured 63, 60, 31, 30 bits).
        for name in ["arousal", "salience"] { #expect(try #require(cols[name]).bitsPerValue > 45) }
        for name in ["emotion.valence", "emotion.dominance"] { #expect(try #require(cols[name]).bitsPerValue > 22) }
        // The regular and derived columns cost about a bit.
        for name in ["episode", "timestamp", "emotion.arousal", "ignited"] { #expect(try #require(cols[name]).bitsPerValue < 1.5) }
    }

    @Test("at the moderate preset's precision (2^-12) the real metrics archive better than 10:1, within 2^-13")
    func moderateArchive() throws {
        let ms = try pipelineMetrics(4096)
        let (store, s) = try archive(ms, .moderate)
        let bits = try #require(MemoryConfiguration.preset(.moderate).archivePrecisionBits)
        #expect(withinBound(try store.metricsHistory(), ms, bits: bits))
        #expect(s.compression.archive > 10)
        #expect(s.metricsStore.columns.values.allSatisfy { $0.maxAbsError <= $0.errorBound })
    }

    private func withinBound(_ back: [EpisodeMetrics], _ ms: [EpisodeMetrics], bits: Int) -> Bool {
        let bound = 1 / Double(1 << (bits + 1))
        return back.count == ms.count && zip(back, ms).allSatisfy { b, m in
            b.episode == m.episode && b.timestamp == m.timestamp && b.phi.bitPattern == m.phi.bitPattern
                && b.ignited == m.ignited && b.attentionFocus == m.attentionFocus
                && abs(b.arousal - m.arousal) <= bound && abs(b.salience - m.salience) <= bound
                && (0..<3).allSatisfy { abs(Double(b.emotion[$0]) - Double(m.emotion[$0])) <= bound }
        }
    }
}
