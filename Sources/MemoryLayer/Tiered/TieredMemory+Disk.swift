/// Reads that reach the on-disk tiers, with the promotions reads trigger. Every function here runs
/// with `io` held; a state may still be deleted meanwhile (that needs only `core`), so each step
/// that records something about it first checks it is still where it was read from.
extension TieredMemory {
    func retrieveFromDisk(_ id: UInt64, _ io: inout TierIO) throws(MemoryLayerError) -> ConsciousState? {
        enum Where { case memory(InMemory?), warm(UInt64), cold(ColdAddress) }
        // Re-resolve: the state may have moved between the caller's look and taking `io`.
        let (place, now, expectedSlot) = core.withLock { core -> (Where, UInt64, UInt32) in
            let loc = core.table.location(id)
            let now = core.clock
            let slot = [.absent, .deleted, .staged].contains(loc.tier) ? 0 : core.table.slot(id)
            switch loc.tier {
            case .absent, .deleted: return (.memory(nil), now, slot)
            case .staged: return (.memory(core.staged(id).map { .state($0) }), now, slot)
            case .warm: return (.warm(loc.warmBlock), now, slot)
            case .cold: return (.cold(loc.coldAddress), now, slot)
            case .hot: return (.memory(core.touchHot(id, now: now).map { .entry($0) }), now, slot)
            }
        }
        switch place {
        case .memory(let inMemory):
            return try state(of: id, inMemory)
        case .warm(let block):
            let read: StoredRecord?
            do { read = try io.warm.read(id: id, block: block) } catch { throw fail(error, id: id) }
            guard let record = read else {
                throw fail(.corrupt(id: id, tier: "warm", detail: "record missing from warm block \(block)"))
            }
            let (state, payload) = try verifiedState(id, record, tier: "warm", named: "row", expectedSlot: expectedSlot, &io)
            let reads = core.withLock { core -> Int? in
                guard core.table.location(id) == .warm(block) else { return nil }  // deleted since
                var touch = core.warmTouches[StateKey(id)] ?? WarmTouch(reads: 0, lastAccess: now)
                touch.reads += 1
                touch.lastAccess = now
                core.warmTouches[StateKey(id)] = touch
                return touch.reads
            }
            if let reads, reads >= configuration.warmReadsToHot {
                promoteToHot(record, from: block, payload: payload, &io)
            }
            return state
        case .cold(let address):
            let record: StoredRecord
            do { record = try io.cold.read(address, id: id) } catch { throw fail(error, id: id) }
            let (state, _) = try verifiedState(id, record, tier: "cold", named: "record", expectedSlot: expectedSlot, &io)
            let reads = core.withLock { core -> Int? in
                guard core.table.location(id) == .cold(address) else { return nil }  // deleted since
                let n = Int(core.coldReads[id] ?? 0) + 1
                core.coldReads[id] = UInt8(min(n, 255))
                return n
            }
            if let reads, reads >= configuration.coldReadsToWarm {
                promoteToWarm(record, from: address, now: now, &io)
            }
            return state
        }
    }

    /// The state `record` (a `named` of `tier`) holds, and its payload, once the record is checked to
    /// name the content the table expects.
    private func verifiedState(_ id: UInt64, _ record: StoredRecord, tier: String, named: String, expectedSlot: UInt32,
                               _ io: inout TierIO) throws(MemoryLayerError) -> (state: ConsciousState, payload: [UInt8]) {
        guard record.slot == expectedSlot else {
            throw fail(.corrupt(id: id, tier: tier, detail: "\(named) names content \(record.slot), expected \(expectedSlot)"))
        }
        let payload = try payload(of: id, slot: record.slot, &io)
        return (try decode(id: id, tier: tier, record: record.body, payload: payload), payload)
    }

    /// The unpacked payload of `slot`, from the warm database (or a pending write).
    private func payload(of id: UInt64, slot: UInt32, _ io: inout TierIO) throws(MemoryLayerError) -> [UInt8] {
        let stored: [UInt8]?
        do { stored = try io.warm.payload(slot: slot) } catch { throw fail(error, id: id) }
        guard let stored else {
            throw fail(.corrupt(id: id, tier: "warm", detail: "content \(slot) missing from the warm database"))
        }
        return stored
    }

    /// Warm → hot, after enough reads. The record's block row goes once none of its states is warm.
    private func promoteToHot(_ record: StoredRecord, from block: UInt64, payload: [UInt8], _ io: inout TierIO) {
        let promoted = core.withLock { core -> Bool in
            guard core.table.location(record.id) == .warm(block) else { return false }  // deleted since
            let entry = HotEntry(record: Array(record.body), slot: record.slot, payload: payload, lastAccess: core.clock)
            core.hotHeapBytes += entry.heapBytes
            core.hot.insert(record.id, entry)
            core.table.set(.hot, of: record.id)
            core.leaveWarmBlock(block)
            core.warmTouches[StateKey(record.id)] = nil
            core.counters.warm -= 1
            core.counters.warmToHot += 1
            return true
        }
        guard promoted else { return }
        maintain(&io, force: false)
    }

    /// Cold → warm, after enough reads (a warm block of its own). On failure (a full disk) the state just stays cold.
    private func promoteToWarm(_ record: StoredRecord, from address: ColdAddress, now: UInt64, _ io: inout TierIO) {
        let number = core.withLock { $0.takeWarmBlock() }
        let batch = WarmBatch(block: WarmBlockWrite(number: number, records: [
            WarmRecordRow(id: record.id, slot: record.slot, body: record.body, lastAccess: now),
        ]))
        guard io.charge(batch.estimatedBytes) else {
            _ = fail(.diskFull(path: warmPath))
            return
        }
        do { try io.warm.commit(batch) } catch {
            _ = fail(error, id: record.id)
            return
        }
        core.withLock { core in
            guard core.table.location(record.id) == .cold(address) else {
                core.warmDeletions.append(number)  // deleted since: the block just written goes with the next pass
                return
            }
            core.table.set(.warm(number), of: record.id)
            core.warmBlocks[number] = 1
            core.coldReads[record.id] = nil
            core.segments[address.segment]?.live -= 1
            core.counters.cold -= 1
            core.counters.coldDead += 1
            core.counters.warm += 1
            core.counters.coldToWarm += 1
        }
    }

    /// Counts `error` in the statistics and returns it, for `throw fail(…)`.
    func fail(_ error: MemoryLayerError) -> MemoryLayerError {
        core.withLock { $0.note(error) }
        return error
    }

    func fail(_ error: WarmError, id: UInt64?) -> MemoryLayerError {
        fail(Self.describe(error, path: warmPath, id: id))
    }

    func fail(_ error: ColdError, id: UInt64?) -> MemoryLayerError {
        fail(Self.describe(error, path: directory, id: id))
    }

    static func describe(_ error: WarmError, path: String, id: UInt64?) -> MemoryLayerError {
        switch error {
        case .full: .diskFull(path: path)
        case .damaged(let why): .warmTierDamaged(path: path, reason: why)
        case .constraint: .warmTierDamaged(path: path, reason: "a row the store did not expect is in the way")
        case .corrupt(let why):
            id.map { .corrupt(id: $0, tier: "warm", detail: why) } ?? .warmTierDamaged(path: path, reason: why)
        }
    }

    static func describe(_ error: ColdError, path: String, id: UInt64?) -> MemoryLayerError {
        switch error {
        case .file(let e) where e.isDiskFull: .diskFull(path: e.path)
        case .file(let e): .io(path: e.path, reason: e.description)
        case .budgetSpent(let p): .diskFull(path: p)
        case .truncated(let p, let offset): .truncatedSegment(path: p, offset: offset)
        case .corrupt(let p, let offset, let why):
            id.map { .corrupt(id: $0, tier: "cold", detail: "\(p) block at \(offset): \(why)") }
                ?? .io(path: p, reason: why)
        }
    }
}
