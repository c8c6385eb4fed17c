import Foundation

/// A scalable Bloom filter over content digests: it answers "certainly new" without touching the
/// warm database, and grows by adding filters twice as large as the last, so its false-positive
/// rate stays near `targetFalsePositiveRate` however many digests arrive (Almeida et al., 2007).
///
/// Digests are XXH3-128 output, so their words are already well mixed: the k probe positions come
/// from double hashing two of them, no further hashing needed. Bloom filters cannot forget, so a
/// deleted content still answers "maybe"; the exact lookup behind it settles that (and it is
/// counted as a false positive). A store with retention forgets by rebuilding the filter from its
/// live contents' ``BloomKey``s (see `TieredCore.rebuildBloomIfStale`).
struct ScalableBloomFilter {
    private struct Stage {
        var words: [UInt64]
        let bitCount: UInt64
        let hashes: Int
        let capacity: Int
        var count = 0
    }

    private var stages: [Stage] = []
    private let initialCapacity: Int
    private let targetFalsePositiveRate: Double

    init(initialCapacity: Int = 1024, targetFalsePositiveRate: Double = 0.01) {
        self.initialCapacity = max(16, initialCapacity)
        self.targetFalsePositiveRate = targetFalsePositiveRate
    }

    /// Digests inserted.
    var count: Int { stages.reduce(0) { $0 + $1.count } }

    /// Bytes of bit arrays held.
    var residentBytes: Int { stages.reduce(0) { $0 + 32 + $1.words.capacity * 8 } + 32 + stages.capacity * 48 }

    /// Whether the last stage is at capacity, so the next insert adds a stage twice its size.
    var isFull: Bool { stages.last.map { $0.count >= $0.capacity } ?? false }

    func mightContain(_ d: ContentDigest) -> Bool { mightContain(BloomKey(d)) }

    mutating func insert(_ d: ContentDigest) { insert(BloomKey(d)) }

    func mightContain(_ d: BloomKey) -> Bool {
        for s in stages where Self.test(s, d) { return true }
        return false
    }

    mutating func insert(_ d: BloomKey) {
        if stages.isEmpty || stages[stages.count - 1].count >= stages[stages.count - 1].capacity {
            let capacity = stages.last.map { $0.capacity * 2 } ?? initialCapacity
            // Each new stage gets half the error budget of the one before, so the sum stays bounded.
            let p = targetFalsePositiveRate * 0.5 * pow2(-stages.count)
            stages.append(Self.makeStage(capacity: capacity, falsePositiveRate: p))
        }
        let last = stages.count - 1
        let bits = stages[last].bitCount
        var h = d.w0
        for _ in 0..<stages[last].hashes {
            let bit = h % bits
            stages[last].words[Int(bit >> 6)] |= 1 << (bit & 63)
            h &+= d.w1 | 1
        }
        stages[last].count += 1
    }

    private static func test(_ s: Stage, _ d: BloomKey) -> Bool {
        var h = d.w0
        for _ in 0..<s.hashes {
            let bit = h % s.bitCount
            if s.words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
            h &+= d.w1 | 1
        }
        return true
    }

    private static func makeStage(capacity: Int, falsePositiveRate p: Double) -> Stage {
        // m = -n ln p / (ln 2)^2, k = (m/n) ln 2.
        let ln2 = 0.6931471805599453
        let m = max(64, Int((-Double(capacity) * log(p) / (ln2 * ln2)).rounded(.up)))
        let words = (m + 63) / 64
        let k = max(1, Int((Double(words * 64) / Double(capacity) * ln2).rounded()))
        return Stage(words: [UInt64](repeating: 0, count: words), bitCount: UInt64(words * 64), hashes: k,
                     capacity: capacity)
    }
}

private func pow2(_ e: Int) -> Double {
    var v = 1.0
    for _ in 0..<abs(e) { v *= 2 }
    return e < 0 ? 1 / v : v
}

/// The two digest words the filter probes with (16 bytes; what a store keeps per content to rebuild).
struct BloomKey: Equatable {
    let w0: UInt64
    let w1: UInt64

    init(_ d: ContentDigest) {
        w0 = d.w0
        w1 = d.w1
    }
}
