import CSIMDMath
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Adam with PyTorch's semantics (torch.optim.Adam, `foreach`/single-tensor path, no weight
/// decay, no amsgrad):
///
///     m ← β1·m + (1−β1)·g           v ← β2·v + (1−β2)·g²
///     θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε)
///
/// i.e. bias correction on both moments and ε outside the square root.
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public private(set) var step: Int = 0
    var m: FloatBuffer
    var v: FloatBuffer

    public init(parameterCount: Int, learningRate: Float = 3e-4, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = FloatBuffer(count: parameterCount)
        v = FloatBuffer(count: parameterCount)
    }

    /// One update of `parameters` [count] with `gradient` [count].
    public mutating func update(_ parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int) {
        update(parameters, gradient: gradient, count: count, team: nil)
    }

    /// The same update with the parameters split among the members of `team` in blocks of
    /// whole vectors: every parameter's arithmetic is the same, so are the bits.
    public mutating func update(_ parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int, team: ThreadTeam?) {
        precondition(count == m.count, "Adam: \(count) parameters, state for \(m.count)")
        step += 1
        let t = Double(step)
        // Scalars as PyTorch computes them (in Python floats, i.e. Double), then used in Float32.
        let bc1 = 1 - pow(Double(beta1), t)
        let bc2 = 1 - pow(Double(beta2), t)
        let scalars = Scalars(beta1: beta1, beta2: beta2, epsilon: epsilon,
                              stepSize: Float(Double(learningRate) / bc1), bc2Sqrt: Float(bc2.squareRoot()))
        let mp = m.mutablePointer, vp = v.mutablePointer
        if let team {
            team.run { member in
                let range = team.part(member, of: count, alignment: GEMMTiling.Vector.scalarCount)
                Adam.apply(scalars, parameters, gradient, mp, vp, range)
            }
        } else {
            Adam.apply(scalars, parameters, gradient, mp, vp, 0..<count)
        }
    }

    /// What one update's arithmetic needs besides the arrays.
    struct Scalars {
        let beta1: Float, beta2: Float, epsilon: Float
        /// lr / (1 − β1ᵗ) and √(1 − β2ᵗ), rounded to Float as PyTorch does.
        let stepSize: Float, bc2Sqrt: Float
    }

    /// The update of parameters `range`: whole vectors from its start, then one at a time.
    @inline(__always)
    static func apply(_ s: Scalars, _ parameters: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
                      _ mp: UnsafeMutablePointer<Float>, _ vp: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        let b1 = s.beta1, b2 = s.beta2, eps = s.epsilon, stepSize = s.stepSize, bc2Sqrt = s.bc2Sqrt
        typealias V = GEMMTiling.Vector
        let w = V.scalarCount
        var i = range.lowerBound
        while i + w <= range.upperBound {
            let g = UnsafeRawPointer(gradient + i).loadUnaligned(as: V.self)
            var mi = UnsafeRawPointer(mp + i).loadUnaligned(as: V.self)
            var vi = UnsafeRawPointer(vp + i).loadUnaligned(as: V.self)
            mi = mi * b1 + g * (1 - b1)
            vi = vi * b2 + (g * g) * (1 - b2)
            let denom = vectorSquareRoot(vi) / bc2Sqrt + eps
            var th = UnsafeRawPointer(parameters + i).loadUnaligned(as: V.self)
            th -= stepSize * (mi / denom)
            UnsafeMutableRawPointer(mp + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(vp + i).storeBytes(of: vi, as: V.self)
            UnsafeMutableRawPointer(parameters + i).storeBytes(of: th, as: V.self)
            i += w
        }
        while i < range.upperBound {
            let g = gradient[i]
            mp[i] = mp[i] * b1 + g * (1 - b1)
            vp[i] = vp[i] * b2 + (g * g) * (1 - b2)
            let denom = vp[i].squareRoot() / bc2Sqrt + eps
            parameters[i] -= stepSize * (mp[i] / denom)
            i += 1
        }
    }
}

/// Plain gradient descent, θ ← θ − lr·g: the exact single step Theorem 1 is about.
public struct SGD: Sendable {
    public var learningRate: Float
    public init(learningRate: Float) { self.learningRate = learningRate }

    public func update(_ parameters: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, count: Int) {
        let lr = learningRate
        for i in 0..<count { parameters[i] -= lr * gradient[i] }
    }
}

/// √x lane by lane in one vector instruction (see CSIMDMath.h for why not `x.squareRoot()`).
@inline(__always)
func vectorSquareRoot(_ x: SIMD16<Float>) -> SIMD16<Float> { subliminal_sqrt16(x) }

@inline(__always)
func vectorSquareRoot(_ x: SIMD8<Float>) -> SIMD8<Float> { subliminal_sqrt8(x) }
