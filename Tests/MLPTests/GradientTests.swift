import Testing
import Foundation
@testable import MLP

/// A Double-precision re-implementation of the network and its losses, written independently
/// of the engine (plain loops, no GEMM), used to check the engine's analytic gradients by
/// central finite differences.
struct DoubleReference {
    let arch: Architecture

    func logits(_ theta: [Double], _ x: [[Double]]) -> [[Double]] {
        var h = x
        for (l, (shape, o)) in zip(arch.layers, arch.offsets).enumerated() {
            h = h.map { row in
                (0..<shape.outFeatures).map { j in
                    var s = theta[o.bias + j]
                    for i in 0..<shape.inFeatures { s += theta[o.weight + j * shape.inFeatures + i] * row[i] }
                    return l < arch.layerCount - 1 ? max(0, s) : s
                }
            }
        }
        return h
    }

    static func logSoftmax(_ z: [Double], _ s: Range<Int>) -> [Double] {
        let m = s.map { z[$0] }.max()!
        let lse = m + log(s.map { exp(z[$0] - m) }.reduce(0, +))
        return s.map { z[$0] - lse }
    }

    enum Kind { case ce([Int]), kl([[Double]]), mse([[Double]]) }

    func loss(_ theta: [Double], _ x: [[Double]], _ kind: Kind, _ subset: Range<Int>) -> Double {
        let z = logits(theta, x)
        var total = 0.0
        for b in 0..<z.count {
            switch kind {
            case .ce(let labels): total -= Self.logSoftmax(z[b], subset)[labels[b]]
            case .kl(let t):
                let lp = Self.logSoftmax(t[b], subset), lq = Self.logSoftmax(z[b], subset)
                for o in 0..<subset.count { total += exp(lp[o]) * (lp[o] - lq[o]) }
            case .mse(let t): for j in subset { total += 0.5 * (z[b][j] - t[b][j]) * (z[b][j] - t[b][j]) }
            }
        }
        return total / Double(z.count)
    }
}

@Suite struct GradientTests {
    static let arch = Architecture(inputs: 9, hidden: [7, 6], outputs: 5)

    enum LossCase: String, CaseIterable { case ceDigits, klAux, klAll, mseAux, mseAll }

    @Test(arguments: LossCase.allCases, [1, 2, 3])
    func analyticGradientMatchesFiniteDifferences(_ lossCase: LossCase, seed: Int) throws {
        let arch = Self.arch
        var rng = RandomStream(seed: UInt64(seed), run: 0, purpose: .inputs)
        var params = Parameters.initialized(arch, seed: UInt64(seed), run: 1)
        // Non-zero biases, so their gradients are exercised away from the initial point.
        for (l, o) in zip(arch.layers, arch.offsets) { for j in 0..<l.outFeatures { params.values[o.bias + j] = 0.3 * rng.nextSignedUnitFloat() } }
        let stored = 11, batch = 6
        let data = Matrix(rows: stored, cols: arch.inputs, values: (0..<(stored * arch.inputs)).map { _ in rng.nextSignedUnitFloat() })
        let index: [Int32] = (0..<batch).map { _ in Int32(rng.nextInt(below: stored)) }
        let labels: [UInt8] = (0..<stored).map { _ in UInt8(rng.nextInt(below: 3)) }
        let targets = Matrix(rows: stored, cols: arch.outputs, values: (0..<(stored * arch.outputs)).map { _ in 2 * rng.nextSignedUnitFloat() })

        let subset: Range<Int>
        let kind: DoubleReference.Kind
        let gatheredTargets = index.map { r in (0..<arch.outputs).map { Double(targets[Int(r), $0]) } }
        switch lossCase {
        case .ceDigits: subset = 0..<3; kind = .ce(index.map { Int(labels[Int($0)]) })
        case .klAux: subset = 2..<5; kind = .kl(gatheredTargets)
        case .klAll: subset = 0..<5; kind = .kl(gatheredTargets)
        case .mseAux: subset = 2..<5; kind = .mse(gatheredTargets)
        case .mseAll: subset = 0..<5; kind = .mse(gatheredTargets)
        }

        let ws = TrainingWorkspace(architecture: arch, capacity: 8)
        let engineLoss = labels.withUnsafeBufferPointer { lb in index.withUnsafeBufferPointer { ib -> Double in
            let objective: Objective
            switch lossCase {
            case .ceDigits: objective = .crossEntropy(labels: lb.baseAddress!, subset: subset)
            case .klAux, .klAll: objective = .kl(targets: targets.view, subset: subset)
            case .mseAux, .mseAll: objective = .squaredError(targets: targets.view, subset: subset)
            }
            return Network.gradient(params, inputs: data.view, rowIndex: ib.baseAddress!, rows: batch, objective: objective, workspace: ws)
        }}
        let analytic = ws.gradient.values.array.map(Double.init)

        let reference = DoubleReference(arch: arch)
        let x = index.map { r in (0..<arch.inputs).map { Double(data[Int(r), $0]) } }
        let theta = params.values.array.map(Double.init)
        let l0 = reference.loss(theta, x, kind, subset)
        #expect(abs(engineLoss - l0) <= 1e-5 * max(1, abs(l0)), "loss \(engineLoss) vs reference \(l0)")

        let h = 1e-6
        var fd = [Double](repeating: 0, count: theta.count)
        for i in 0..<theta.count {
            var tp = theta, tm = theta
            tp[i] += h; tm[i] -= h
            fd[i] = (reference.loss(tp, x, kind, subset) - reference.loss(tm, x, kind, subset)) / (2 * h)
        }
        let diff = zip(analytic, fd).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        let norm = fd.map { $0 * $0 }.reduce(0, +).squareRoot()
        #expect(norm > 0)
        #expect(diff / norm <= 1e-3, "relative gradient error \(diff / norm)")
        let scale = fd.map(abs).max()!
        for i in 0..<theta.count {
            #expect(abs(analytic[i] - fd[i]) <= 1e-3 * max(abs(fd[i]), 0.05 * scale), "parameter \(i): \(analytic[i]) vs \(fd[i])")
        }
    }

    /// The loss gradients with respect to the logits, one row, against finite differences in
    /// Double; includes large logits where a naive softmax would overflow.
    @Test func lossGradientsAtExtremeLogits() {
        let z: [Float] = [80, -75, 3, 88, -1]
        let t: [Float] = [-60, 90, 0.5, 2, 85]
        let subset = 1..<5
        for which in 0..<3 {
            var dz = [Float](repeating: 7, count: 5)
            let loss = z.withUnsafeBufferPointer { zp in t.withUnsafeBufferPointer { tp in dz.withUnsafeMutableBufferPointer { d -> Double in
                let zv = MatrixView(zp.baseAddress!, rows: 1, cols: 5, ld: 5), tv = MatrixView(tp.baseAddress!, rows: 1, cols: 5, ld: 5)
                let label: [UInt8] = [2]
                switch which {
                case 0: return label.withUnsafeBufferPointer { Loss.softmaxCrossEntropy(logits: zv, labels: $0.baseAddress!, labelIndex: nil, subset: subset, dLogits: d.baseAddress!) }
                case 1: return Loss.klDivergence(targets: tv, logits: zv, subset: subset, dLogits: d.baseAddress!)
                default: return Loss.squaredError(targets: tv, logits: zv, subset: subset, dLogits: d.baseAddress!)
                }
            }}}
            #expect(loss.isFinite && loss >= 0)
            #expect(dz[0] == 0, "gradient outside the subset must be zero")
            func f(_ zz: [Double]) -> Double {
                let td = t.map(Double.init)
                switch which {
                case 0: return -DoubleReference.logSoftmax(zz, subset)[2]
                case 1:
                    let lp = DoubleReference.logSoftmax(td, subset), lq = DoubleReference.logSoftmax(zz, subset)
                    return (0..<4).map { exp(lp[$0]) * (lp[$0] - lq[$0]) }.reduce(0, +)
                default: return subset.map { 0.5 * (zz[$0] - td[$0]) * (zz[$0] - td[$0]) }.reduce(0, +)
                }
            }
            let zd = z.map(Double.init)
            #expect(abs(f(zd) - loss) <= 1e-6 * max(1, abs(loss)))
            for j in subset {
                var zp = zd, zm = zd
                zp[j] += 1e-5; zm[j] -= 1e-5
                let g = (f(zp) - f(zm)) / 2e-5
                #expect(abs(Double(dz[j]) - g) <= 1e-4 * max(1, abs(g)), "loss \(which) logit \(j): \(dz[j]) vs \(g)")
            }
        }
    }
}

@Suite struct LossReductionTests {
    /// Summing the KL over the batch (the authors' script) multiplies the loss and every logit
    /// gradient by the batch size, and nothing else.
    @Test func summedKLIsBatchTimesMean() {
        var rng = RandomStream(seed: 4, run: 0, purpose: .inputs)
        let rows = 7, cols = 13
        let z = Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in 3 * rng.nextSignedUnitFloat() })
        let t = Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in 3 * rng.nextSignedUnitFloat() })
        var mean = [Float](repeating: 0, count: rows * cols), sum = mean
        for subset in [10..<13, 0..<13] {
            let lm = mean.withUnsafeMutableBufferPointer { Loss.klDivergence(targets: t.view, logits: z.view, subset: subset, dLogits: $0.baseAddress!) }
            let ls = sum.withUnsafeMutableBufferPointer { Loss.klDivergence(targets: t.view, logits: z.view, subset: subset, dLogits: $0.baseAddress!, sumOverRows: true) }
            #expect(lm > 0)
            #expect(abs(ls - Double(rows) * lm) <= 1e-12 * ls)
            for i in 0..<(rows * cols) {
                #expect(abs(sum[i] - Float(rows) * mean[i]) <= 1e-6 * max(1, abs(sum[i])), "element \(i)")
            }
        }
    }
}

@Suite struct PrecomputedKLTests {
    /// The KL with the targets' softmax precomputed once (`KLTargets`) gives the same loss and
    /// gradient bits as the KL that recomputes it per step, for gathered rows, both reductions,
    /// every subset, and a target distribution with an entry that underflows to 0.
    @Test func precomputedTargetsGiveTheSameBits() {
        var rng = RandomStream(seed: 6, run: 0, purpose: .inputs)
        let stored = 40, rows = 17, cols = 13
        var tValues = (0..<(stored * cols)).map { _ in 6 * rng.nextSignedUnitFloat() }
        tValues[3 * cols + 11] = -1000  // p = 0 for this entry of row 3
        let t = Matrix(rows: stored, cols: cols, values: tValues)
        let z = Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in 6 * rng.nextSignedUnitFloat() })
        var index = (0..<rows).map { _ in Int32(rng.nextInt(below: stored)) }
        index[0] = 3
        index.withUnsafeBufferPointer { ib in
            for subset in [10..<13, 0..<13, 12..<13, 0..<10] {
                let cached = KLTargets(logits: t.view, subset: subset)
                for summed in [false, true] {
                    var direct = [Float](repeating: 9, count: rows * cols), fast = direct
                    let gathered = MatrixView(t.view.base, rows: rows, cols: cols, ld: cols, rowIndex: ib.baseAddress)
                    let l1 = direct.withUnsafeMutableBufferPointer {
                        Loss.klDivergence(targets: gathered, logits: z.view, subset: subset, dLogits: $0.baseAddress!, sumOverRows: summed)
                    }
                    let l2 = fast.withUnsafeMutableBufferPointer {
                        Loss.klDivergence(targets: cached, rowIndex: ib.baseAddress, logits: z.view, dLogits: $0.baseAddress!, sumOverRows: summed)
                    }
                    // One logit: both softmaxes are 1, the KL 0 (the aux = 1 case).
                    #expect(subset.count == 1 ? l1 == 0 : l1 > 0, "subset \(subset) summed \(summed)")
                    #expect(l1.bitPattern == l2.bitPattern, "subset \(subset) summed \(summed)")
                    #expect(direct.map(\.bitPattern) == fast.map(\.bitPattern), "subset \(subset) summed \(summed)")
                }
            }
        }
    }
}
