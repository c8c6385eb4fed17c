/// SplitMix64 (Steele, Lea & Flood 2014): a tiny generator used to seed other generators and to
/// hash integers into well-mixed 64-bit values.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package var state: UInt64

    package init(seed: UInt64) { state = seed }

    @inlinable
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective avalanche of `z`.
    @inlinable
    package static func mix(_ z: UInt64) -> UInt64 {
        var z = z
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A well-mixed hash of an ordered list of integers (order matters).
    @inlinable
    package static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64 = 0, _ d: UInt64 = 0) -> UInt64 {
        var h = mix(a &+ 0x9E37_79B9_7F4A_7C15)
        h = mix(h ^ (b &+ 0xD1B5_4A32_D192_ED03))
        h = mix(h ^ (c &+ 0x8CB9_2BA7_2F3D_8DD7))
        return mix(h ^ (d &+ 0xABC9_8388_FB8F_AC03))
    }
}

/// xoshiro256** (Blackman & Vigna 2018): the stream generator behind every random draw in the
/// pipeline. Seeded through SplitMix64, so any 64-bit seed gives a good state.
package struct Xoshiro256: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    package init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next()
        s1 = sm.next()
        s2 = sm.next()
        s3 = sm.next()
    }

    @inlinable
    package mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    package mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in [-1, 1).
    @inlinable
    package mutating func symmetric() -> Double {
        uniform() * 2 - 1
    }

    /// A uniform integer in 0..<n (n > 0), by Lemire's multiply-shift (bias below 2^-32 for small n).
    @inlinable
    package mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(n)) >> 32)
    }
}

@inlinable
func clamp01(_ x: Double) -> Double {
    x < 0 ? 0 : (x > 1 ? 1 : x)
}
