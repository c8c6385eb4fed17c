/// ESGT's temporal gating on the simulated clock: no ignition within `refractory` seconds of the
/// previous one, and at most `maxRate` ignitions in any one-second window.
package struct TemporalGate: Sendable {
    /// Refractory period, simulated seconds.
    package let refractory: Double
    /// Maximum ignitions per simulated second.
    package let maxRate: Double
    /// Ring of the most recent ignition times (capacity floor(maxRate), at least 1).
    private var recent: [Double]
    private var head = 0
    private var stored = 0

    package init(refractory: Double, maxRate: Double) {
        self.refractory = refractory
        self.maxRate = maxRate
        let capacity = maxRate >= 1 ? Int(min(maxRate, 4096).rounded(.down)) : 1
        recent = Array(repeating: 0, count: capacity)
    }

    /// Time of the last recorded ignition, if any.
    package var lastIgnition: Double? {
        stored == 0 ? nil : recent[(head + recent.count - 1) % recent.count]
    }

    /// Whether an ignition at simulated time `t` (seconds) respects both limits.
    package func allows(at t: Double) -> Bool { blocker(at: t) == nil }

    /// The limit an ignition at simulated time `t` would break, or nil.
    package func blocker(at t: Double) -> ESGTBlock? {
        guard let last = lastIgnition else { return nil }
        // Absolute distance: episodes reach a worker in rough, not strict, order.
        if abs(t - last) < refractory { return .refractory }
        if maxRate < 1 { return abs(t - last) >= 1 / maxRate ? nil : .rate }
        if maxRate <= 4096 && stored == recent.count {
            // The oldest of the last floor(maxRate) ignitions must have left the window (t − 1, t].
            if t - recent[head] < 1 { return .rate }
        }
        return nil
    }

    /// Records an ignition at simulated time `t`.
    package mutating func record(at t: Double) {
        recent[head] = t
        head = (head + 1) % recent.count
        if stored < recent.count { stored += 1 }
    }
}
