/// Which states use a content slot: `owners[slot]` holds one, `moreOwners` the rest, ascending.
extension TieredCore {
    /// States using `slot`, newest first.
    func states(using slot: UInt32) -> [UInt64] {
        var out: [UInt64] = []
        forEachState(using: slot) { out.append($0); return true }
        return out
    }

    /// Hands `body` the states using `slot`, newest first, until it returns false; allocates nothing
    /// (`moreOwners` is ascending, so it is walked backwards with `owners`' one merged in).
    func forEachState(using slot: UInt32, _ body: (UInt64) -> Bool) {
        let first = owners[Int(slot)]
        guard first != .max else { return }
        guard let more = moreOwners[StateKey(UInt64(slot))] else {
            _ = body(first)
            return
        }
        var firstDue = true
        for id in more.reversed() {
            if firstDue, first > id {
                firstDue = false
                guard body(first) else { return }
            }
            guard body(id) else { return }
        }
        if firstDue { _ = body(first) }
    }
}
