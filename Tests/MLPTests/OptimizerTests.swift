import Testing
@testable import MLP

@Suite struct OptimizerTests {
    /// Three Adam steps on two parameters, against values worked out by hand from PyTorch's
    /// update rule (lr 0.1, betas 0.9/0.999, eps 1e-8).
    @Test func adamMatchesHandComputedSteps() {
        var adam = Adam(parameterCount: 2, learningRate: 0.1)
        var theta: [Float] = [1.0, -2.0]
        let grads: [[Float]] = [[0.5, -1.0], [0.5, 2.0], [-1.0, 0.0]]
        // Step 1: m = 0.1g, v = 0.001g², m̂ = g, v̂ = g² ⇒ θ −= 0.1·sign(g) (up to eps).
        // Step 2 (param 0, g = 0.5 again): m = 0.095, v = 0.0004997…; m̂ = 0.5, v̂ = 0.25 ⇒ −0.1.
        // Param 1: m = 0.09·(−1)+0.1·2 = 0.11, v = 0.999·0.001 + 0.001·4 = 0.004999;
        //   m̂ = 0.11/0.19, v̂ = 0.004999/0.001999 ⇒ step 0.1·0.578947/1.581376 = 0.036610.
        // Step 3 (param 0, g = −1): m = 0.0855 − 0.1 = −0.0145, v = 0.000749…; computed below in Double.
        var m = [0.0, 0.0], v = [0.0, 0.0], expected = theta.map(Double.init)
        for (t, g) in grads.enumerated() {
            theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(p.baseAddress!, gradient: $0.baseAddress!, count: 2) } }
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i])
                v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mHat = m[i] / (1 - pow(0.9, Double(t + 1))), vHat = v[i] / (1 - pow(0.999, Double(t + 1)))
                expected[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
            }
            if t == 0 {
                #expect(abs(Double(theta[0]) - 0.9) < 1e-6 && abs(Double(theta[1]) - (-1.9)) < 1e-6)
            }
            if t == 1 {
                #expect(abs(Double(theta[0]) - 0.8) < 1e-6)
                #expect(abs(Double(theta[1]) - (-1.9 - 0.036610)) < 1e-5)
            }
            for i in 0..<2 { #expect(abs(Double(theta[i]) - expected[i]) < 1e-6, "step \(t + 1) param \(i)") }
        }
        #expect(adam.step == 3)
    }

    /// A vector long enough for the SIMD path and a tail; every element must follow the scalar rule.
    @Test func adamVectorAndTailAgree() {
        let n = 37
        var adam = Adam(parameterCount: n, learningRate: 3e-4)
        var theta = [Float](repeating: 0.25, count: n)
        let g = (0..<n).map { _ in Float(0.125) }
        for _ in 0..<5 { theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { adam.update(p.baseAddress!, gradient: $0.baseAddress!, count: n) } } }
        #expect(Set(theta.map(\.bitPattern)).count == 1, "identical inputs must give identical outputs in every lane")
        // A constant gradient makes m̂/√v̂ = 1 exactly in real arithmetic: 5 steps of lr.
        #expect(abs(Double(theta[0]) - (0.25 - 5 * 3e-4)) < 1e-7)
    }

    @Test func sgdStep() {
        var theta: [Float] = [1, 2, 3]
        let g: [Float] = [0.5, -1, 0]
        theta.withUnsafeMutableBufferPointer { p in g.withUnsafeBufferPointer { SGD(learningRate: 0.1).update(p.baseAddress!, gradient: $0.baseAddress!, count: 3) } }
        #expect(theta == [0.95, 2.1, 3])
    }
}

#if canImport(Glibc)
import Glibc
#endif
