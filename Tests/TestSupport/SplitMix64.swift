import Statistics

/// The tests' seeded generator is the project's one SplitMix64 (Steele, Lea and Flood 2014), so every
/// test sees the same data on every run; the test targets' own draws (uniform, normal) build on it.
package typealias SplitMix64 = Statistics.SplitMix64

extension Statistics.SplitMix64 {
    /// The tests' spelling: the generator whose state starts at `state` (the same sequence as `seed:`).
    package init(state: UInt64) { self.init(seed: state) }
}
