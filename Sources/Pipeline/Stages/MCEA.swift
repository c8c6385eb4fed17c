/// The arousal classes MCEA distinguishes, lowest first.
package enum ArousalClass: String, Sendable, Codable, CaseIterable, Comparable {
    case sleep, drowsy, relaxed, alert
    case hyperAlert = "hyper-alert"

    /// Upper arousal bound of each class but the last.
    package static let boundaries: [Double] = [0.2, 0.4, 0.6, 0.8]

    /// The classes in order, without the allocation a synthesised `allCases` may make per call.
    static let ordered: [ArousalClass] = [.sleep, .drowsy, .relaxed, .alert, .hyperAlert]

    var index: Int {
        switch self {
        case .sleep: 0
        case .drowsy: 1
        case .relaxed: 2
        case .alert: 3
        case .hyperAlert: 4
        }
    }

    package static func < (a: ArousalClass, b: ArousalClass) -> Bool { a.index < b.index }

    /// The class of `arousal` without hysteresis.
    package init(arousal: Double) {
        var i = 0
        while i < Self.boundaries.count && arousal >= Self.boundaries[i] { i += 1 }
        self = Self.ordered[i]
    }
}

/// MCEA: integrates needs and stress into arousal, classifies it with hysteresis and derives the
/// ESGT salience threshold (higher arousal → lower threshold).
package struct ArousalController: Sendable {
    package let config: PipelineConfig.MCEA
    /// Current arousal, [0, 1].
    package private(set) var arousal: Double
    /// Current class; changes only once arousal is past a boundary by more than the hysteresis.
    package private(set) var arousalClass: ArousalClass

    package init(config: PipelineConfig.MCEA) {
        self.config = config
        arousal = config.initial
        arousalClass = ArousalClass(arousal: config.initial)
    }

    /// Moves arousal toward the level `needs` call for and reclassifies it.
    package mutating func update(needs: Needs) {
        // Stress (repair, efficiency) and curiosity excite; the need to rest damps.
        let target = config.baseline
            + 0.6 * (needs.repair - 0.2)
            + 0.3 * (needs.curiosity - 0.5)
            + 0.2 * (needs.efficiency - 0.5)
            - 0.4 * (needs.rest - 0.5)
        arousal = clamp01(arousal + config.rate * (clamp01(target) - arousal))
        classify(arousal)
    }

    /// Sets arousal directly (tests, external drive) and reclassifies.
    package mutating func set(arousal value: Double) {
        arousal = clamp01(value)
        classify(arousal)
    }

    /// Updates the class for `value` with hysteresis: a boundary b is crossed upward only at
    /// b + hysteresis and downward only below b − hysteresis.
    @discardableResult
    package mutating func classify(_ value: Double) -> ArousalClass {
        let h = config.hysteresis
        let b = ArousalClass.boundaries
        var c = arousalClass.index
        while c < b.count && value >= b[c] + h { c += 1 }
        while c > 0 && value < b[c - 1] - h { c -= 1 }
        arousalClass = ArousalClass.ordered[c]
        return arousalClass
    }

    /// The ESGT salience threshold at the current arousal, [0, 1].
    package var threshold: Double {
        clamp01(config.threshold * (1 - config.thresholdGain * (arousal - 0.5)))
    }
}
