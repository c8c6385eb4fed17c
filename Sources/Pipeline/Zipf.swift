#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws ranks 1...n with P(k) ∝ k^-s in O(1) time and memory, by rejection-inversion
/// (Hörmann & Derflinger 1996, as in Apache Commons' `RejectionInversionZipfSampler`).
/// An exponent of 0 gives the uniform distribution.
package struct ZipfSampler: Sendable, Equatable {
    package let count: Int
    package let exponent: Double
    private let hIntegralX1: Double
    private let hIntegralN: Double
    private let squeeze: Double

    /// - Parameters:
    ///   - count: number of ranks (≥ 1).
    ///   - exponent: Zipf exponent s (≥ 0).
    package init(count: Int, exponent: Double) {
        precondition(count >= 1 && exponent >= 0, "ZipfSampler needs count ≥ 1 and exponent ≥ 0")
        self.count = count
        self.exponent = exponent
        hIntegralX1 = Self.hIntegral(1.5, exponent) - 1
        hIntegralN = Self.hIntegral(Double(count) + 0.5, exponent)
        squeeze = 2 - Self.hIntegralInverse(Self.hIntegral(2.5, exponent) - Self.h(2, exponent), exponent)
    }

    /// A rank in 1...count.
    package func sample(_ rng: inout Xoshiro256) -> Int {
        while true {
            let u = hIntegralN + rng.uniform() * (hIntegralX1 - hIntegralN)
            let x = Self.hIntegralInverse(u, exponent)
            var k = Int(x + 0.5)
            if k < 1 { k = 1 } else if k > count { k = count }
            let kd = Double(k)
            if kd - x <= squeeze || u >= Self.hIntegral(kd + 0.5, exponent) - Self.h(kd, exponent) {
                return k
            }
        }
    }

    private static func h(_ x: Double, _ s: Double) -> Double { exp(-s * log(x)) }

    private static func hIntegral(_ x: Double, _ s: Double) -> Double {
        let logX = log(x)
        return helper2((1 - s) * logX) * logX
    }

    private static func hIntegralInverse(_ x: Double, _ s: Double) -> Double {
        var t = x * (1 - s)
        if t < -1 { t = -1 }
        return exp(helper1(t) * x)
    }

    /// log(1 + x) / x, continuous at 0.
    private static func helper1(_ x: Double) -> Double {
        abs(x) > 1e-8 ? log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x))
    }

    /// (e^x - 1) / x, continuous at 0.
    private static func helper2(_ x: Double) -> Double {
        abs(x) > 1e-8 ? expm1(x) / x : 1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x))
    }
}
