import Foundation
import TestSupport
@testable import MemoryLayer

/// A small deterministic generator (SplitMix64) so every test sees the same data.
struct TestRandom {
    var generator: SplitMix64

    init(seed: UInt64) { generator = SplitMix64(state: seed) }

    mutating func next() -> UInt64 { generator.next() }

    /// Uniform in [-1, 1).
    mutating func symmetric() -> Float { Float(Double(next() >> 11) / Double(1 << 53) * 2 - 1) }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

func makeState(_ version: UInt64, dimension: Int = 512, rng: inout TestRandom) -> ConsciousState {
    ConsciousState(
        version: version, phi: Double(rng.below(1000)) / 250, embedding: (0..<dimension).map { _ in rng.symmetric() },
        emotion: [rng.symmetric(), rng.symmetric(), rng.symmetric()], attentionFocus: Int32(rng.below(64)),
        timestamp: Double(version) * 0.066, importance: Double(rng.below(100)) / 100)
}

/// Tiny thresholds so every migration happens within a few dozen stores.
func smallConfiguration(_ level: MemoryLevel, dimension: Int = 16) -> MemoryConfiguration {
    var c = MemoryConfiguration.preset(level)
    c.dimension = dimension
    c.hotCapacity = 8
    c.hotIdleEpisodes = 6
    c.warmIdleEpisodes = 12
    c.sweepIntervalEpisodes = 4
    c.coldBlockRecords = 4
    c.maintenanceBatch = 64
    c.demotionBatch = 1  // the tests follow single states from tier to tier
    c.metricsRingCapacity = 16
    c.stagingCapacity = 3  // write-behind, scaled down with the tiers
    return c
}

/// A fresh directory under the system temporary directory, removed by the caller.
func temporaryDirectory() -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-memtest-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Whether `b` is `a` within the stated quantization bound of `encoding` (bit-exact for float32).
func withinBound(_ a: [Float], _ b: [Float], _ encoding: EmbeddingEncoding) -> Bool {
    guard a.count == b.count else { return false }
    if encoding == .float32 { return a.map(\.bitPattern) == b.map(\.bitPattern) }
    let maxAbs = a.reduce(Float(0)) { max($0, abs($1)) }
    let bound = Float(encoding.relativeErrorBound) * maxAbs
    return zip(a, b).allSatisfy { abs($0 - $1) <= bound }
}

/// Whether `r` is `s` as the store promises: metadata exact, embedding within the bound.
func matches(_ r: ConsciousState?, _ s: ConsciousState, _ encoding: EmbeddingEncoding) -> Bool {
    guard let r else { return false }
    return r.version == s.version && r.phi.bitPattern == s.phi.bitPattern && r.emotion == s.emotion
        && r.attentionFocus == s.attentionFocus && r.timestamp == s.timestamp && r.importance == s.importance
        && withinBound(s.embedding, r.embedding, encoding)
}
