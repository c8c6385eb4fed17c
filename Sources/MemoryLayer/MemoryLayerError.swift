/// Why the memory layer could not do what it was asked.
package enum MemoryLayerError: Error, CustomStringConvertible, Equatable {
    /// A file or directory could not be created, read or written.
    case io(path: String, reason: String)
    /// A stored item failed its checksum or could not be decoded; it is reported, never returned.
    case corrupt(id: UInt64, tier: String, detail: String)
    /// A cold segment file ends before a block it should hold.
    case truncatedSegment(path: String, offset: UInt64)
    /// The warm SQLite database is damaged or unreadable.
    case warmTierDamaged(path: String, reason: String)
    /// The disk (or the configured write budget) is full; nothing already stored was lost.
    case diskFull(path: String)
    /// The state's embedding has another length than the store's.
    case dimensionMismatch(expected: Int, actual: Int)
    /// The state cannot be stored as given (for example more than 255 emotion values).
    case invalidState(String)

    package var description: String {
        switch self {
        case .io(let path, let reason):
            "\(path): \(reason)"
        case .corrupt(let id, let tier, let detail):
            "memory item \(id) in the \(tier) tier is corrupt (\(detail)); it was not returned. "
                + "Delete the run directory's memory files to start clean."
        case .truncatedSegment(let path, let offset):
            "\(path): cold segment is truncated (a block at byte \(offset) is missing); items in it are unreadable"
        case .warmTierDamaged(let path, let reason):
            "\(path): the warm-tier SQLite database is damaged (\(reason)); remove it to start clean"
        case .diskFull(let path):
            "\(path): disk full (or the memory layer's write budget is spent); free space or raise the budget. "
                + "Items already stored are kept."
        case .dimensionMismatch(let expected, let actual):
            "embedding has \(actual) elements but this memory store holds \(expected)-element embeddings; "
                + "set the store's dimension to match the pipeline's workspace size"
        case .invalidState(let why):
            "state cannot be stored: \(why)"
        }
    }
}
