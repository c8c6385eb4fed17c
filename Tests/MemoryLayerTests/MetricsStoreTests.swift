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
                // The clock as the pipeline keeps it: episode × interval.
                episode: UInt64(i), timestamp: Double(i) * (1.0 / 15), phi: ignited ? phis[rng.below(4)] : 0,
                arousal: Double(emotion.y), salience: ignited ? 0.7 : 0.3, emotion: emotion, attentionFocus: focus,
                ignited: ignited, latencyNanoseconds: 1_000_000 + UInt64(rng.below(64)) * 1000)
        }
    }

    @Test("records round-trip through the ring and compressed archive chunks, bit-exact or within the stated precision",
          arguments: MemoryLevel.allCases)
    func roundTrip(level: MemoryLevel) throws {
        var c = smallConfiguration(level)
        c.metricsArchiveBudgetBytes = 1 << 30
        let store = try MemoryStore(configuration: c, directory: nil)
        let ms = series(100, seed: 50)
        for m in ms { try store.record(metrics: m) }
        let back = try store.metricsHistory()
        if let p = c.archivePrecisionBits {
            #expect(level != .off && level != .conservative)
            #expect(withinArchiveBound(back, ms, precisionBits: p))
        } else {
            #expect(back == ms)
        }
        let s = store.statistics().metricsStore
        #expect(s.recorded == 100)
        if level != .off {
            #expect(s.archiveChunks == 6)
            #expect(s.inRing == 4)
            #expect(s.droppedByCleanup == 0)
        }
    }

    @Test("column coders: regular, repeated and derived columns cost about a bit a value, bit-exact")
    func columnCoders() throws {
        // Synthetic on purpose: this pins what each coder does with data of a known shape (the
        // pipeline's real metrics and their ratio are in PipelineTests).
        var c = MemoryConfiguration.preset(.conservative)
        c.metricsArchiveBudgetBytes = 1 << 30
        let store = try MemoryStore(configuration: c, directory: nil)
        let ms = series(8192, seed: 51)
        for m in ms { try store.record(metrics: m) }
        #expect(try store.metricsHistory() == ms)
        let s = store.statistics().metricsStore
        #expect(s.archiveRecords == 8192 && s.precisionBits == nil)
        // Regular timestamps (episode × 1/15), dense episode numbers: delta-of-delta and prediction.
        #expect(try #require(s.columns["episode"]).bitsPerValue < 1.5)
        #expect(try #require(s.columns["timestamp"]).bitsPerValue < 1.5)
        // arousal is emotion.y as a Double: emotion.arousal is predicted from it.
        #expect(try #require(s.columns["emotion.arousal"]).bitsPerValue < 1.5)
        // Φ is 0 unless ignited, else one of four values: about a bit for ignition plus a small index.
        #expect(try #require(s.columns["phi"]).bitsPerValue < 2)
        #expect(s.columns.values.allSatisfy { $0.maxAbsError == 0 && $0.errorBound == 0 })
    }

    @Test("a quantized archive keeps each continuous column within 2^-(p+1), the others bit-exact", arguments: [4, 12, 20])
    func precision(bits: Int) throws {
        var c = MemoryConfiguration.preset(.moderate)
        c.archivePrecisionBits = bits
        c.metricsArchiveBudgetBytes = 1 << 30
        let store = try MemoryStore(configuration: c, directory: nil)
        var ms = series(3000, seed: 53)
        // Noisy readings, as the pipeline's are.
        var rng = TestRandom(seed: 54)
        for i in ms.indices {
            ms[i].arousal = Double(rng.symmetric()) * 0.5 + 0.5
            ms[i].salience = Double(rng.symmetric()) * 0.5 + 0.5
            ms[i].emotion = SIMD3(rng.symmetric(), Float(ms[i].arousal), rng.symmetric())
        }
        for m in ms { try store.record(metrics: m) }
        let back = try store.metricsHistory()
        #expect(withinArchiveBound(back, ms, precisionBits: bits))
        let s = store.statistics().metricsStore
        let bound = 1 / Double(1 << (bits + 1))
        for name in ["arousal", "salience", "emotion.valence", "emotion.dominance"] {
            let col = try #require(s.columns[name])
            #expect(col.errorBound == bound && col.maxAbsError <= bound * (1 + 1e-9) && col.maxAbsError > 0)
            // About one bit per bit of precision kept, whatever the mantissa noise.
            #expect(col.bitsPerValue < Double(bits) + 4)
        }
    }

    @Test("cleanup keeps important records within the byte budget, dropping the rest")
    func cleanup() throws {
        var c = smallConfiguration(.aggressive)
        c.metricsRingCapacity = 64
        c.metricsArchiveBudgetBytes = 2500
        c.archivePrecisionBits = nil  // survivors compared bit for bit
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

/// Whether `back` equals `ms` except the quantizable columns, which may each be off by 2^-(p+1)
/// (plus Float rounding for the emotion components).
func withinArchiveBound(_ back: [EpisodeMetrics], _ ms: [EpisodeMetrics], precisionBits p: Int) -> Bool {
    guard back.count == ms.count else { return false }
    let bound = 1 / Double(1 << (p + 1)) * (1 + 1e-9)
    return zip(back, ms).allSatisfy { b, m in
        let exact = b.episode == m.episode && b.timestamp.bitPattern == m.timestamp.bitPattern
            && b.phi.bitPattern == m.phi.bitPattern && b.attentionFocus == m.attentionFocus && b.ignited == m.ignited
            && b.latencyNanoseconds == m.latencyNanoseconds
        let floatSlack = 1e-7
        let close = abs(b.arousal - m.arousal) <= bound && abs(b.salience - m.salience) <= bound
            && (0..<3).allSatisfy { abs(Double(b.emotion[$0]) - Double(m.emotion[$0])) <= bound + floatSlack }
        return exact && close
    }
}
