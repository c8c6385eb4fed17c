import Foundation
import Synchronization

/// Reading states back: by id from whichever tier holds them, deleting, and the similarity search.
extension TieredMemory {
    func retrieve(_ id: UInt64) throws(MemoryLayerError) -> ConsciousState? {
        enum Found { case memory(InMemory?), onDisk }
        let found = core.withLock { core -> Found in
            switch core.table.location(id).tier {
            case .absent, .deleted:
                return .memory(nil)
            case .staged:
                return .memory(core.staged(id).map { .state($0) })
            case .warm, .cold:
                return .onDisk
            case .hot:
                return core.touchHot(id, now: core.clock).map { .memory(.entry($0)) } ?? .onDisk
            }
        }
        switch found {
        case .memory(let inMemory):
            return try state(of: id, inMemory)
        case .onDisk:
            return try io.withLock { io throws(MemoryLayerError) in try retrieveFromDisk(id, &io) }
        }
    }

    /// What a read found of a state without going to disk: a hot (or in-flight) entry still to decode,
    /// or a staged state.
    enum InMemory { case entry(HotEntry), state(ConsciousState) }

    /// The state `found` holds: nil for nothing, a hot entry decoded.
    func state(of id: UInt64, _ found: InMemory?) throws(MemoryLayerError) -> ConsciousState? {
        switch found {
        case nil:
            return nil
        case .state(let s):
            return s
        case .entry(let e):
            return try decode(id: id, tier: "hot", record: e.record, payload: e.payload)
        }
    }

    /// Deletes `id` at once (it reads as gone from then on); a warm row it leaves is removed by the
    /// next maintenance pass, a cold record stays as dead space until its segment is removed.
    @discardableResult
    func delete(_ id: UInt64) throws(MemoryLayerError) -> Bool {
        let deleted = core.withLock { $0.remove(id) }
        if deleted { maintainIfDue(wait: false) }
        return deleted
    }

    func similar(to embedding: [Float], k: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)] {
        guard k > 0 else { return [] }
        guard embedding.count == configuration.dimension else {
            throw .dimensionMismatch(expected: configuration.dimension, actual: embedding.count)
        }
        let (snapshot, staged) = core.withLock { core in
            (core.index.snapshot,
             core.staging.compactMap { core.table.location($0.id).tier == .staged ? ($0.id, $0.state.embedding) : nil })
        }
        let query = IndexSnapshot.Query(embedding)
        // Staged states are not in the index yet: each is scored as its row will be.
        let stagedScores = staged.map { (id: $0.0, score: query.score($0.1, encoding: configuration.indexEncoding)) }
        let fromIndex = try similarInIndex(snapshot, query, k: k, staged: staged.count)
        guard !stagedScores.isEmpty else { return fromIndex }
        // A state encoded since the snapshot may be in both lists: keep its staged entry (same score).
        let firstStaged = staged[0].0
        var merged = stagedScores
        merged.reserveCapacity(stagedScores.count + fromIndex.count)
        for hit in fromIndex where hit.id < firstStaged || !staged.contains(where: { $0.0 == hit.id }) {
            merged.append(hit)
        }
        // Best first; equal scores (shared embeddings) newest first, as in the index.
        merged.sort { $0.score != $1.score ? $0.score > $1.score : $0.id > $1.id }
        if merged.count > k { merged.removeLast(merged.count - k) }
        return merged
    }

    private func similarInIndex(_ snapshot: IndexSnapshot, _ query: IndexSnapshot.Query, k: Int,
                                staged: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)] {
        // A few spare candidates cover slots whose states were deleted since the snapshot; if still
        // short, ask for more (rare: the scan skips slots that were already dead).
        var m = k + 8
        while true {
            let top = snapshot.top(query, m: m)
            let (result, live) = core.withLock { core -> ([(id: UInt64, score: Float)], UInt64) in
                var out: [(id: UInt64, score: Float)] = []
                out.reserveCapacity(k)
                // A slot reused since the snapshot holds another content now: its old row's score is not that content's.
                for (slot, generation, score) in top where core.index.generation(of: slot) == generation {
                    core.forEachState(using: slot) { id in
                        out.append((id, score))
                        return out.count < k
                    }
                    if out.count == k { return (out, core.counters.live) }
                }
                return (out, core.counters.live)
            }
            if result.count == k || result.count + staged >= Int(live) || m >= snapshot.count { return result }
            m = min(snapshot.count, 4 * m)
        }
    }
}

extension TieredCore {
    /// The hot entry of `id` with its last access moved to `now`, or the entry being written for it.
    mutating func touchHot(_ id: UInt64, now: UInt64) -> HotEntry? {
        if let e = hot.touch(id, { e -> HotEntry in
            e.lastAccess = now
            return e
        }) {
            return e
        }
        return inFlight[StateKey(id)]
    }
}
