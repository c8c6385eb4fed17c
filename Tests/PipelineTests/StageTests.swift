import Pipeline
import Testing

@Suite struct StageTests {
    @Test func arousalClassHoldsInsideTheHysteresisBand() {
        var config = PipelineConfig.MCEA()
        config.hysteresis = 0.03
        var mcea = ArousalController(config: config)
        mcea.set(arousal: 0.35)
        #expect(mcea.arousalClass == .drowsy)
        // Jitter around the drowsy/relaxed boundary at 0.40 must not flap.
        for a in [0.39, 0.41, 0.42, 0.38, 0.425, 0.40, 0.41] {
            mcea.set(arousal: a)
            #expect(mcea.arousalClass == .drowsy, "flapped at \(a)")
        }
        mcea.set(arousal: 0.44)
        #expect(mcea.arousalClass == .relaxed)
        for a in [0.39, 0.41, 0.38, 0.40] {
            mcea.set(arousal: a)
            #expect(mcea.arousalClass == .relaxed, "flapped at \(a)")
        }
        mcea.set(arousal: 0.36)
        #expect(mcea.arousalClass == .drowsy)
        mcea.set(arousal: 0.95)
        #expect(mcea.arousalClass == .hyperAlert)
        mcea.set(arousal: 0.05)
        #expect(mcea.arousalClass == .sleep)
    }

    @Test func withoutHysteresisTheClassFollowsTheBoundary() {
        var config = PipelineConfig.MCEA()
        config.hysteresis = 0
        var mcea = ArousalController(config: config)
        var changes = 0
        var last = mcea.arousalClass
        for a in [0.39, 0.41, 0.39, 0.41] {
            mcea.set(arousal: a)
            if mcea.arousalClass != last { changes += 1 }
            last = mcea.arousalClass
        }
        #expect(changes >= 3)
    }

    @Test func higherArousalLowersTheThreshold() {
        var mcea = ArousalController(config: PipelineConfig.MCEA())
        mcea.set(arousal: 0.5)
        #expect(abs(mcea.threshold - 0.60) < 1e-12)
        mcea.set(arousal: 0.9)
        let high = mcea.threshold
        mcea.set(arousal: 0.2)
        #expect(high < 0.60 && mcea.threshold > 0.60)
    }

    @Test func temporalGateEnforcesRefractoryAndRate() {
        var gate = TemporalGate(refractory: 0.2, maxRate: 5)
        #expect(gate.allows(at: 0))
        gate.record(at: 0)
        #expect(gate.blocker(at: 0.1) == .refractory)
        #expect(gate.allows(at: 0.2))
        var slow = TemporalGate(refractory: 0.05, maxRate: 2)
        slow.record(at: 0)
        slow.record(at: 0.1)
        #expect(slow.blocker(at: 0.5) == .rate)
        #expect(slow.allows(at: 1.01))
    }

    @Test func stimulusIsAPureFunctionOfSeedAndEpisode() {
        let gen = StimulusGenerator(config: PipelineConfig.Stimulus(), candidates: 8, seed: 11)
        let other = StimulusGenerator(config: PipelineConfig.Stimulus(), candidates: 8, seed: 11)
        let a = gen.stimulus(episode: 12_345)
        _ = gen.stimulus(episode: 3)
        let b = other.stimulus(episode: 12_345)
        #expect(a.token == b.token && a.cpuLoad == b.cpuLoad && a.novelty == b.novelty && a.timestamp == b.timestamp)
        let c = StimulusGenerator(config: PipelineConfig.Stimulus(), candidates: 8, seed: 12).stimulus(episode: 12_345)
        #expect(a.cpuLoad != c.cpuLoad)
    }

    @Test func zipfMakesLowRanksFrequent() {
        let z = ZipfSampler(count: 500, exponent: 1.1)
        var rng = Xoshiro256(seed: 1)
        var counts = Array(repeating: 0, count: 501)
        for _ in 0..<50_000 { counts[z.sample(&rng)] += 1 }
        #expect(counts[0] == 0)
        // P(1)/P(2) = 2^1.1 ≈ 2.14 and P(1) = 1/H(500, 1.1) ≈ 0.19.
        let ratio = Double(counts[1]) / Double(counts[2])
        #expect(ratio > 1.9 && ratio < 2.4)
        #expect(Double(counts[1]) / 50_000 > 0.17 && Double(counts[1]) / 50_000 < 0.21)
        let uniform = ZipfSampler(count: 10, exponent: 0)
        var u = Array(repeating: 0, count: 11)
        for _ in 0..<20_000 { u[uniform.sample(&rng)] += 1 }
        #expect(u[1...].allSatisfy { $0 > 1_700 && $0 < 2_300 })
    }
}
