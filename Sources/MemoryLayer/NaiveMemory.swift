import Synchronization

/// The `off` level, the baseline to beat: every state as plain arrays in memory, kept until
/// deleted; similarity is an exact float cosine scan over all of them.
///
/// With a retention, a store that makes more states live deletes the oldest, and the metrics
/// history keeps the newest `retention` records; the deleted prefix of either array is dropped
/// once it is half the array (amortised O(1) a store), so memory stays at most about twice the
/// retained states.
final class NaiveMemory: Sendable {
    private struct Contents {
        /// Id of `states[0]`; every id below it was deleted and dropped.
        var base: UInt64 = 0
        /// Every id below this is deleted: where the search for the oldest live state starts.
        var oldest: UInt64 = 0
        var states: [ConsciousState?] = []
        /// Heap bytes of the states' embedding and emotion arrays.
        var arrayHeapBytes = 0
        var stored: UInt64 = 0
        var live: UInt64 = 0
        var evicted: UInt64 = 0
        var logicalBytes: UInt64 = 0
        var metrics: [EpisodeMetrics] = []
        var metricsRecorded: UInt64 = 0

        var nextID: UInt64 { base + UInt64(states.count) }

        mutating func remove(_ id: UInt64) -> Bool {
            guard id >= base, id < nextID, let s = states[Int(id - base)] else { return false }
            arrayHeapBytes -= heapBytes(s)
            states[Int(id - base)] = nil
            live -= 1
            return true
        }

        /// Deletes the oldest states while more than `limit` are live, then drops a long enough deleted prefix.
        mutating func enforce(_ limit: Int?) {
            if let limit {
                while live > UInt64(limit) {
                    while states[Int(oldest - base)] == nil { oldest += 1 }
                    _ = remove(oldest)
                    evicted += 1
                }
            }
            while oldest < nextID && states[Int(oldest - base)] == nil { oldest += 1 }
            let dead = Int(oldest - base)
            if dead >= 64 && dead * 2 >= states.count {
                states.removeFirst(dead)
                base = oldest
            }
        }
    }

    private let retention: Int?
    private let contents = Mutex(Contents())

    init(retention: Int? = nil) {
        self.retention = retention
    }

    func store(_ state: ConsciousState) -> UInt64 {
        let heap = heapBytes(state)
        let logical = state.logicalBytes
        return contents.withLock { c in
            c.states.append(state)
            c.arrayHeapBytes += heap
            c.stored += 1
            c.live += 1
            c.logicalBytes += UInt64(logical)
            let id = c.nextID - 1
            c.enforce(retention)
            return id
        }
    }

    func retrieve(_ id: UInt64) -> ConsciousState? {
        contents.withLock { c in id >= c.base && id < c.nextID ? c.states[Int(id - c.base)] : nil }
    }

    func delete(_ id: UInt64) -> Bool {
        contents.withLock { c in
            guard c.remove(id) else { return false }
            c.enforce(nil)
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
                best.offer(c.base + UInt64(i), d == 0 ? 0 : dot / d)
            }
            return best.sorted.map { ($0.key, $0.score) }
        }
    }

    func record(metrics: EpisodeMetrics) {
        contents.withLock { c in
            c.metrics.append(metrics)
            c.metricsRecorded += 1
            // Drop the oldest half at twice the limit: O(1) a record amortised, the storage reused.
            if let limit = retention, c.metrics.count >= 2 * limit {
                c.metrics.removeFirst(c.metrics.count - limit)
            }
        }
    }

    func metricsHistory() -> [EpisodeMetrics] {
        contents.withLock { c in
            guard let limit = retention, c.metrics.count > limit else { return c.metrics }
            return Array(c.metrics.suffix(limit))
        }
    }

    func statistics() -> MemoryLayerStats {
        contents.withLock { c in
            var s = MemoryLayerStats(level: MemoryLevel.off.rawValue)
            s.storedStates = c.stored
            s.liveStates = c.live
            s.retention = retention.map(UInt64.init)
            s.evictedByRetention = c.evicted
            s.logicalBytesPerState = c.stored == 0 ? 0 : Double(c.logicalBytes) / Double(c.stored)
            s.resident.states = UInt64(arrayBytes(c.states) + c.arrayHeapBytes)
            s.resident.metrics = UInt64(arrayBytes(c.metrics))
            s.residentBytes = s.resident.states + s.resident.metrics
            s.residentBytesPerState = c.live == 0 ? 0 : Double(s.residentBytes) / Double(c.live)
            s.tiers.hot = c.live
            s.compression.hot = s.residentBytesPerState > 0 ? s.logicalBytesPerState / s.residentBytesPerState : 0
            s.compression.overall = s.compression.hot
            s.dedup.uniqueContents = c.live
            s.dedup.ratio = c.live == 0 ? 0 : 1
            let held = UInt64(retention.map { min($0, c.metrics.count) } ?? c.metrics.count)
            s.metricsStore.recorded = c.metricsRecorded
            s.metricsStore.inRing = held
            s.metricsStore.droppedByCleanup = c.metricsRecorded - held
            // Kept plain: each column costs its field's width (ratio 1), so compare sets the archive beside it.
            if held > 0 {
                s.compression.archive = 1
                for col in MetricsColumn.allCases {
                    s.metricsStore.columns[col.name] = MemoryArchiveColumnStats(
                        bitsPerValue: Double(col.rawBits), ratio: 1, maxAbsError: 0, errorBound: 0)
                }
            }
            return s
        }
    }
}

/// Heap bytes a state's arrays hold (headers and capacities).
func heapBytes(_ s: ConsciousState) -> Int {
    arrayBytes(s.embedding) + arrayBytes(s.emotion) + arrayBytes(s.activation) + arrayBytes(s.participation)
        + (s.graph.map { arrayBytes($0.nodes) + arrayBytes($0.edges) } ?? 0)
}
