
/// One rung of the adaptive policy's ladder: a full set of run-time knobs, cheapest first.
struct PolicyRung: Sendable, Equatable {
    var name: String
    var payloadEncoding: EmbeddingEncoding
    var hotCapacity: Int
    var payloadCodec: MemoryConfiguration.PayloadCodec
    var pruneThreshold: Float
    var archivePrecisionBits: Int?
    var temporalCold: Bool

    /// The ladder: each rung keeps fewer states whole in memory and codes more tightly than the one
    /// before, and costs more per store. Rung 1 is the `moderate` preset. Payloads stay on LZ4 and cold
    /// blocks skip the temporal transform on every rung: on this pipeline's data zlib gains nothing over
    /// it on int8/int4 codes (measured ratio 0.99 at 45 µs a payload against 1.2 µs) and the temporal
    /// XOR nothing over LZ4 (ratio 1.00 at 1.6 ms a block), so neither buys memory at any price.
    static let ladder: [PolicyRung] = [
        PolicyRung(name: "fast", payloadEncoding: .int8, hotCapacity: 2048, payloadCodec: .lz4, pruneThreshold: 0,
                   archivePrecisionBits: 12, temporalCold: false),
        PolicyRung(name: "balanced", payloadEncoding: .int8, hotCapacity: 1024, payloadCodec: .lz4, pruneThreshold: 0.1,
                   archivePrecisionBits: 12, temporalCold: false),
        PolicyRung(name: "compact", payloadEncoding: .int8, hotCapacity: 256, payloadCodec: .lz4, pruneThreshold: 0.1,
                   archivePrecisionBits: 10, temporalCold: false),
        PolicyRung(name: "small", payloadEncoding: .int4, hotCapacity: 64, payloadCodec: .lz4, pruneThreshold: 0.25,
                   archivePrecisionBits: 8, temporalCold: false),
        PolicyRung(name: "minimal", payloadEncoding: .int4, hotCapacity: 16, payloadCodec: .lz4, pruneThreshold: 0.4,
                   archivePrecisionBits: 8, temporalCold: false),
    ]

    /// The run-time settings of this rung, over the store's fixed configuration.
    func apply(to s: inout TunableSettings) {
        s.payloadEncoding = payloadEncoding
        s.hotCapacity = hotCapacity
        s.hotIdleEpisodes = UInt64(hotCapacity)
        s.payloadCodec = payloadCodec
        s.record.pruneThreshold = pruneThreshold
        s.temporalCold = temporalCold
    }
}

/// What the controller reads at each check: the layer's own telemetry since the previous check.
struct PolicyTelemetry: Sendable, Equatable {
    /// States stored so far (the layer's logical time: one per episode).
    var episode: UInt64
    /// Bytes the layer holds in memory now.
    var residentBytes: UInt64
    /// States held whole in memory (hot, staged, being demoted) and their bytes: what moving a rung changes.
    var hotStates: Int
    var hotBytes: UInt64
    /// Nanoseconds the layer spent in store, record and query calls, and the episodes spent outside
    /// it, since the previous check.
    var layerNanoseconds: UInt64
    var episodeNanoseconds: UInt64

    /// The share of episode time the layer took: its own calls' time ÷ (that + the rest of the
    /// episodes'). 0 when no episode time was reported.
    var costShare: Double {
        let total = layerNanoseconds &+ episodeNanoseconds
        return episodeNanoseconds == 0 || total == 0 ? 0 : Double(layerNanoseconds) / Double(total)
    }
}

/// The adaptive policy: keeps resident memory under a budget at the least cost, by moving along
/// ``PolicyRung/ladder``. A pure function of the telemetry it is given, so its decisions are as
/// deterministic as that telemetry (memory is, for a seed and one worker; time is measured).
///
/// Hysteresis, so that a load at a boundary cannot make it flip: it moves to a more compressed rung
/// when memory is above 90 % of the budget; it moves back to a cheaper rung only when memory is
/// below 70 % of the budget, the layer's cost share is above its budget, the cheaper rung's
/// projected memory (this rung's bytes per hot state × the cheaper rung's hot capacity) stays under
/// 70 % too, and at least ``dwell`` checks have passed since the last move.
struct AdaptivePolicy: Sendable {
    let budgetBytes: UInt64
    let costBudget: Double
    let ladder: [PolicyRung]
    /// Checks between a move and a move back to a cheaper rung.
    let dwell: Int
    private(set) var rung = 0
    private(set) var checksSinceMove = Int.max / 2
    private(set) var decisions: [MemoryDecision] = []
    private(set) var peakResidentAfterSettling: UInt64 = 0
    private(set) var last: PolicyTelemetry?
    /// Set once the most compressed rung is in use and memory is still over the budget (said once).
    private var saidOverBudget = false

    static let high = 0.9
    static let low = 0.7

    init(budgetBytes: UInt64, costBudget: Double, ladder: [PolicyRung] = PolicyRung.ladder, dwell: Int = 4) {
        self.budgetBytes = budgetBytes
        self.costBudget = costBudget
        self.ladder = ladder
        self.dwell = dwell
    }

    var current: PolicyRung { ladder[rung] }

    /// Reads one check's telemetry; returns the decision when it moves (also kept in ``decisions``).
    mutating func check(_ t: PolicyTelemetry) -> MemoryDecision? {
        last = t
        checksSinceMove += 1
        if !decisions.isEmpty, checksSinceMove > dwell { peakResidentAfterSettling = max(peakResidentAfterSettling, t.residentBytes) }
        let budget = Double(budgetBytes)
        let resident = Double(t.residentBytes)
        if resident > Self.high * budget {
            guard rung + 1 < ladder.count else {
                guard !saidOverBudget else { return nil }
                saidOverBudget = true
                return record(t, to: rung, "resident \(bytesText(resident)) is over 90% of the budget "
                    + "\(bytesText(budget)) at the most compressed rung; memory now grows only with new contents")
            }
            return record(t, to: rung + 1, "resident \(bytesText(resident)) > 90% of the budget \(bytesText(budget))")
        }
        guard rung > 0, resident < Self.low * budget, t.costShare > costBudget, checksSinceMove > dwell else { return nil }
        let perHot = t.hotStates > 0 ? Double(t.hotBytes) / Double(t.hotStates) : 0
        let grow = perHot * Double(max(0, ladder[rung - 1].hotCapacity - max(t.hotStates, current.hotCapacity)))
        guard resident + grow < Self.low * budget else { return nil }
        return record(t, to: rung - 1, "cost \(pct(t.costShare)) of episode time > budget \(pct(costBudget)); resident "
            + "\(bytesText(resident)), projected \(bytesText(resident + grow)) on the cheaper rung, < 70% of the budget")
    }

    private mutating func record(_ t: PolicyTelemetry, to next: Int, _ why: String) -> MemoryDecision {
        let d = MemoryDecision(episode: t.episode, from: ladder[rung].name, to: ladder[next].name, reason: why,
                               residentBytes: t.residentBytes, costShare: t.costShare)
        if next != rung { checksSinceMove = 0 }
        rung = next
        decisions.append(d)
        return d
    }

    private func pct(_ x: Double) -> String { String(Double(Int((1000 * x).rounded())) / 10) + "%" }
}

/// `1.5 MiB`-style text for a decision's reason (MemoryLayer formats its own: it depends on no report code).
func bytesText(_ b: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB"]
    var v = b, u = 0
    while v >= 1024 && u < units.count - 1 {
        v /= 1024
        u += 1
    }
    return u == 0 ? "\(Int(v)) B" : String(Double(Int((v * 100).rounded())) / 100) + " " + units[u]
}
