/// What the memory layer reports into result.json (`memory_layer`).
///
/// Owned by the MemoryLayer module's work; the fields here are the minimum the reports read.
public struct MemoryLayerStats: Sendable, Codable, Equatable {
    /// `off`, `conservative`, `moderate` or `aggressive`.
    public var level: String
    /// Conscious states stored.
    public var storedStates: UInt64
    /// Bytes of one state before any optimisation (its plain in-memory form).
    public var logicalBytesPerState: Double
    /// Bytes the layer keeps in memory per stored state (hot tier, indexes, buffers).
    public var residentBytesPerState: Double

    public init(level: String, storedStates: UInt64 = 0, logicalBytesPerState: Double = 0, residentBytesPerState: Double = 0) {
        self.level = level
        self.storedStates = storedStates
        self.logicalBytesPerState = logicalBytesPerState
        self.residentBytesPerState = residentBytesPerState
    }

    enum CodingKeys: String, CodingKey {
        case level
        case storedStates = "stored_states"
        case logicalBytesPerState = "logical_bytes_per_state"
        case residentBytesPerState = "resident_bytes_per_state"
    }
}
