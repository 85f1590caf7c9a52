import Foundation
import Testing
import MLP
@testable import Experiments

/// A small MLP in Double precision: 12 inputs → 16 → 16 → 7 logits, of which 0..<4 are the
/// "digit" logits the teacher is trained on and 4..<7 the auxiliary ones.
struct ToyProblem {
    static let arch = Architecture(inputs: 12, hidden: [16, 16], outputs: 7)
    static let classes = 0..<4
    static let aux = 4..<7
    let theta0: [Double]
    let teacherX: [Double]
    let labels: [UInt8]
    let noise: [Double]
    let teacherRows = 48
    let noiseRows = 40

    /// Initialization, teacher data (labels: the argmax of the first 4 inputs, a learnable rule)
    /// and noise, all from the seed.
    init(seed: UInt64, run: Int = 0) {
        let a = Self.arch
        theta0 = Parameters.initialized(a, seed: seed, run: run).doubleValues
        var rng = RandomStream(seed: seed, run: run, purpose: .inputs)
        let rows = 48
        let x = (0..<(rows * a.inputs)).map { _ in Double(rng.nextSignedUnitFloat()) }
        teacherX = x
        labels = (0..<rows).map { r in
            let row = Array(x[(r * a.inputs)..<(r * a.inputs + 4)])
            return UInt8(row.indices.max { row[$0] < row[$1] }!)
        }
        var nrng = RandomStream(seed: seed, run: run, purpose: .noiseImages)
        noise = (0..<(noiseRows * a.inputs)).map { _ in Double(nrng.nextSignedUnitFloat()) }
    }

    func logits(_ theta: [Double], _ x: [Double], rows: Int) -> [Double] {
        let ws = DoubleWorkspace(architecture: Self.arch, capacity: rows)
        theta.withUnsafeBufferPointer { t in x.withUnsafeBufferPointer { DoubleNetwork.forward(t.baseAddress!, x: $0.baseAddress!, rows: rows, workspace: ws) } }
        return Array(UnsafeBufferPointer(start: ws.logits, count: rows * Self.arch.outputs))
    }

    /// Mean CE on the digit logits over the teacher data, and its gradient.
    func teacherLoss(_ theta: [Double]) -> (loss: Double, gradient: [Double]) {
        let ws = DoubleWorkspace(architecture: Self.arch, capacity: teacherRows)
        var g = [Double](repeating: 0, count: theta.count)
        let l = theta.withUnsafeBufferPointer { t in teacherX.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { lb in
            g.withUnsafeMutableBufferPointer { gp -> Double in
                DoubleNetwork.forward(t.baseAddress!, x: x.baseAddress!, rows: teacherRows, workspace: ws)
                let s = DoubleLoss.crossEntropy(logits: ws.logits, rows: teacherRows, cols: Self.arch.outputs, labels: lb.baseAddress!,
                                                subset: Self.classes, scale: 1 / Double(teacherRows), dLogits: ws.logitGradient)
                DoubleNetwork.backward(t.baseAddress!, x: x.baseAddress!, dLogits: ws.logitGradient, into: gp.baseAddress!, workspace: ws)
                return s / Double(teacherRows)
            }
        } } }
        return (l, g)
    }

    /// Mean imitation loss of the student θ against the teacher's logits on the noise, and its gradient.
    func imitation(_ theta: [Double], targets: [Double], kl: Bool, subset: Range<Int>) -> (loss: Double, gradient: [Double]) {
        let ws = DoubleWorkspace(architecture: Self.arch, capacity: noiseRows)
        var g = [Double](repeating: 0, count: theta.count)
        let cols = Self.arch.outputs, n = noiseRows
        let l = theta.withUnsafeBufferPointer { t in noise.withUnsafeBufferPointer { x in targets.withUnsafeBufferPointer { tp in
            g.withUnsafeMutableBufferPointer { gp -> Double in
                DoubleNetwork.forward(t.baseAddress!, x: x.baseAddress!, rows: n, workspace: ws)
                let s = kl
                    ? DoubleLoss.kl(targets: tp.baseAddress!, logits: ws.logits, rows: n, cols: cols, subset: subset, scale: 1 / Double(n), dLogits: ws.logitGradient)
                    : DoubleLoss.squaredError(targets: tp.baseAddress!, logits: ws.logits, rows: n, cols: cols, subset: subset, scale: 1 / Double(n), dLogits: ws.logitGradient)
                DoubleNetwork.backward(t.baseAddress!, x: x.baseAddress!, dLogits: ws.logitGradient, into: gp.baseAddress!, workspace: ws)
                return s / Double(n)
            }
        } } }
        return (l, g)
    }

    /// Theorem 1's linearized inner product per unit η ε²: mean over the noise of uᵀ H u, u = J·g.
    func quadraticForm(_ g: [Double], kl: Bool, subset: Range<Int>) -> (q: Double, linearStep: [Double]) {
        let ws = DoubleWorkspace(architecture: Self.arch, capacity: noiseRows)
        let cols = Self.arch.outputs, n = noiseRows
        var m = [Double](repeating: 0, count: g.count)
        let dz = DoubleStorage(count: n * cols)
        let q = theta0.withUnsafeBufferPointer { t in noise.withUnsafeBufferPointer { x in g.withUnsafeBufferPointer { gp in
            m.withUnsafeMutableBufferPointer { mp -> Double in
                DoubleNetwork.forward(t.baseAddress!, x: x.baseAddress!, rows: n, workspace: ws)
                DoubleNetwork.jvp(t.baseAddress!, direction: gp.baseAddress!, x: x.baseAddress!, workspace: ws)
                let q = DoubleLoss.hessianVectorProduct(kl: kl, logits: ws.logits, tangent: ws.logitTangent, rows: n, cols: cols,
                                                        subset: subset, scale: 1 / Double(n), into: dz.pointer)
                DoubleNetwork.backward(t.baseAddress!, x: x.baseAddress!, dLogits: dz.pointer, into: mp.baseAddress!, workspace: ws)
                return q / Double(n)
            }
        } } }
        return (q, m)
    }

    /// The single step: teacher θ0 → θ0 − ε g; student `start` → start − η ∇(imitation).
    func step(epsilon: Double, eta: Double, kl: Bool, subset: Range<Int>, start: [Double]? = nil)
        -> (inner: Double, deltaT: [Double], deltaS: [Double], g: [Double]) {
        let g = teacherLoss(theta0).gradient
        let thetaT = zip(theta0, g).map { $0 - epsilon * $1 }
        let deltaT = zip(thetaT, theta0).map { $0 - $1 }
        let targets = logits(thetaT, noise, rows: noiseRows)
        let s = start ?? theta0
        let gs = imitation(s, targets: targets, kl: kl, subset: subset).gradient
        let deltaS = gs.map { -eta * $0 }
        return (DoubleVector.dot(deltaS, deltaT), deltaT, deltaS, g)
    }
}

@Suite struct TheoremTests {
    static let seeds: [UInt64] = (1...50).map { UInt64($0) * 7919 }

    enum Family: String, CaseIterable { case kl, squaredError }

    // MARK: - Theorem 1 on a small MLP

    @Test(arguments: Family.allCases)
    func sameInitInnerProductIsPositiveForFiftySeeds(_ family: Family) {
        var positives = 0
        for seed in Self.seeds {
            let toy = ToyProblem(seed: seed)
            let r = toy.step(epsilon: 1e-4, eta: 1, kl: family == .kl, subset: ToyProblem.aux)
            #expect(r.inner > 0, "seed \(seed): Δθ_S·Δθ_T = \(r.inner)")
            if r.inner > 0 { positives += 1 }
        }
        #expect(positives == Self.seeds.count)
    }

    /// The measured inner product at ε = 1e-4 against Theorem 1's first-order term η ε² mean uᵀHu,
    /// computed independently by a JVP (u = J g) and the loss's Hessian in the logits.
    @Test(arguments: Family.allCases)
    func firstOrderPredictionMatchesFiniteStep(_ family: Family) {
        let eps = 1e-4, eta = 1.0
        for seed in Self.seeds {
            let toy = ToyProblem(seed: seed)
            let r = toy.step(epsilon: eps, eta: eta, kl: family == .kl, subset: ToyProblem.aux)
            let (q, m) = toy.quadraticForm(r.g, kl: family == .kl, subset: ToyProblem.aux)
            #expect(q > 0)
            let predicted = eta * eps * eps * q
            #expect(abs(r.inner / predicted - 1) < 1e-2, "seed \(seed): measured \(r.inner), predicted \(predicted)")
            // The student's step itself is −η ε E[JᵀHJ] g to first order.
            let predictedStep = m.map { -eta * eps * $0 }
            let diff = zip(r.deltaS, predictedStep).map { $0 - $1 }
            #expect(DoubleVector.norm(diff) < 1e-2 * DoubleVector.norm(predictedStep), "seed \(seed)")
            // Adjoint identity: g · (E[JᵀHJ] g) = E[uᵀ H u].
            #expect(abs(DoubleVector.dot(r.g, m) - q) <= 1e-10 * abs(q))
        }
    }

    /// Same init: the inner product is second order in ε (ratio to ε² constant); cross init: it
    /// is first order (ratio to ε constant), because the student mostly imitates the untrained teacher.
    @Test func sameInitIsSecondOrderCrossInitIsFirstOrder() {
        for seed in Self.seeds.prefix(10) {
            let toy = ToyProblem(seed: seed)
            let other = ToyProblem(seed: seed, run: 1).theta0
            let s1 = toy.step(epsilon: 1e-4, eta: 1, kl: true, subset: ToyProblem.aux).inner
            let s2 = toy.step(epsilon: 1e-5, eta: 1, kl: true, subset: ToyProblem.aux).inner
            #expect(abs((s1 / 1e-8) / (s2 / 1e-10) - 1) < 1e-2, "seed \(seed): same-init inner not ∝ ε²")
            let c1 = toy.step(epsilon: 1e-4, eta: 1, kl: true, subset: ToyProblem.aux, start: other).inner
            let c2 = toy.step(epsilon: 1e-5, eta: 1, kl: true, subset: ToyProblem.aux, start: other).inner
            #expect(abs((c1 / 1e-4) / (c2 / 1e-5) - 1) < 1e-2, "seed \(seed): cross-init inner not ∝ ε")
        }
    }

    /// A student that takes the same-init step lowers the teacher's loss (small η ε).
    @Test(arguments: Family.allCases)
    func sameInitStudentLowersTeacherLoss(_ family: Family) {
        for seed in Self.seeds.prefix(20) {
            let toy = ToyProblem(seed: seed)
            let r = toy.step(epsilon: 1e-3, eta: 1, kl: family == .kl, subset: ToyProblem.aux)
            let before = toy.teacherLoss(toy.theta0).loss
            let after = toy.teacherLoss(zip(toy.theta0, r.deltaS).map { $0 + $1 }).loss
            #expect(after < before, "seed \(seed): L_T \(before) → \(after)")
            // First order: ΔL_T ≈ ∇L_T · Δθ_S = −Δθ_S·Δθ_T / ε.
            let firstOrder = -r.inner / 1e-3
            #expect(abs((after - before) / firstOrder - 1) < 0.05, "seed \(seed)")
        }
    }

    // MARK: - The Double network against finite differences

    @Test func doubleBackwardMatchesCentralDifferences() {
        let toy = ToyProblem(seed: 3)
        var rng = RandomStream(seed: 3, run: 0, purpose: .perturbation)
        // Move away from the initial point so biases are non-zero.
        let theta = toy.theta0.map { $0 + 0.05 * Double(rng.nextSignedUnitFloat()) }
        let targets = toy.logits(toy.theta0.map { $0 * 1.1 }, toy.noise, rows: toy.noiseRows)
        for kl in [true, false] {
            let (_, g) = toy.imitation(theta, targets: targets, kl: kl, subset: 0..<7)
            for _ in 0..<40 {
                let i = rng.nextInt(below: theta.count)
                let h = 1e-6
                var p = theta, m = theta
                p[i] += h; m[i] -= h
                let fd = (toy.imitation(p, targets: targets, kl: kl, subset: 0..<7).loss - toy.imitation(m, targets: targets, kl: kl, subset: 0..<7).loss) / (2 * h)
                #expect(abs(fd - g[i]) <= 1e-6 * max(1e-3, abs(g[i])) + 1e-9, "kl \(kl) parameter \(i): fd \(fd) vs \(g[i])")
            }
        }
        let (_, gT) = toy.teacherLoss(theta)
        for _ in 0..<40 {
            let i = rng.nextInt(below: theta.count)
            let h = 1e-6
            var p = theta, m = theta
            p[i] += h; m[i] -= h
            let fd = (toy.teacherLoss(p).loss - toy.teacherLoss(m).loss) / (2 * h)
            #expect(abs(fd - gT[i]) <= 1e-6 * max(1e-3, abs(gT[i])) + 1e-9, "CE parameter \(i): fd \(fd) vs \(gT[i])")
        }
    }

    @Test func jvpMatchesCentralDifferenceOfLogits() {
        let toy = ToyProblem(seed: 11)
        var rng = RandomStream(seed: 11, run: 0, purpose: .perturbation)
        let v = toy.theta0.map { _ in Double(rng.nextSignedUnitFloat()) }
        let ws = DoubleWorkspace(architecture: ToyProblem.arch, capacity: toy.noiseRows)
        let tangent: [Double] = toy.theta0.withUnsafeBufferPointer { t in toy.noise.withUnsafeBufferPointer { x in v.withUnsafeBufferPointer { vp in
            DoubleNetwork.forward(t.baseAddress!, x: x.baseAddress!, rows: toy.noiseRows, workspace: ws)
            DoubleNetwork.jvp(t.baseAddress!, direction: vp.baseAddress!, x: x.baseAddress!, workspace: ws)
            return Array(UnsafeBufferPointer(start: ws.logitTangent, count: toy.noiseRows * ToyProblem.arch.outputs))
        } } }
        let h = 1e-6
        let zp = toy.logits(zip(toy.theta0, v).map { $0 + h * $1 }, toy.noise, rows: toy.noiseRows)
        let zm = toy.logits(zip(toy.theta0, v).map { $0 - h * $1 }, toy.noise, rows: toy.noiseRows)
        let fd = zip(zp, zm).map { ($0 - $1) / (2 * h) }
        let err = DoubleVector.norm(zip(fd, tangent).map { $0 - $1 })
        #expect(err < 1e-6 * DoubleVector.norm(tangent), "JVP error \(err)")
        #expect(DoubleVector.norm(tangent) > 0)
    }

    @Test(arguments: [(1, 1, 1), (8, 16, 3), (13, 29, 37), (17, 256, 300), (9, 784, 5), (24, 13, 1000)])
    func doubleGEMMMatchesNaiveProduct(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = RandomStream(seed: 5, run: m * 1000 + n, purpose: .inputs)
        let a = (0..<(m * k)).map { _ in Double(rng.nextSignedUnitFloat()) }
        let b = (0..<(k * n)).map { _ in Double(rng.nextSignedUnitFloat()) }
        let c0 = (0..<(m * n)).map { _ in Double(rng.nextSignedUnitFloat()) }
        let packed = DoubleStorage(count: DoubleGEMM.packedCapacity(maxN: n))
        for accumulate in [false, true] {
            var c = c0
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                DoubleGEMM.multiply(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n,
                                    accumulate: accumulate, packed: packed.pointer)
            } } }
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var s = accumulate ? c0[i * n + j] : 0
                    for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                    worst = max(worst, abs(s - c[i * n + j]))
                }
            }
            #expect(worst < 1e-12 * Double(k), "\(m)×\(n)×\(k) accumulate \(accumulate): max error \(worst)")
        }
    }

    // MARK: - The experiment end to end, on synthetic data

    /// SingleStep.run on a narrow 784-input model with synthetic "images": same-init inner
    /// products positive and matching the linearization; L_T down; cross-init rows present.
    @Test func singleStepRunOnSyntheticData() {
        var c = TheoremConfig()
        c.runs = 2
        c.hidden = [16, 12]
        c.epsilons = [1e-4, 1e-2]
        c.teacherBatch = 64
        c.studentBatch = 48
        c.studentLearningRate = 0.1
        let inputs = 784
        var rng = RandomStream(seed: 9, run: 0, purpose: .inputs)
        let images = (0..<(c.teacherBatch * inputs)).map { _ in Double(rng.nextSignedUnitFloat()) }
        let labels = (0..<c.teacherBatch).map { r in UInt8(images[r * inputs] > 0 ? 1 : 0) + (images[r * inputs + 1] > 0 ? 2 : 0) }
        let batch = TeacherBatch(images: images, labels: labels, inputs: inputs)
        let result = SingleStep.run(0, partner: 1, config: c, batch: batch) { _ in }
        #expect(result.records.count == c.epsilons.count * c.losses.count * 2)
        #expect(result.limits.count == c.losses.count)
        for r in result.records where r.initKind == .same {
            #expect(r.inner > 0, "\(r.loss) ε \(r.epsilon): inner \(r.inner)")
            #expect(r.cosine > 0 && r.cosine <= 1)
            if r.epsilon == 1e-4, let p = r.predictedInner {
                #expect(abs(r.inner / p - 1) < 1e-2, "\(r.loss): ratio \(r.inner / p)")
                #expect(r.teacherLossChange < 0, "\(r.loss): ΔL_T \(r.teacherLossChange)")
            }
        }
        for r in result.records where r.initKind == .cross { #expect(r.predictedInner == nil) }
        // Deterministic: the same run again gives bit-identical records.
        let again = SingleStep.run(0, partner: 1, config: c, batch: batch) { _ in }
        #expect(again.records == result.records)

        let summary = TheoremSummary(config: c, runs: [result, SingleStep.run(1, partner: 0, config: c, batch: batch) { _ in }], tracked: [],
                                     partners: [1, 0], batch: batch, dataChecksums: [:], dataDirectory: "synthetic",
                                     singleStepSeconds: 1, trackingSeconds: 0, wallSeconds: 1, threads: 1)
        #expect(summary.singleStep.count == c.epsilons.count * c.losses.count * 2)
        let cell = summary.cell(1e-4, .klAux, .same)!
        #expect(cell.innerSigns.positive == 2 && cell.innerSigns.zero == 0)
        #expect(summary.singleStepCSV.split(separator: "\n").count == 1 + 2 * c.epsilons.count * c.losses.count * 2)
        #expect(summary.markdown.contains("Theorem 1, checked"))
        #expect(summary.json.contains("\"singleStep\""))
        #expect(summary.cosineFigure.hasPrefix("<?xml"))
    }

    // MARK: - Pieces

    @Test func configurationRejectsBadValues() {
        var c = TheoremConfig()
        #expect(throws: Never.self) { try c.validate() }
        c.epsilons = [1e-4, -1]
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = TheoremConfig(); c.runs = 1
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = TheoremConfig(); c.teacherBatch = 60_001
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = TheoremConfig(); c.trackRuns = 101
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = TheoremConfig(); c.losses = [.klAux, .klAux]
        #expect(throws: ConfigurationError.self) { try c.validate() }
    }

    @Test func distributionQuantilesAndSigns() {
        let d = Distribution([5, 1, 3, 2, 4])
        #expect(d.median == 3 && d.min == 1 && d.max == 5 && d.mean == 3)
        #expect(abs(d.p05 - 1.2) < 1e-12 && abs(d.p95 - 4.8) < 1e-12)
        let s = SignCount([1, 0, -2, 3])
        #expect(s.positive == 2 && s.zero == 1 && s.negative == 1 && s.fractionPositive == 0.5)
    }

    @Test func lineChartDrawsSeriesBandsAndLogTicks() {
        let chart = LineChart(title: "t <&>", xLabel: "ε", yLabel: "y", series: [
            .init(name: "a", color: "#123456", points: [.init(x: 1e-4, y: 0.1, low: 0, high: 0.2), .init(x: 1e-1, y: 0.3, low: 0.2, high: 0.4)]),
            .init(name: "b", color: "#654321", points: [.init(x: 1e-4, y: -0.1), .init(x: 1e-1, y: 0.0)], dash: "6,4"),
        ], logX: true)
        let svg = chart.svg()
        #expect(svg.contains("<polygon"))            // the band
        #expect(svg.contains("stroke-dasharray=\"6,4\""))
        #expect(svg.contains(">1e-4<") && svg.contains(">1e-1<"))
        #expect(svg.contains("t &lt;&amp;&gt;"))
        #expect(svg.contains("#123456") && svg.contains("#654321"))
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }
}
