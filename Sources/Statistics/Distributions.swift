#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The distribution functions the tests and the sequential gate need: the standard normal and
/// Student's t. Pure functions, checked against scipy's values in StatisticsTests.
public enum Distributions {
    /// Φ(z) = P(Z ≤ z) for a standard normal Z.
    public static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

    /// P(Z > z) for a standard normal Z (accurate in the far upper tail, unlike 1 − Φ).
    public static func normalSurvival(_ z: Double) -> Double { 0.5 * erfc(z / 2.0.squareRoot()) }

    /// The standard normal density φ(z).
    public static func normalDensity(_ z: Double) -> Double { exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation refined by one Halley step
    /// (|error| < 1e-13). Returns ±infinity at 0 and 1, NaN outside [0, 1].
    public static func normalQuantile(_ p: Double) -> Double {
        guard p > 0, p < 1 else { return p == 0 ? -.infinity : p == 1 ? .infinity : .nan }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        var x: Double
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            let q = (-2 * log1p(-p)).squareRoot()
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        // One Halley step on Φ(x) − p.
        let e = normalCDF(x) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    /// P(T ≤ t) for Student's t with `df` > 0 degrees of freedom (df may be fractional, as Welch's is).
    public static func studentTCDF(_ t: Double, df: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : t < 0 ? 0 : .nan }
        let tail = 0.5 * regularizedIncompleteBeta(x: df / (df + t * t), a: df / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The t such that P(T ≤ t) = p for Student's t with `df` degrees of freedom, by bisection on
    /// ``studentTCDF(_:df:)`` (to ~1e-10); the normal quantile for df beyond 1e6 or not finite.
    public static func studentTQuantile(_ p: Double, df: Double) -> Double {
        guard p > 0 && p < 1 else { return p == 0 ? -.infinity : p == 1 ? .infinity : .nan }
        guard df.isFinite, df < 1e6 else { return normalQuantile(p) }
        guard df > 0 else { return .nan }
        // |t| ≥ |z| for every df, and the t tail is below the bound at |z|·(1 + 1e4/df) for df ≥ 0.01.
        let z = normalQuantile(p)
        var lo = p < 0.5 ? z * (1 + 1e4 / df) - 1 : z, hi = p < 0.5 ? z : z * (1 + 1e4 / df) + 1
        for _ in 0..<200 where hi - lo > 1e-10 * max(1, abs(lo)) {
            let mid = (lo + hi) / 2
            if studentTCDF(mid, df: df) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// The regularized incomplete beta function I_x(a, b), by the continued fraction of Numerical
    /// Recipes §6.4 (modified Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where it
    /// converges faster. Accurate to about 1e-12 relative for the t-distribution's arguments.
    public static func regularizedIncompleteBeta(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        let front = exp(logFront)
        if x < (a + 1) / (a + b + 2) {
            return front * betaContinuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - front * betaContinuedFraction(x: 1 - x, a: b, b: a) / b
    }

    private static func betaContinuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300, epsilon = 1e-15
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0
        var d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...300 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < epsilon { break }
        }
        return h
    }
}
