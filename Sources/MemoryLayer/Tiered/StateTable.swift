/// Where each state is and the content slot of its embedding, by id (12 bytes a state, resident).
///
/// Ids are dense and never reused. The arrays hold ids `base ..< nextID`; every id below ``oldest``
/// is deleted, and once that deleted prefix is at least half the table it is dropped (one
/// `memmove` of what remains, into the same storage), so a store that deletes its oldest states
/// (retention) keeps a table of at most about twice its live states, with no reallocation once
/// it has grown to that. Dropped ids read as deleted.
struct StateTable {
    /// The id of the first entry held.
    private(set) var base: UInt64 = 0
    /// Every id below this is deleted: the oldest state that may be live (a cursor that only moves forward).
    private(set) var oldest: UInt64 = 0
    private var locations: [Location] = []
    private var slots: [UInt32] = []

    /// The id the next state gets.
    var nextID: UInt64 { base + UInt64(locations.count) }

    /// Where `id` is: ``Location/deleted`` below ``base``, ``Location/absent`` at or past ``nextID``.
    func location(_ id: UInt64) -> Location {
        guard id >= base else { return .deleted }
        guard id < nextID else { return .absent }
        return locations[Int(id - base)]
    }

    /// The content slot of `id`, which must be held (not dropped, not past ``nextID``).
    func slot(_ id: UInt64) -> UInt32 {
        precondition(id >= base && id < nextID, "state \(id) is not in the table (\(base)..<\(nextID))")
        return slots[Int(id - base)]
    }

    /// Adds a state at `location` using `slot` and returns its id.
    mutating func append(_ location: Location = .hot, slot: UInt32) -> UInt64 {
        locations.append(location)
        slots.append(slot)
        return nextID - 1
    }

    /// Moves held state `id` to `location`, now using content `slot`.
    mutating func set(_ location: Location, of id: UInt64, slot: UInt32) {
        set(location, of: id)
        slots[Int(id - base)] = slot
    }

    /// Moves held state `id` to `location`.
    mutating func set(_ location: Location, of id: UInt64) {
        precondition(id >= base && id < nextID, "state \(id) is not in the table (\(base)..<\(nextID))")
        locations[Int(id - base)] = location
    }

    /// The oldest state not deleted, if any. Amortised O(1): the cursor passes each id once.
    mutating func oldestLive() -> UInt64? {
        while oldest < nextID && location(oldest).tier == .deleted { oldest += 1 }
        return oldest < nextID ? oldest : nil
    }

    /// Drops the deleted prefix once it is at least half the table (and 64 entries): each entry
    /// is moved at most once per time the table doubles, so the cost per store is O(1) amortised.
    mutating func compactIfDue() {
        _ = oldestLive()
        let dead = Int(oldest - base)
        guard dead >= 64, dead * 2 >= locations.count else { return }
        locations.removeFirst(dead)
        slots.removeFirst(dead)
        base = oldest
    }

    /// Heap bytes of the two arrays.
    var residentBytes: Int { arrayBytes(locations) + arrayBytes(slots) }
}
