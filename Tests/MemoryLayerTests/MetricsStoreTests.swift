import Testing
@testable import MemoryLayer

@Suite("Metrics store")
struct MetricsStoreTests {
    /// A pipeline-like series: Φ mostly 0 with ignitions drawing from a few cached values,
    /// slowly drifting emotion and arousal, attention on a small vocabulary.
    private func series(_ n: Int, seed: UInt64) -> [EpisodeMetrics] {
        var rng = TestRandom(seed: seed)
        var emotion = SIMD3<Float>(0.1, 0.5, 0.2)
        var focus: Int32 = 0
        let phis: [Double] = [0.41, 0.83, 1.27, 0.05]
        return (0..<n).map { i in
            let ignited = rng.below(4) == 0
            if rng.below(10) == 0 { emotion += SIMD3(rng.symmetric(), rng.symmetric(), rng.symmetric()) * 0.2 }
            if rng.below(5) == 0 { focus = Int32(rng.below(8)) }
            return EpisodeMetrics(
                episode: UInt64(i), timestamp: Double(i) / 15, phi: ignited ? phis[rng.below(4)] : 0,
                arousal: Double(emotion.y), salience: ignited ? 0.7 : 0.3, emotion: emotion, attentionFocus: focus,
                ignited: ignited, latencyNanoseconds: 1_000_000 + UInt64(rng.below(64)) * 1000)
        }
    }

    @Test("records round-trip exactly through the ring and compressed archive chunks", arguments: MemoryLevel.allCases)
    func roundTrip(level: MemoryLevel) throws {
        var c = smallConfiguration(level)
        c.metricsArchiveBudgetBytes = 1 << 30
        let store = try MemoryStore(configuration: c, directory: nil)
        let ms = series(100, seed: 50)
        for m in ms { try store.record(metrics: m) }
        #expect(try store.metricsHistory() == ms)
        let s = store.statistics().metricsStore
        #expect(s.recorded == 100)
        if level != .off {
            #expect(s.archiveChunks == 6)
            #expect(s.inRing == 4)
            #expect(s.droppedByCleanup == 0)
        }
    }

    @Test("the archive compresses pipeline-like metrics more than 10:1")
    func archiveRatio() throws {
        var c = MemoryConfiguration.preset(.moderate)
        c.metricsArchiveBudgetBytes = 1 << 30
        let store = try MemoryStore(configuration: c, directory: nil)
        for m in series(8192, seed: 51) { try store.record(metrics: m) }
        let s = store.statistics()
        #expect(s.metricsStore.archiveRecords == 8192)
        #expect(s.compression.archive > 10)
    }

    @Test("cleanup keeps important records within the byte budget, dropping the rest")
    func cleanup() throws {
        var c = smallConfiguration(.aggressive)
        c.metricsRingCapacity = 64
        c.metricsArchiveBudgetBytes = 2500
        let store = try MemoryStore(configuration: c, directory: nil)
        let ms = series(2000, seed: 52)
        for m in ms { try store.record(metrics: m) }
        let s = store.statistics().metricsStore
        #expect(s.archiveBytes <= 2500 + 2048)  // the newest chunk is kept even if alone over budget
        #expect(s.droppedByCleanup > 0)
        let kept = try store.metricsHistory()
        #expect(UInt64(kept.count) + s.droppedByCleanup == 2000)
        // What survives is in order and unchanged; the newest records are all there.
        let byEpisode = Dictionary(uniqueKeysWithValues: ms.map { ($0.episode, $0) })
        #expect(kept.allSatisfy { byEpisode[$0.episode] == $0 })
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0.episode < $1.episode })
        #expect(kept.suffix(64).map(\.episode) == ms.suffix(64).map(\.episode))
    }

    @Test("importance flags Φ changes of 0.1 or more, emotion changes and attention shifts")
    func importance() {
        let base = EpisodeMetrics(episode: 0, timestamp: 0, phi: 0.5, emotion: SIMD3(0, 0, 0), attentionFocus: 1)
        func flags(_ change: (inout EpisodeMetrics) -> Void) -> MetricsImportance {
            var m = base
            change(&m)
            return MetricsImportance.of(m, after: base, phiThreshold: 0.1, emotionThreshold: 0.1)
        }
        #expect(MetricsImportance.of(base, after: nil, phiThreshold: 0.1, emotionThreshold: 0.1) == .first)
        #expect(flags { $0.phi = 0.6 } == .phiChange)
        #expect(flags { $0.phi = 0.59 }.isEmpty)
        #expect(flags { $0.emotion.y = -0.1 } == .emotionChange)
        #expect(flags { $0.attentionFocus = 2 } == .attentionShift)
        #expect(flags { _ in }.isEmpty)
    }
}
