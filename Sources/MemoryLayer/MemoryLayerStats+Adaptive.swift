// The adaptive policy's figures and decisions.

/// The adaptive policy's state and history.
package struct MemoryAdaptiveStats: Sendable, Codable, Equatable {
    /// The resident-memory budget, bytes, and the share of episode time the layer may take.
    package var budgetBytes: UInt64
    package var costBudget: Double
    /// The rung of the strategy ladder in use at the end (0 = cheapest, highest = most compressed).
    package var rung: Int
    package var rungName: String
    /// Resident bytes and cost share at the last check.
    package var residentBytes: UInt64
    package var costShare: Double
    /// Largest resident bytes at any check after the first move.
    package var peakResidentBytes: UInt64
    /// Every decision, oldest first.
    package var decisions: [MemoryDecision]

    package init(budgetBytes: UInt64, costBudget: Double, rung: Int, rungName: String, residentBytes: UInt64,
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
package struct MemoryDecision: Sendable, Codable, Equatable {
    /// States stored when it was taken (one per episode).
    package var episode: UInt64
    /// The rung it moved from and to.
    package var from: String
    package var to: String
    /// Why, with the telemetry it read.
    package var reason: String
    package var residentBytes: UInt64
    package var costShare: Double

    package init(episode: UInt64, from: String, to: String, reason: String, residentBytes: UInt64, costShare: Double) {
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
