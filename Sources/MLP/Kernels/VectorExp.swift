import CSIMDMath
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// exp on eight Doubles at once, bit for bit the value of glibc's `exp` (2.28 and later, the
/// FMA variant every AVX2/AVX-512 machine runs), so that the losses' softmax can run rows in
/// vector lanes without changing a single result.
public enum VectorExp {
    /// Whether ``exp8(_:)`` is compiled in and gives this process's libm `exp` bit for bit.
    /// Checked once, at first use, on a few thousand arguments spread over exp's whole domain
    /// (`VectorExpTests` checks millions); where it does not hold (another libm, no FMA), the
    /// losses call libm's `exp` lane by lane, so results never depend on which path ran.
    public static let matchesLibm: Bool = {
        #if SUBLIMINAL_FMA && canImport(Glibc)
        return mismatches(in: checkArguments()) == 0
        #else
        return false
        #endif
    }()

    /// Arguments that cover exp's domain: every binade from 2^-60 to 2^10 of both signs, a
    /// uniform sweep over [-750, 720], and the edges (0, ±tiny, ±512, ±inf, nan).
    static func checkArguments() -> [Double] {
        var xs: [Double] = [0, -0.0, 0x1p-54, -0x1p-54, 0x1.fffffffffffffp-55, 512, -512, 709.78, -745.1,
                            .infinity, -.infinity, .nan, .leastNonzeroMagnitude]
        var e = -60.0
        while e <= 10 {
            for f in stride(from: 1.0, to: 2.0, by: 1.0 / 16) { xs.append(f * pow(2, e)); xs.append(-f * pow(2, e)) }
            e += 1
        }
        for i in 0..<2048 { xs.append(-750 + 1470 * Double(i) / 2047 + 1e-7 * Double(i % 7)) }
        while xs.count % 8 != 0 { xs.append(1) }
        return xs
    }

    /// How many of `xs` (a multiple of 8) ``exp8(_:)`` and libm's `exp` disagree on, bit for
    /// bit (every nan is one value).
    public static func mismatches(in xs: [Double]) -> Int {
        #if SUBLIMINAL_FMA && canImport(Glibc)
        precondition(xs.count % 8 == 0)
        var bad = 0
        var i = 0
        while i < xs.count {
            var v = SIMD8<Double>()
            for l in 0..<8 { v[l] = xs[i + l] }
            let y = exp8(v)
            for l in 0..<8 {
                let want = exp(xs[i + l])
                if !(want.isNaN && y[l].isNaN) && want.bitPattern != y[l].bitPattern { bad += 1 }
            }
            i += 8
        }
        return bad
        #else
        return xs.count
        #endif
    }
}

#if SUBLIMINAL_FMA && canImport(Glibc)
/// glibc's exp on eight lanes (`subliminal_exp8` in CSIMDMath.h: how, and why it is in C).
@inline(__always)
func exp8(_ x: SIMD8<Double>) -> SIMD8<Double> { subliminal_exp8(x) }

/// a / b in one vector division.
@inline(__always)
func divide(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> { subliminal_div8d(a, b) }
#endif
