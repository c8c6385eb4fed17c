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

    /// An iterator over intended start offsets in seconds, in order.
    func makeIterator() -> Iterator { Iterator(schedule: self) }

    struct Iterator {
        let schedule: ArrivalSchedule
        private var next = 0
        private var segment = 0
        private var segmentStart = 0.0
        /// Arrivals due before the current segment began (the integral at its start).
        private var integralAtSegmentStart = 0.0

        init(schedule: ArrivalSchedule) { self.schedule = schedule }

        /// The next arrival's offset (seconds from the phase start), or nil at the end.
        mutating func nextOffset() -> Double? {
            if schedule.burst > 0 {
                guard next < schedule.burst else { return nil }
                next += 1
                return 0
            }
            let target = Double(next)
            while segment < schedule.segments.count {
                let s = schedule.segments[segment]
                let x = target - integralAtSegmentStart
                let inSegment = (s.from + s.to) / 2 * s.duration
                if x < inSegment {
                    // Solve from·τ + (to − from)/(2·d)·τ² = x for τ, in the form that stays stable when
                    // the rate barely changes.
                    let a = (s.to - s.from) / (2 * s.duration)
                    let b = s.from
                    let disc = Swift.max(0, b * b + 4 * a * x)
                    let tau = x == 0 ? 0 : 2 * x / (b + disc.squareRoot())
                    next += 1
                    return segmentStart + Swift.min(tau, s.duration)
                }
                integralAtSegmentStart += inSegment
                segmentStart += s.duration
                segment += 1
            }
            return nil
        }
    }
}
