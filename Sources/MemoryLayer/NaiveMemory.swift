import BenchModel
import Synchronization

/// The `off` level, the baseline to beat: every state as plain arrays in memory, kept until
/// deleted; similarity is an exact float cosine scan over all of them.
final class NaiveMemory: Sendable {
    private struct Contents {
        var states: [ConsciousState?] = []
        /// Heap bytes of the states' embedding and emotion arrays.
        var arrayHeapBytes = 0
        var live: UInt64 = 0
        var logicalBytes: UInt64 = 0
        var metrics: [EpisodeMetrics] = []
    }

    private let contents = Mutex(Contents())

    func store(_ state: ConsciousState) -> UInt64 {
        let heap = arrayBytes(state.embedding) + arrayBytes(state.emotion)
        let logical = MemoryLayout<ConsciousState>.stride + 4 * state.embedding.count + 4 * state.emotion.count
        return contents.withLock { c in
            c.states.append(state)
            c.arrayHeapBytes += heap
            c.live += 1
            c.logicalBytes += UInt64(logical)
            return UInt64(c.states.count - 1)
        }
    }

    func retrieve(_ id: UInt64) -> ConsciousState? {
        contents.withLock { c in id < UInt64(c.states.count) ? c.states[Int(id)] : nil }
    }

    func delete(_ id: UInt64) -> Bool {
        contents.withLock { c in
            guard id < UInt64(c.states.count), let s = c.states[Int(id)] else { return false }
            c.arrayHeapBytes -= arrayBytes(s.embedding) + arrayBytes(s.emotion)
            c.states[Int(id)] = nil
            c.live -= 1
            return true
        }
    }

    func similar(to query: [Float], k: Int) -> [(id: UInt64, score: Float)] {
        guard k > 0 else { return [] }
        var qq: Float = 0
        for v in query { qq += v * v }
        let qNorm = qq.squareRoot()
        return contents.withLock { c in
            var best = TopK(k: k)
            for (i, s) in c.states.enumerated() {
                guard let s else { continue }
                var dot: Float = 0, nn: Float = 0
                for j in 0..<min(s.embedding.count, query.count) {
                    dot += s.embedding[j] * query[j]
                    nn += s.embedding[j] * s.embedding[j]
                }
                let d = nn.squareRoot() * qNorm
                best.offer(UInt64(i), d == 0 ? 0 : dot / d)
            }
            return best.sorted.map { ($0.key, $0.score) }
        }
    }

    func record(metrics: EpisodeMetrics) {
        contents.withLock { $0.metrics.append(metrics) }
    }

    func metricsHistory() -> [EpisodeMetrics] {
        contents.withLock { $0.metrics }
    }

    func statistics() -> MemoryLayerStats {
        contents.withLock { c in
            var s = MemoryLayerStats(level: MemoryLevel.off.rawValue)
            s.storedStates = UInt64(c.states.count)
            s.liveStates = c.live
            s.logicalBytesPerState = c.states.isEmpty ? 0 : Double(c.logicalBytes) / Double(c.states.count)
            s.resident.states = UInt64(arrayBytes(c.states) + c.arrayHeapBytes)
            s.resident.metrics = UInt64(arrayBytes(c.metrics))
            s.residentBytes = s.resident.states + s.resident.metrics
            s.residentBytesPerState = c.live == 0 ? 0 : Double(s.residentBytes) / Double(c.live)
            s.tiers.hot = c.live
            s.compression.hot = s.residentBytesPerState > 0 ? s.logicalBytesPerState / s.residentBytesPerState : 0
            s.compression.overall = s.compression.hot
            s.dedup.uniqueContents = c.live
            s.dedup.ratio = c.live == 0 ? 0 : 1
            s.metricsStore.recorded = UInt64(c.metrics.count)
            s.metricsStore.inRing = UInt64(c.metrics.count)
            return s
        }
    }
}
