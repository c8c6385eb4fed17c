// The adaptive policy's figures and decisions.

/// The adaptive policy's state and history.
public struct MemoryAdaptiveStats: Sendable, Codable, Equatable {
    /// The resident-memory budget, bytes, and the share of episode time the layer may take.
    public var budgetBytes: UInt64
    public var costBudget: Double
    /// The rung of the strategy ladder in use at the end (0 = cheapest, highest = most compressed).
    public var rung: Int
    public var rungName: String
    /// Resident bytes and cost share at the last check.
    public var residentBytes: UInt64
    public var costShare: Double
    /// Largest resident bytes at any check after the first move.
    public var peakResidentBytes: UInt64
    /// Every decision, oldest first.
    public var decisions: [MemoryDecision]

    public init(budgetBytes: UInt64, costBudget: Double, rung: Int, rungName: String, residentBytes: UInt64,
                costShare: Double, peakResidentBytes: UInt64, decisions: [MemoryDecision]) {
        self.budgetBytes = budgetBytes
        self.costBudget = costBudget
        self.rung = rung
        self.rungName = rungName
        self.residentBytes = residentBytes
        self.costShare = costShare
        self.peakResidentBytes = peakResidentBytes
        self.decisions = decisions
    }

    enum CodingKeys: String, CodingKey {
        case budgetBytes = "budget_bytes"
        case costBudget = "cost_budget"
        case rung
        case rungName = "rung_name"
        case residentBytes = "resident_bytes"
        case costShare = "cost_share"
        case peakResidentBytes = "peak_resident_bytes"
        case decisions
    }
}

/// One decision of the adaptive policy: when (in stored states, the layer's logical time), what and why.
public struct MemoryDecision: Sendable, Codable, Equatable {
    /// States stored when it was taken (one per episode).
    public var episode: UInt64
    /// The rung it moved from and to.
    public var from: String
    public var to: String
    /// Why, with the telemetry it read.
    public var reason: String
    public var residentBytes: UInt64
    public var costShare: Double

    public init(episode: UInt64, from: String, to: String, reason: String, residentBytes: UInt64, costShare: Double) {
        self.episode = episode
        self.from = from
        self.to = to
        self.reason = reason
        self.residentBytes = residentBytes
        self.costShare = costShare
    }

    enum CodingKeys: String, CodingKey {
        case episode, from, to, reason
        case residentBytes = "resident_bytes"
        case costShare = "cost_share"
    }
}
