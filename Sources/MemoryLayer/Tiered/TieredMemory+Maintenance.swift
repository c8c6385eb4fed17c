/// Migrations by age: hot idle > T1 (or over capacity) → warm; warm idle > T2 → cold.
/// Promotions by reads are in `TieredMemory+Disk.swift`.
extension TieredMemory {
    /// Pending contents flushed to the warm database once this many accumulate.
    static let pendingFlushCount = 256

    /// Runs maintenance when something is due: the hot tier is over capacity, a sweep is due
    /// (every `sweepIntervalEpisodes`; idle states are demoted then, so T1 and T2 act with that
    /// granularity), or enough content writes are pending. Without `wait`, a thread that finds
    /// another one doing disk work goes on (that one, or the next store, will catch up).
    func maintainIfDue(wait: Bool) {
        let due = core.withLock { isMaintenanceDue($0) }
        guard due || wait else { return }
        if wait {
            io.withLock { maintain(&$0, force: true) }
        } else {
            maintainIfFree()
        }
    }

    /// Whether `core` has maintenance to do (the caller holds the lock).
    func isMaintenanceDue(_ core: borrowing TieredCore) -> Bool {
        core.hot.count > core.settings.hotCapacity || core.clock >= core.nextSweep
            || core.pending.count >= Self.pendingFlushCount || core.deadSlots.count >= Self.pendingFlushCount
            || core.warmDeletions.count >= Self.pendingFlushCount
    }

    /// One maintenance pass unless another thread is doing disk work (that one, or the next store, catches up).
    func maintainIfFree() {
        _ = io.withLockIfAvailable { maintain(&$0, force: false) }
    }

    /// One maintenance pass; `io` must be held (it is the caller's).
    func maintain(_ io: inout TierIO, force: Bool) {
        let c = configuration
        struct Plan {
            var batch: [(id: UInt64, entry: HotEntry)] = []
            var contents: [ContentRow] = []
            var deadSlots: [UInt32] = []
            var block: UInt64 = 0
            var deletions: [UInt64] = []
            var sweep = false
            var blob = BlobCodec.Choice.lz4(.fast(acceleration: 1))
        }
        let plan = core.withLock { core -> Plan in
            var p = Plan()
            let settings = core.settings
            p.blob = BlobCodec.Choice(codec: settings.payloadCodec, lz4: c.payloadLZ4, zlibLevel: Int32(c.archiveZlibLevel),
                                      typeSize: settings.payloadEncoding == .float32 ? 4 : 1)
            // Over capacity, demote down to 7/8 of it (and at least `demotionBatch` states), so that
            // writes to the warm tier come in batches.
            let lowWater = max(0, settings.hotCapacity - max(c.demotionBatch, settings.hotCapacity / 8))
            let overCapacity = core.hot.count > settings.hotCapacity
            p.batch.reserveCapacity(overCapacity ? min(c.maintenanceBatch, core.hot.count - lowWater) : 0)
            while p.batch.count < c.maintenanceBatch, let (id, e) = core.hot.oldest,
                  (overCapacity && core.hot.count > lowWater) || core.clock - e.lastAccess > settings.hotIdleEpisodes {
                core.hot.remove(id)
                core.hotHeapBytes -= e.heapBytes
                core.inFlight[StateKey(id)] = e
                p.batch.append((id, e))
            }
            if !p.batch.isEmpty { p.block = core.takeWarmBlock() }
            p.sweep = core.clock >= core.nextSweep
            if p.sweep { core.nextSweep = core.clock + c.sweepIntervalEpisodes }
            let flushContents = force || p.sweep || !p.batch.isEmpty || core.pending.count >= Self.pendingFlushCount
                || core.deadSlots.count >= Self.pendingFlushCount || core.warmDeletions.count >= Self.pendingFlushCount
            if flushContents {
                var unused: [ContentDigest] = []
                for (digest, pc) in core.pending {
                    if core.refcounts[Int(pc.slot)] > 0 {
                        p.contents.append(ContentRow(slot: pc.slot, digest: digest, payload: pc.payload))
                    } else {
                        unused.append(digest)
                    }
                }
                // Contents whose states were all deleted before they were written: never written.
                for digest in unused {
                    if let pc = core.pending.removeValue(forKey: digest) { core.pendingBytes -= 32 + pc.payload.count }
                }
                p.deadSlots = Array(core.deadSlots)
                p.deletions = core.warmDeletions
            }
            return p
        }
        let batch = WarmBatch(
            contentDeletions: plan.deadSlots, contents: plan.contents,
            block: plan.batch.isEmpty ? nil : WarmBlockWrite(number: plan.block, records: plan.batch.map {
                WarmRecordRow(id: $0.id, slot: $0.entry.slot, body: $0.entry.record, lastAccess: $0.entry.lastAccess)
            }),
            blockDeletions: plan.deletions)
        if !batch.isEmpty {
            let written: WarmTier.Written
            do throws(WarmError) {
                guard io.charge(batch.estimatedBytes) else { throw WarmError.full }
                written = try io.warm.commit(batch, plan.blob, compressor: io.compressor)
            } catch {
                let e = Self.describe(error, path: warmPath, id: nil)
                core.withLock { core in
                    // Put the batch back, oldest last, exactly where it was: nothing is lost.
                    for (id, entry) in plan.batch.reversed() where core.inFlight.removeValue(forKey: StateKey(id)) != nil {
                        core.hot.insert(id, entry, asOldest: true)
                        core.hotHeapBytes += entry.heapBytes
                    }
                    core.maintenanceError = e
                    core.note(e)
                }
                return
            }
            core.withLock { core in
                core.maintenanceError = nil
                var live = 0
                for (id, _) in plan.batch where core.inFlight.removeValue(forKey: StateKey(id)) != nil {  // else deleted while being written
                    core.table.set(.warm(plan.block), of: id)
                    core.counters.warm += 1
                    core.counters.hotToWarm += 1
                    live += 1
                }
                if live > 0 {
                    core.warmBlocks[plan.block] = live
                } else if !plan.batch.isEmpty {
                    core.warmDeletions.append(plan.block)
                }
                core.strategies.add(written.tally)
                for (row, size) in zip(plan.contents, written.sizes) {
                    core.settleStoredSize(row.slot, size)
                    guard core.pending[row.digest]?.slot == row.slot else { continue }
                    if let p = core.pending.removeValue(forKey: row.digest) { core.pendingBytes -= 32 + p.payload.count }
                }
                for slot in plan.deadSlots {
                    core.deadSlots.remove(slot)
                    // Its content row is gone from the database (or was never written): the slot can
                    // take a new content. Zero is final for a slot until it is reused from here.
                    core.freeSlots.append(slot)
                }
                // Deletions are only appended meanwhile, and only this pass (holding `io`) removes them.
                core.warmDeletions.removeFirst(plan.deletions.count)
            }
        }
        if plan.sweep { sweep(&io) }
        reclaimSegments(&io)
    }

    /// Removes cold segment files (other than the one being appended to) whose records are all dead.
    private func reclaimSegments(_ io: inout TierIO) {
        let current = io.cold.currentSegment
        let dead = core.withLock { core -> [UInt32] in
            guard core.segments.count > 1 else { return [] }
            return core.segments.compactMap { $0.value.live == 0 && $0.key != current ? $0.key : nil }
        }
        for segment in dead {
            do { try io.cold.remove(segment: segment) } catch {
                _ = fail(error, id: nil)
                continue
            }
            core.withLock { core in
                guard let usage = core.segments.removeValue(forKey: segment) else { return }
                core.counters.coldDead -= UInt64(usage.records)
                core.counters.coldBytesReclaimed += usage.bytes
                core.counters.segmentsRemoved += 1
            }
        }
    }

    /// Moves warm states idle longer than T2 to cold segments, by whole warm blocks, least recently
    /// accessed first, about `coldBlockRecords` at a time: their states still warm and not read since
    /// the cut-off go cold (in cold blocks of `coldBlockRecords`), those read since are written again
    /// as a new warm block, and the blocks' rows are deleted.
    private func sweep(_ io: inout TierIO) {
        let c = configuration
        let now = core.withLock { $0.clock }
        guard now > c.warmIdleEpisodes else { return }
        let cutoff = now - c.warmIdleEpisodes
        var moved = 0
        while moved < c.maintenanceBatch {
            let limit = min(c.coldBlockRecords, c.maintenanceBatch - moved)
            let found: [(block: UInt64, records: [StoredRecord])]
            do { found = try io.warm.idleBlocks(before: cutoff, records: limit) } catch {
                _ = fail(error, id: nil)
                return
            }
            guard !found.isEmpty else { return }
            // Records of states no longer warm in their block are left-overs (deleted, promoted, moved).
            let (idle, readSince) = core.withLock { core -> ([WarmRecord], [WarmRecord]) in
                var idle: [WarmRecord] = [], readSince: [WarmRecord] = []
                for (block, rows) in found {
                    for r in rows where core.table.location(r.id) == .warm(block) {
                        if !core.warmTouches.isEmpty, let touch = core.warmTouches[StateKey(r.id)], touch.lastAccess >= cutoff {
                            readSince.append(WarmRecord(record: r, block: block, lastAccess: touch.lastAccess))
                        } else {
                            idle.append(WarmRecord(record: r, block: block, lastAccess: 0))
                        }
                    }
                }
                return (idle, readSince)
            }
            var start = 0
            while start < idle.count {
                let chunk = Array(idle[start..<min(idle.count, start + c.coldBlockRecords)])
                guard moveToCold(chunk, &io) else { return }  // the rest stay warm; the next sweep tries again
                start += chunk.count
            }
            if !readSince.isEmpty {
                guard rewriteWarm(readSince, &io) else { return }
            }
            // Every state of these blocks has left them now: their rows go (with any other block left empty).
            let deletions = core.withLock { core -> [UInt64] in
                for (block, _) in found where core.warmBlocks.removeValue(forKey: block) != nil { core.warmDeletions.append(block) }
                return core.warmDeletions
            }
            do { try io.warm.commit(WarmBatch(blockDeletions: deletions)) } catch {
                _ = fail(error, id: nil)
                return
            }
            core.withLock { $0.warmDeletions.removeFirst(deletions.count) }
            let records = found.reduce(0) { $0 + $1.records.count }
            moved += records
            if records < limit { return }
        }
    }

    /// A warm record read back for a sweep: the warm block it is in, and (read since the cut-off) its last access.
    private struct WarmRecord {
        var record: StoredRecord
        var block: UInt64
        var lastAccess: UInt64
    }

    /// Appends warm records to a cold segment; returns false (and counts the error) if that failed.
    private func moveToCold(_ rows: [WarmRecord], _ io: inout TierIO) -> Bool {
        let addresses: [ColdAddress]
        let bytesBefore = io.cold.bytesWritten
        let temporal = core.withLock { $0.settings.temporalCold }
        var tally = StrategyTally()
        do {
            var budget = io.budget
            addresses = try io.cold.append(rows.map(\.record), temporal: temporal, tally: &tally) { bytes in
                guard let b = budget else { return true }
                guard b >= Int64(bytes) else { return false }
                budget = b - Int64(bytes)
                return true
            }
            io.budget = budget
        } catch {
            _ = fail(error, id: nil)
            return false
        }
        let bytes = io.cold.bytesWritten
        core.withLock { core in
            core.strategies.add(tally)
            let segment = addresses[0].segment
            core.segments[segment, default: SegmentUsage()].records += addresses.count
            core.segments[segment, default: SegmentUsage()].bytes += bytes - bytesBefore
            for (row, address) in zip(rows, addresses) {
                let id = row.record.id
                guard core.table.location(id) == .warm(row.block) else {
                    core.counters.coldDead += 1  // deleted while being written: a dead record
                    continue
                }
                core.table.set(.cold(address), of: id)
                core.leaveWarmBlock(row.block)
                core.warmTouches[StateKey(id)] = nil
                core.segments[segment, default: SegmentUsage()].live += 1
                core.counters.warm -= 1
                core.counters.cold += 1
                core.counters.warmToCold += 1
            }
            core.counters.coldBytesWritten = bytes
            core.counters.coldRecordsWritten += UInt64(rows.count)
        }
        return true
    }

    /// Writes warm records read since the sweep's cut-off as a new warm block, so that their old
    /// blocks can go; returns false (and counts the error) if that failed.
    private func rewriteWarm(_ rows: [WarmRecord], _ io: inout TierIO) -> Bool {
        let number = core.withLock { $0.takeWarmBlock() }
        let write = WarmBlockWrite(number: number, records: rows.map {
            WarmRecordRow(id: $0.record.id, slot: $0.record.slot, body: $0.record.body, lastAccess: $0.lastAccess)
        })
        do { try io.warm.commit(WarmBatch(block: write)) } catch {
            _ = fail(error, id: nil)
            return false
        }
        core.withLock { core in
            var live = 0
            for r in rows where core.table.location(r.record.id) == .warm(r.block) {
                core.table.set(.warm(number), of: r.record.id)
                core.leaveWarmBlock(r.block)
                live += 1
            }
            if live > 0 { core.warmBlocks[number] = live } else { core.warmDeletions.append(number) }
        }
        return true
    }
}
