#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One episode's synthetic input: internal metrics for MMEI and candidate contents for MEA.
///
/// Filled in place by ``StimulusGenerator/fill(_:episode:)`` so the hot path does not allocate.
/// Candidate features are stored as parallel arrays of length `candidates`.
package struct Stimulus: Sendable {
    /// Episode number this stimulus belongs to.
    package var episode: UInt64 = 0
    /// Content id, 0-based Zipf rank (0 is the most frequent).
    package var token = 0
    /// log(rank) / log(vocabulary), in [0, 1]: 0 for the most common token.
    package var rarity = 0.0
    /// Simulated time of the episode, seconds.
    package var timestamp = 0.0
    /// Synthetic CPU load, [0, 1].
    package var cpuLoad = 0.0
    /// Synthetic memory pressure, [0, 1].
    package var memoryPressure = 0.0
    /// Synthetic error rate, [0, 1].
    package var errorRate = 0.0
    /// Synthetic normalised latency, [0, 1].
    package var latency = 0.0
    /// Per candidate: intrinsic novelty, relevance and urgency in [0, 1], and the need it serves.
    package var novelty: [Double]
    package var relevance: [Double]
    package var urgency: [Double]
    package var affinity: [Need]

    package init(candidates: Int) {
        novelty = Array(repeating: 0, count: candidates)
        relevance = Array(repeating: 0, count: candidates)
        urgency = Array(repeating: 0, count: candidates)
        affinity = Array(repeating: .rest, count: candidates)
    }
}

/// The seeded stimulus stream. Episode n's stimulus is a pure function of (seed, n), so any worker
/// running episode n sees the same stimulus; a token's candidate contents are a pure function of
/// (seed, token), so a repeated token is a repeated content.
package struct StimulusGenerator: Sendable {
    package let seed: UInt64
    package let config: PipelineConfig.Stimulus
    package let candidates: Int
    private let zipf: ZipfSampler
    private let phases: (Double, Double, Double)
    private let logVocabulary: Double

    package init(config: PipelineConfig.Stimulus, candidates: Int, seed: UInt64) {
        self.seed = seed
        self.config = config
        self.candidates = candidates
        zipf = ZipfSampler(count: config.vocabulary, exponent: config.zipf)
        var rng = Xoshiro256(seed: SplitMix64.hash(seed, 0x5EED_5713))
        phases = (rng.uniform() * 2 * .pi, rng.uniform() * 2 * .pi, rng.uniform() * 2 * .pi)
        logVocabulary = log(Double(config.vocabulary))
    }

    /// A fresh stimulus for `episode` (allocates; the pipeline uses ``fill(_:episode:)``).
    package func stimulus(episode: UInt64) -> Stimulus {
        var s = Stimulus(candidates: candidates)
        fill(&s, episode: episode)
        return s
    }

    /// Overwrites `s` with episode `episode`'s stimulus.
    package func fill(_ s: inout Stimulus, episode: UInt64) {
        precondition(s.novelty.count == candidates, "stimulus buffer sized for another candidate count")
        var rng = Xoshiro256(seed: SplitMix64.hash(seed, episode, 0x571D))
        let rank = zipf.sample(&rng)
        let noise = config.noise
        s.episode = episode
        s.token = rank - 1
        s.rarity = logVocabulary > 0 ? log(Double(rank)) / logVocabulary : 0
        s.timestamp = Double(episode) * config.interval

        let phase = 2 * Double.pi * Double(episode) / config.loadPeriod
        s.cpuLoad = clamp01(0.5 + 0.3 * sin(phase + phases.0) + 0.1 * sin(6.1 * phase + phases.1) + noise * rng.symmetric())
        s.memoryPressure = clamp01(0.45 + 0.25 * sin(0.37 * phase + phases.2) + noise * rng.symmetric())
        // Errors come in rare bursts on top of a low floor.
        let burst = rng.uniform() < 0.03 ? 0.3 + 0.5 * rng.uniform() : 0
        s.errorRate = clamp01(0.02 * rng.uniform() + burst)
        s.latency = clamp01(0.2 + 0.5 * s.cpuLoad * s.cpuLoad + 0.2 * s.memoryPressure + noise * rng.symmetric())

        var content = Xoshiro256(seed: SplitMix64.hash(seed, UInt64(s.token), 0xC0_7E47))
        for i in 0..<candidates {
            s.novelty[i] = clamp01(0.6 * content.uniform() + 0.4 * s.rarity + noise * rng.symmetric())
            s.relevance[i] = clamp01(content.uniform() + noise * rng.symmetric())
            s.urgency[i] = clamp01(content.uniform() + noise * rng.symmetric())
            s.affinity[i] = Need.all[content.below(Need.all.count)]
        }
    }
}
