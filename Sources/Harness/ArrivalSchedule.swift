import BenchModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The open-loop arrival times of one phase: when each arrival is *intended* to start.
///
/// The rate is piecewise linear in time, with integral Λ(t) (arrivals expected by `t`). The phase
/// holds `n = ⌈Λ(T)⌉` arrivals, one for each whole `i` with `i < Λ(T)` (the first at 0 for uniform;
/// 200/s for 5 s is 1,000, the last at 4.995 s). With `uniform` spacing arrival `i`
/// is due when Λ reaches `i` (so a constant rate `r` gives arrivals at `i / r`); with `poisson` the
/// arrivals are `n` seeded draws from the rate curve, sorted — a Poisson process following the rate
/// curve, conditioned on the same count, so a uniform and a Poisson phase run the same number of
/// episodes and a ramp keeps its mean rate curve. Arrivals follow this schedule whatever the
/// workload does — that is what makes latency coordinated-omission correct. Iterating the schedule
/// (``ArrivalStream``) yields the due offsets lazily in O(1) memory, however long the phase.
/// A generator running one execution segment iterates ``segmented(_:)``: the same offsets, only
/// those of the arrivals its segment owns.
struct ArrivalSchedule: Sendable, Equatable, Sequence {
    /// A span of `duration` seconds whose rate moves linearly from `from` to `to` (arrivals/s).
    struct Segment: Sendable, Equatable {
        var from: Double
        var to: Double
        var duration: Double
    }

    var segments: [Segment]
    /// A burst: this many arrivals all due at time 0 (segments are then empty).
    var burst: Int
    /// How arrivals are spaced along the rate curve.
    var process: ArrivalProcess
    /// Seed of a Poisson schedule's random stream (unused for uniform spacing and bursts).
    var seed: UInt64
    /// The execution segment this generator runs, with the number of the schedule's arrivals it
    /// owns; nil: all of them.
    private(set) var segment: SegmentShare?

    /// A segment's part of a schedule: which arrivals are its own and how many there are.
    struct SegmentShare: Sendable, Equatable {
        var segment: ExecutionSegment
        var stripe: ArrivalStripe
        /// Arrivals of the whole schedule this segment owns.
        var owned: Int
        /// Arrivals of the whole schedule.
        var whole: Int

        func owns(_ index: Int) -> Bool { segment.owns(position: stripe.position(of: index)) }
    }

    init(segments: [Segment], burst: Int = 0, process: ArrivalProcess = .uniform, seed: UInt64 = 0) {
        self.segments = segments
        self.burst = burst
        self.process = process
        self.seed = seed
    }

    /// The schedule for one open-loop shape; nil for closed loop.
    init?(_ shape: LoadShape, process: ArrivalProcess = .uniform, seed: UInt64 = 0) {
        let segments: [Segment]
        switch shape {
        case .constant(let rate, let d):
            segments = [Segment(from: rate, to: rate, duration: d)]
        case .ramp(let from, let to, let d):
            segments = [Segment(from: from, to: to, duration: d)]
        case .step(let rates, let each):
            segments = rates.map { Segment(from: $0, to: $0, duration: each) }
        case .spike(let base, let peak, let at, let hold, let d):
            var s = [Segment]()
            if at > 0 { s.append(Segment(from: base, to: base, duration: at)) }
            if hold > 0 { s.append(Segment(from: peak, to: peak, duration: hold)) }
            if d - at - hold > 0 { s.append(Segment(from: base, to: base, duration: d - at - hold)) }
            segments = s
        case .burst(let count):
            self.init(segments: [], burst: count)
            return
        case .closed:
            return nil
        }
        self.init(segments: segments, process: process, seed: seed)
    }

    /// Scheduled duration in seconds.
    var duration: Double { segments.reduce(0) { $0 + $1.duration } }

    /// This schedule's part for `segment` of the test: the arrivals of the whole schedule that the
    /// segment owns (see ``ArrivalStripe``), at the same offsets. Costs one pass over the schedule's
    /// indices (no offsets are computed).
    func segmented(_ segment: ExecutionSegment) -> ArrivalSchedule {
        var copy = self
        copy.segment = nil
        let whole = copy.totalArrivals
        let stripe: ArrivalStripe = burst == 0 && process == .poisson ? .hashed(seed: seed) : .vanDerCorput
        var share = SegmentShare(segment: segment, stripe: stripe, owned: 0, whole: whole)
        var owned = 0
        for k in 0..<whole where share.owns(k) { owned += 1 }
        share.owned = owned
        copy.segment = share
        return copy
    }

    /// Total arrivals the schedule holds (this segment's, when segmented).
    var totalArrivals: Int {
        if let segment { return segment.owned }
        return wholeArrivals
    }

    /// Arrivals of the whole (unsegmented) schedule.
    var wholeArrivals: Int {
        if burst > 0 { return burst }
        // Arrival i is due when the integral reaches i, for i = 0, 1, …, while inside the schedule.
        return Int(totalIntegral.nextDown.rounded(.down)) + 1
    }

    /// The highest rate anywhere in the schedule (arrivals/s, this segment's share); 0 for a burst.
    var peakRate: Double {
        segments.reduce(0) { Swift.max($0, $1.from, $1.to) } * (segment?.segment.width ?? 1)
    }

    /// Mean rate over the schedule (arrivals/s); for a burst, nil.
    var meanRate: Double? {
        burst > 0 ? nil : Double(totalArrivals) / Swift.max(duration, 1e-9)
    }

    /// The rate at time `t` seconds.
    func rate(at t: Double) -> Double {
        var start = 0.0
        for s in segments {
            if t < start + s.duration {
                return s.from + (s.to - s.from) * (t - start) / s.duration
            }
            start += s.duration
        }
        return segments.last?.to ?? 0
    }

    /// Λ over the whole schedule: the arrivals the rate curve expects.
    var totalIntegral: Double {
        segments.reduce(0.0) { $0 + ($1.from + $1.to) / 2 * $1.duration }
    }

    /// Λ(t): arrivals the rate curve expects by `t` seconds (past the end, the last rate continues,
    /// so starts that drain after the schedule still map to distinct points).
    func integral(at t: Double) -> Double {
        guard t > 0 else { return 0 }
        var integral = 0.0
        var segmentStart = 0.0
        for s in segments where s.duration > 0 {
            let tau = t - segmentStart
            if tau <= s.duration {
                return integral + s.from * tau + (s.to - s.from) / (2 * s.duration) * tau * tau
            }
            integral += (s.from + s.to) / 2 * s.duration
            segmentStart += s.duration
        }
        return integral + (segments.last?.to ?? 0) * (t - segmentStart)
    }

    /// Λ⁻¹(x): seconds from the phase start at which the integrated rate reaches `x`, or nil past the end.
    func time(atIntegral x: Double) -> Double? {
        guard x >= 0 else { return nil }
        var segmentStart = 0.0
        var before = 0.0
        for s in segments {
            let rest = x - before
            let inSegment = (s.from + s.to) / 2 * s.duration
            if rest < inSegment {
                // Solve from·τ + (to − from)/(2·d)·τ² = rest for τ, in the form that stays stable when
                // the rate barely changes.
                let a = (s.to - s.from) / (2 * s.duration)
                let b = s.from
                let disc = Swift.max(0, b * b + 4 * a * rest)
                let tau = rest == 0 ? 0 : 2 * rest / (b + disc.squareRoot())
                return segmentStart + Swift.min(tau, s.duration)
            }
            before += inSegment
            segmentStart += s.duration
        }
        return nil
    }

    /// Seconds from the phase start at which arrival `index` of the whole schedule is due under
    /// *uniform* spacing (or in a burst), or nil past the end. A Poisson schedule's offsets, and a
    /// segment's, come from iterating the schedule.
    func offset(of index: Int) -> Double? {
        if burst > 0 { return index < burst ? 0 : nil }
        guard index >= 0, index < wholeArrivals else { return nil }
        return time(atIntegral: Double(index))
    }

    /// How many arrivals of the whole schedule are due at or before `t` seconds into the phase under
    /// *uniform* spacing (or in a burst). For any process, ``OpenLoopArrivals`` counts what its stream has produced instead.
    func arrivalsDue(by t: Double) -> Int {
        guard t >= 0 else { return 0 }
        if burst > 0 { return burst }
        return Swift.min(wholeArrivals, Int((integral(at: t) + 1e-9).rounded(.down)) + 1)
    }

    /// The due offsets (seconds from the phase start) in order, generated as they are needed.
    func makeIterator() -> ArrivalStream { ArrivalStream(self) }
}

/// The due offsets of a schedule's arrivals in index order, generated lazily in O(1) memory.
///
/// A Poisson schedule holds `n` points drawn independently from the rate curve: uniform in
/// Λ-space on (0, Λ(T)), then mapped through Λ⁻¹. Sorted uniforms come out in order without being
/// stored by Rényi's representation: 1 − U₍ₖ₎ = exp(−Σⱼ≤ₖ Eⱼ / (n − j + 1)) with Eⱼ i.i.d. Exp(1).
struct ArrivalStream: IteratorProtocol, Sendable {
    let schedule: ArrivalSchedule
    /// Index of the arrival the next call to ``next()`` returns (counting this segment's arrivals
    /// only, when the schedule is segmented).
    private(set) var index = 0
    /// Index in the whole schedule of the next arrival generated.
    private(set) var wholeIndex = 0
    private let total: Int
    private let lambda: Double
    private var random: ArrivalRandom
    /// log(1 − U₍ₖ₎) of the last Poisson arrival produced.
    private var logRemaining = 0.0

    init(_ schedule: ArrivalSchedule) {
        self.schedule = schedule
        total = schedule.wholeArrivals
        lambda = schedule.totalIntegral
        random = ArrivalRandom(seed: schedule.seed)
    }

    /// The next arrival's due offset in seconds, or nil when the schedule is exhausted. A segmented
    /// schedule generates the whole schedule's offsets, exactly as an unsegmented one does, and
    /// returns those its segment owns.
    mutating func next() -> Double? {
        guard let share = schedule.segment else {
            let offset = nextWhole()
            if offset != nil { index += 1 }
            return offset
        }
        while wholeIndex < total {
            let k = wholeIndex
            guard let offset = nextWhole() else { return nil }
            if share.owns(k) {
                index += 1
                return offset
            }
        }
        return nil
    }

    /// The whole schedule's next offset.
    private mutating func nextWhole() -> Double? {
        guard wholeIndex < total else { return nil }
        defer { wholeIndex += 1 }
        if schedule.burst > 0 || schedule.process == .uniform {
            return schedule.offset(of: wholeIndex)
        }
        logRemaining -= random.exponential() / Double(total - wholeIndex)
        let x = -lambda * expm1(logRemaining)
        // Rounding can put the last point a hair past Λ(T); it belongs at the end.
        return schedule.time(atIntegral: Swift.min(x, lambda.nextDown)) ?? schedule.duration
    }

    /// Advances past arrivals until ``index`` is `target` (no-op when already there or beyond).
    mutating func skip(to target: Int) {
        if schedule.segment == nil, schedule.burst > 0 || schedule.process == .uniform {
            index = Swift.max(index, Swift.min(target, total))
            wholeIndex = index
            return
        }
        while index < Swift.min(target, schedule.totalArrivals) {
            guard next() != nil else { return }
        }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014) as the Poisson schedule's stream: tiny state, passes
/// BigCrush, and a pure function of the seed so the same seed always gives the same schedule.
struct ArrivalRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The seed of open-loop unit `unit`'s schedule in a scenario seeded `seed`: distinct per unit,
    /// the same every run.
    static func unitSeed(scenarioSeed seed: UInt64, unit: Int) -> UInt64 {
        mix(seed ^ mix(UInt64(bitPattern: Int64(unit)) &+ 0x9E37_79B9_7F4A_7C15))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// An Exp(1) draw: −log of a uniform in (0, 1] (53 random bits; never log 0).
    mutating func exponential() -> Double {
        -log(Double((next() >> 11) + 1) * 0x1.0p-53)
    }

    private static func mix(_ z: UInt64) -> UInt64 {
        var z = z
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
