/// Where a state is, packed in 8 bytes (one per state id, resident).
struct Location: Equatable {
    enum Tier: UInt64 {
        case absent = 0, hot = 1, warm = 2, cold = 3, deleted = 4
        /// Stored, not yet encoded (write-behind): the state is in ``TieredCore/staging``.
        case staged = 5
    }

    var raw: UInt64

    static let absent = Location(raw: Tier.absent.rawValue << 60)
    static let hot = Location(raw: Tier.hot.rawValue << 60)
    static let deleted = Location(raw: Tier.deleted.rawValue << 60)
    static let staged = Location(raw: Tier.staged.rawValue << 60)

    static func cold(_ a: ColdAddress) -> Location {
        precondition(a.segment < 1 << 20, "more than a million cold segments")
        return Location(raw: Tier.cold.rawValue << 60 | UInt64(a.segment) << 40 | UInt64(a.offset) << 8 | UInt64(a.index))
    }

    /// Warm, its record in warm block `block` (the block's row number in the warm database).
    static func warm(_ block: UInt64) -> Location {
        precondition(block < 1 << 60, "more than 2^60 warm blocks")
        return Location(raw: Tier.warm.rawValue << 60 | block)
    }

    var tier: Tier { Tier(rawValue: raw >> 60) ?? .absent }

    /// The warm block of a warm location.
    var warmBlock: UInt64 { raw & (1 << 60 - 1) }

    var coldAddress: ColdAddress {
        ColdAddress(segment: UInt32((raw >> 40) & 0xF_FFFF), offset: UInt32(truncatingIfNeeded: raw >> 8),
                    index: UInt8(truncatingIfNeeded: raw))
    }
}
