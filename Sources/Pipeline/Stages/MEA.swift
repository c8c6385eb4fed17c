#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What MEA decided for one stimulus.
package struct AttentionResult: Sendable, Codable, Equatable {
    /// Index of the focused candidate.
    package var focus = 0
    /// Softmax probability of the focus.
    package var probability = 0.0
    /// Salience components of the focus, each in [0, 1].
    package var novelty = 0.0
    package var relevance = 0.0
    package var urgency = 0.0
    /// The self-model's confidence in its attention, [0, 1].
    package var confidence = 0.0
    /// Mean absolute error of the self-model's prediction of the focus profile, [0, 1].
    package var predictionError = 0.0

    package init() {}

    /// The ESGT trigger salience: 0.25·novelty + 0.30·relevance + 0.30·urgency + 0.15·confidence.
    package var salience: Double {
        0.25 * novelty + 0.30 * relevance + 0.30 * urgency + 0.15 * confidence
    }
}

/// MEA, the attention schema: scores the stimulus's candidates, picks a focus with a softmax and
/// keeps a small self-model that predicts the profile (novelty, relevance, urgency) of its own
/// focus, learning from the prediction error.
package struct AttentionSchema: Sendable {
    package let config: PipelineConfig.MEA
    /// The self-model's predicted focus profile (novelty, relevance, urgency).
    package private(set) var predicted: (novelty: Double, relevance: Double, urgency: Double) = (0.5, 0.5, 0.5)
    private var lastSeen: [Double]
    private var scores: [Double]
    private var novelty: [Double]
    private var relevance: [Double]
    private var urgency: [Double]

    static let familiarityBuckets = 256

    package init(config: PipelineConfig.MEA) {
        self.config = config
        lastSeen = Array(repeating: -.infinity, count: Self.familiarityBuckets)
        scores = Array(repeating: 0, count: config.candidates)
        novelty = scores
        relevance = scores
        urgency = scores
    }

    /// Attends to `s` under the active goal, if any.
    package mutating func attend(_ s: Stimulus, goal: Goal?) -> AttentionResult {
        let n = config.candidates
        // Habituation: a token seen recently feels less novel (same factor for all its candidates).
        let bucket = s.token & (Self.familiarityBuckets - 1)
        let since = s.timestamp - lastSeen[bucket]
        let familiarity = config.habituation > 0 && since.isFinite ? exp(-abs(since) / config.habituation) : 0
        lastSeen[bucket] = s.timestamp
        let noveltyScale = 1 - 0.6 * familiarity
        let urgencyScale = 0.7 + 0.6 * s.errorRate

        var best = 0
        var bestScore = -Double.infinity
        for i in 0..<n {
            novelty[i] = s.novelty[i] * noveltyScale
            var r = s.relevance[i]
            if let goal, goal.need == s.affinity[i] { r += 0.25 * goal.priority }
            relevance[i] = clamp01(r)
            urgency[i] = clamp01(s.urgency[i] * urgencyScale)
            let score = 0.3 * novelty[i] + 0.35 * relevance[i] + 0.35 * urgency[i]
            scores[i] = score
            if score > bestScore {
                bestScore = score
                best = i
            }
        }
        // Softmax, shifted by the maximum for stability; the focus is its mode.
        var total = 0.0
        for i in 0..<n {
            let e = exp((scores[i] - bestScore) / config.temperature)
            scores[i] = e
            total += e
        }
        var result = AttentionResult()
        result.focus = best
        result.probability = scores[best] / total
        result.novelty = novelty[best]
        result.relevance = relevance[best]
        result.urgency = urgency[best]

        let error = (abs(result.novelty - predicted.novelty) + abs(result.relevance - predicted.relevance)
            + abs(result.urgency - predicted.urgency)) / 3
        let lr = config.learningRate
        predicted.novelty += lr * (result.novelty - predicted.novelty)
        predicted.relevance += lr * (result.relevance - predicted.relevance)
        predicted.urgency += lr * (result.urgency - predicted.urgency)
        result.predictionError = error
        let uniform = 1 / Double(n)
        let sharpness = n > 1 ? (result.probability - uniform) / (1 - uniform) : 1
        result.confidence = clamp01(0.5 * (1 - error) + 0.5 * sharpness)
        return result
    }
}
