import BenchModel

/// The open-loop arrival times of one phase: when each arrival is *intended* to start.
///
/// The rate is piecewise linear in time; arrival `i` is due when the integral of the rate reaches
/// `i` (so a constant rate `r` gives arrivals at `i / r`, and the first arrival is at 0). Arrivals
/// follow this schedule whatever the workload does — that is what makes latency
/// coordinated-omission correct.
struct ArrivalSchedule: Sendable, Equatable {
    /// A span of `duration` seconds whose rate moves linearly from `from` to `to` (arrivals/s).
    struct Segment: Sendable, Equatable {
        var from: Double
        var to: Double
        var duration: Double
    }

    var segments: [Segment]
    /// A burst: this many arrivals all due at time 0 (segments are then empty).
    var burst: Int

    init(segments: [Segment], burst: Int = 0) {
        self.segments = segments
        self.burst = burst
    }

    /// The schedule for one open-loop shape; nil for closed loop.
    init?(_ shape: LoadShape) {
        switch shape {
        case .constant(let rate, let d):
            self.init(segments: [Segment(from: rate, to: rate, duration: d)])
        case .ramp(let from, let to, let d):
            self.init(segments: [Segment(from: from, to: to, duration: d)])
        case .step(let rates, let each):
            self.init(segments: rates.map { Segment(from: $0, to: $0, duration: each) })
        case .spike(let base, let peak, let at, let hold, let d):
            var s = [Segment]()
            if at > 0 { s.append(Segment(from: base, to: base, duration: at)) }
            if hold > 0 { s.append(Segment(from: peak, to: peak, duration: hold)) }
            if d - at - hold > 0 { s.append(Segment(from: base, to: base, duration: d - at - hold)) }
            self.init(segments: s)
        case .burst(let count):
            self.init(segments: [], burst: count)
        case .closed:
            return nil
        }
    }

    /// Scheduled duration in seconds.
    var duration: Double { segments.reduce(0) { $0 + $1.duration } }

    /// Total arrivals the schedule holds.
    var totalArrivals: Int {
        if burst > 0 { return burst }
        let integral = segments.reduce(0.0) { $0 + ($1.from + $1.to) / 2 * $1.duration }
        // Arrival i is due when the integral reaches i, for i = 0, 1, …, while inside the schedule.
        return Int(integral.nextDown.rounded(.down)) + 1
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

    /// Seconds from the phase start at which arrival `index` is due, or nil past the end.
    func offset(of index: Int) -> Double? {
        if burst > 0 { return index < burst ? 0 : nil }
        guard index >= 0 else { return nil }
        let target = Double(index)
        var segmentStart = 0.0
        var before = 0.0
        for s in segments {
            let x = target - before
            let inSegment = (s.from + s.to) / 2 * s.duration
            if x < inSegment {
                // Solve from·τ + (to − from)/(2·d)·τ² = x for τ, in the form that stays stable when the
                // rate barely changes.
                let a = (s.to - s.from) / (2 * s.duration)
                let b = s.from
                let disc = Swift.max(0, b * b + 4 * a * x)
                let tau = x == 0 ? 0 : 2 * x / (b + disc.squareRoot())
                return segmentStart + Swift.min(tau, s.duration)
            }
            before += inSegment
            segmentStart += s.duration
        }
        return nil
    }

    /// How many arrivals are due at or before `t` seconds into the phase.
    func arrivalsDue(by t: Double) -> Int {
        guard t >= 0 else { return 0 }
        if burst > 0 { return burst }
        var integral = 0.0
        var segmentStart = 0.0
        for s in segments {
            let tau = Swift.min(t - segmentStart, s.duration)
            if tau <= 0 { break }
            integral += s.from * tau + (s.to - s.from) / (2 * s.duration) * tau * tau
            segmentStart += s.duration
        }
        return Swift.min(totalArrivals, Int((integral + 1e-9).rounded(.down)) + 1)
    }
}
