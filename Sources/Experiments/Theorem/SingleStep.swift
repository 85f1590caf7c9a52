import MLP

/// One student step of the single-step check: run × ε × imitation loss × init.
public struct SingleStepRecord: Codable, Sendable, Equatable {
    public var run: Int
    /// The run whose initialization the cross-init student starts from (also recorded for same-init rows).
    public var partner: Int
    public var epsilon: Double
    public var loss: ImitationLoss
    public var initKind: InitKind
    /// Δθ_S · Δθ_T.
    public var inner: Double
    /// Δθ_S · Δθ_T / (‖Δθ_S‖ ‖Δθ_T‖).
    public var cosine: Double
    /// The cosine split by layer: layer l's weights and biases' share of Δθ_S · Δθ_T, divided by
    /// ‖Δθ_S‖ ‖Δθ_T‖ (sums to `cosine`). Shows where the (mis)alignment lives.
    public var cosineByLayer: [Double]
    public var studentStepNorm: Double
    public var teacherStepNorm: Double
    /// The student's imitation loss before its step (0 for same-init students up to the teacher's move).
    public var imitationLoss: Double
    /// The student's L_T (mean MNIST cross-entropy, logits 0-9, over the teacher's batch) before and after its step.
    public var teacherLossBefore: Double
    public var teacherLossAfter: Double
    /// ∇L_T(student start) · Δθ_S: the first-order prediction of the change of L_T.
    public var teacherLossChangeFirstOrder: Double
    /// Same-init only: the linearized inner product η ε² · mean_x uᵀ H u, u = J(x)·∇L_T
    /// (Theorem 1's leading term; the measured inner product / this → 1 as ε → 0).
    public var predictedInner: Double?

    public var teacherLossChange: Double { teacherLossAfter - teacherLossBefore }
}

/// The ε-independent limits of one run and loss.
public struct LimitRecord: Codable, Sendable, Equatable {
    public var run: Int
    public var loss: ImitationLoss
    /// mean_x uᵀ H u with u = J(x)·g, g = ∇L_T(θ0): the same-init inner product is η ε² times this.
    public var quadraticForm: Double
    /// The same-init cosine as ε → 0: cos(E[Jᵀ H J] g, g).
    public var sameInitCosineLimit: Double
    /// The cross-init student's cosine at ε = 0, i.e. when it imitates the untrained teacher θ0:
    /// what the cross-init cosine tends to as ε → 0.
    public var crossInitCosineAtZero: Double
}

/// What one run of the single-step check produces.
public struct SingleStepRun: Codable, Sendable {
    public var run: Int
    public var partner: Int
    /// L_T(θ0) and ‖∇L_T(θ0)‖ of this run's initialization.
    public var teacherLoss: Double
    public var gradientNorm: Double
    public var records: [SingleStepRecord]
    public var limits: [LimitRecord]
    public var seconds: Double
}

/// The teacher's fixed MNIST batch in Double: a seeded random subset of the training set,
/// identical for every run.
public final class TeacherBatch: @unchecked Sendable {
    public let images: DoubleStorage
    public let labels: [UInt8]
    public let rows: Int
    /// The training-set rows of the batch, in order.
    public let indices: [Int]
    /// What the batch is, in words.
    public let description: String

    /// `count` training images drawn without replacement by the stream (seed, 0, batchSelection)
    /// (all of them, in order, when `count` is the training-set size).
    public init(data: ExperimentData, count: Int, seed: UInt64) {
        let n = data.trainImages.rows
        precondition(count >= 1 && count <= n)
        if count == n {
            indices = Array(0..<n)
            description = "all \(n) training images"
        } else {
            description = "\(count) of the \(n) training images, drawn without replacement by the stream (seed \(seed), run 0, batchSelection); the same batch for every run"
            var rng = RandomStream(seed: seed, run: 0, purpose: .batchSelection)
            indices = rng.permutation(n).prefix(count).map(Int.init).sorted()
        }
        rows = count
        let cols = data.trainImages.cols
        images = DoubleStorage(count: count * cols)
        let src = data.trainImages.pointer
        for (i, r) in indices.enumerated() {
            for c in 0..<cols { images.pointer[i * cols + c] = Double(src[r * cols + c]) }
        }
        labels = indices.map { data.trainLabels[$0] }
    }

    public init(images: [Double], labels: [UInt8], inputs: Int) {
        precondition(images.count == labels.count * inputs)
        self.images = DoubleStorage(images)
        self.labels = labels
        rows = labels.count
        indices = Array(0..<rows)
        description = "\(rows) given images"
    }
}

/// Theorem 1's single step, in Double precision throughout (see `DoubleNetwork`).
public enum SingleStep {
    /// Rows per chunk when sweeping the teacher's batch.
    static let chunk = 1024

    /// Mean CE of logits 0-9 over the batch at θ, and (if `gradient` is given) its gradient.
    public static func teacherLoss(_ theta: UnsafePointer<Double>, batch: TeacherBatch, gradient: UnsafeMutablePointer<Double>?,
                                   workspace ws: DoubleWorkspace) -> Double {
        let arch = ws.architecture, cols = arch.inputs, outs = arch.outputs
        let scale = 1 / Double(batch.rows)
        var total = 0.0
        var r = 0
        batch.labels.withUnsafeBufferPointer { labels in
            while r < batch.rows {
                let n = min(ws.capacity, batch.rows - r)
                let x = UnsafePointer(batch.images.pointer + r * cols)
                DoubleNetwork.forward(theta, x: x, rows: n, workspace: ws)
                total += DoubleLoss.crossEntropy(logits: ws.logits, rows: n, cols: outs, labels: labels.baseAddress! + r,
                                                 subset: 0..<10, scale: scale, dLogits: gradient == nil ? nil : ws.logitGradient)
                if let gradient {
                    DoubleNetwork.backward(theta, x: x, dLogits: ws.logitGradient, into: gradient, accumulate: r > 0, workspace: ws)
                }
                r += n
            }
        }
        return total * scale
    }

    /// The student's imitation loss (sum over rows) and, scaled by `scale`, its logit gradient.
    static func imitation(_ loss: ImitationLoss, aux: Int, targets: UnsafePointer<Double>, logits: UnsafePointer<Double>,
                          rows: Int, cols: Int, scale: Double, dLogits: UnsafeMutablePointer<Double>) -> Double {
        let subset = loss.subset(aux: aux)
        if loss.isKL {
            return DoubleLoss.kl(targets: targets, logits: logits, rows: rows, cols: cols, subset: subset, scale: scale, dLogits: dLogits)
        }
        return DoubleLoss.squaredError(targets: targets, logits: logits, rows: rows, cols: cols, subset: subset, scale: scale, dLogits: dLogits)
    }

    /// The student's noise batch of run r in Double: the first `count` images of `reproduce`'s
    /// noise set (stream (seed, r, noiseImages), row-major, Uniform[-1, 1)).
    public static func noise(seed: UInt64, run: Int, count: Int, pixels: Int) -> DoubleStorage {
        let s = DoubleStorage(count: count * pixels)
        var rng = RandomStream(seed: seed, run: run, purpose: .noiseImages)
        for i in 0..<(count * pixels) { s.pointer[i] = Double(rng.nextSignedUnitFloat()) }
        return s
    }

    /// One run of the check: θ0 = init(seed, r), θc = init(seed, partner);
    ///
    ///     g = ∇L_T(θ0)                            teacher's gradient on its batch
    ///     for ε: θ_T = θ0 − ε g, Δθ_T = θ_T − θ0  (as rounded)
    ///       for init ∈ {same: θ0, cross: θc}, loss ℓ:
    ///         Δθ_S = −η ∇_θ mean_noise ℓ(f(x; θ), f(x; θ_T)) at θ = start
    ///         record Δθ_S·Δθ_T, cosine, L_T(start) → L_T(start + Δθ_S)
    ///
    /// plus the ε → 0 limits (JVP u = J g, linearized step E[Jᵀ H u], cross-init step at ε = 0).
    /// `onUnit` is called after each unit of work (see `units(config:)`).
    public static func run(_ r: Int, partner: Int, config c: TheoremConfig, batch: TeacherBatch,
                           onUnit: (String) -> Void) -> SingleStepRun {
        let t0 = monotonicSeconds()
        let arch = c.architecture, P = arch.parameterCount, outs = arch.outputs, B = c.studentBatch
        let eta = c.studentLearningRate
        let theta0 = DoubleStorage(Parameters.initialized(arch, seed: c.seed, run: r).doubleValues)
        let thetaC = DoubleStorage(Parameters.initialized(arch, seed: c.seed, run: partner).doubleValues)
        let batchWS = DoubleWorkspace(architecture: arch, capacity: min(chunk, batch.rows))

        // The teacher's gradient at θ0 and the cross start's, on the teacher's batch.
        let g = DoubleStorage(count: P), gC = DoubleStorage(count: P)
        let loss0 = teacherLoss(theta0.pointer, batch: batch, gradient: g.pointer, workspace: batchWS)
        onUnit("run \(r) teacher gradient")
        let lossC = teacherLoss(thetaC.pointer, batch: batch, gradient: gC.pointer, workspace: batchWS)
        onUnit("run \(r) cross-start gradient")
        let gNorm = DoubleVector.dot(g.pointer, g.pointer, count: P).squareRoot()

        // The students' forward passes on noise, kept for all their backward passes.
        let x = noise(seed: c.seed, run: r, count: B, pixels: arch.inputs)
        let sameWS = DoubleWorkspace(architecture: arch, capacity: B)
        let crossWS = DoubleWorkspace(architecture: arch, capacity: B)
        let teacherWS = DoubleWorkspace(architecture: arch, capacity: B)
        DoubleNetwork.forward(theta0.pointer, x: x.pointer, rows: B, workspace: sameWS)
        DoubleNetwork.forward(thetaC.pointer, x: x.pointer, rows: B, workspace: crossWS)
        let z0 = DoubleStorage(count: B * outs), zC = DoubleStorage(count: B * outs), zT = DoubleStorage(count: B * outs)
        z0.pointer.update(from: sameWS.logits, count: B * outs)
        zC.pointer.update(from: crossWS.logits, count: B * outs)
        let dz = DoubleStorage(count: B * outs)
        let grad = DoubleStorage(count: P)
        let scale = 1 / Double(B)

        // ε → 0 limits.
        DoubleNetwork.jvp(theta0.pointer, direction: g.pointer, x: x.pointer, workspace: sameWS)
        let u = DoubleStorage(count: B * outs)
        u.pointer.update(from: sameWS.logitTangent, count: B * outs)
        var limits: [LimitRecord] = []
        for loss in c.losses {
            let q = DoubleLoss.hessianVectorProduct(kl: loss.isKL, logits: z0.pointer, tangent: u.pointer, rows: B, cols: outs,
                                                    subset: loss.subset(aux: c.aux), scale: scale, into: dz.pointer) * scale
            DoubleNetwork.backward(theta0.pointer, x: x.pointer, dLogits: dz.pointer, into: grad.pointer, workspace: sameWS)
            let mNorm = DoubleVector.dot(grad.pointer, grad.pointer, count: P).squareRoot()
            let sameLimit = DoubleVector.dot(grad.pointer, g.pointer, count: P) / max(mNorm * gNorm, .leastNormalMagnitude)
            _ = imitation(loss, aux: c.aux, targets: z0.pointer, logits: zC.pointer, rows: B, cols: outs, scale: scale, dLogits: dz.pointer)
            DoubleNetwork.backward(thetaC.pointer, x: x.pointer, dLogits: dz.pointer, into: grad.pointer, workspace: crossWS)
            let dNorm = DoubleVector.dot(grad.pointer, grad.pointer, count: P).squareRoot()
            let crossZero = DoubleVector.dot(grad.pointer, g.pointer, count: P) / max(dNorm * gNorm, .leastNormalMagnitude)
            limits.append(LimitRecord(run: r, loss: loss, quadraticForm: q, sameInitCosineLimit: sameLimit, crossInitCosineAtZero: crossZero))
        }
        onUnit("run \(r) limits")

        let thetaT = DoubleStorage(count: P), deltaT = DoubleStorage(count: P)
        let deltaS = DoubleStorage(count: P), thetaS = DoubleStorage(count: P)
        var records: [SingleStepRecord] = []
        for eps in c.epsilons {
            for i in 0..<P {
                thetaT.pointer[i] = theta0.pointer[i] - eps * g.pointer[i]
                deltaT.pointer[i] = thetaT.pointer[i] - theta0.pointer[i]
            }
            let tNorm = DoubleVector.dot(deltaT.pointer, deltaT.pointer, count: P).squareRoot()
            DoubleNetwork.forward(thetaT.pointer, x: x.pointer, rows: B, workspace: teacherWS)
            zT.pointer.update(from: teacherWS.logits, count: B * outs)
            for initKind in InitKind.allCases {
                let same = initKind == .same
                let ws = same ? sameWS : crossWS
                let start = same ? theta0 : thetaC
                let startGradient = same ? g : gC
                let startLoss = same ? loss0 : lossC
                for (li, loss) in c.losses.enumerated() {
                    let imitationLoss = imitation(loss, aux: c.aux, targets: zT.pointer, logits: (same ? z0 : zC).pointer,
                                                  rows: B, cols: outs, scale: scale, dLogits: dz.pointer) * scale
                    DoubleNetwork.backward(start.pointer, x: x.pointer, dLogits: dz.pointer, into: grad.pointer, workspace: ws)
                    for i in 0..<P {
                        deltaS.pointer[i] = -eta * grad.pointer[i]
                        thetaS.pointer[i] = start.pointer[i] + deltaS.pointer[i]
                    }
                    let inner = DoubleVector.dot(deltaS.pointer, deltaT.pointer, count: P)
                    let sNorm = DoubleVector.dot(deltaS.pointer, deltaS.pointer, count: P).squareRoot()
                    let byLayer = zip(arch.layers, arch.offsets).map { l, o -> Double in
                        let n = l.inFeatures * l.outFeatures + l.outFeatures
                        let d = DoubleVector.dot(deltaS.pointer + o.weight, deltaT.pointer + o.weight, count: n)
                        return sNorm > 0 && tNorm > 0 ? d / (sNorm * tNorm) : 0
                    }
                    let after = teacherLoss(thetaS.pointer, batch: batch, gradient: nil, workspace: batchWS)
                    let firstOrder = DoubleVector.dot(startGradient.pointer, deltaS.pointer, count: P)
                    records.append(SingleStepRecord(
                        run: r, partner: partner, epsilon: eps, loss: loss, initKind: initKind,
                        inner: inner, cosine: sNorm > 0 && tNorm > 0 ? inner / (sNorm * tNorm) : 0, cosineByLayer: byLayer,
                        studentStepNorm: sNorm, teacherStepNorm: tNorm, imitationLoss: imitationLoss,
                        teacherLossBefore: startLoss, teacherLossAfter: after, teacherLossChangeFirstOrder: firstOrder,
                        predictedInner: same ? eta * eps * eps * limits[li].quadraticForm : nil))
                    onUnit("run \(r) ε \(eps) \(initKind.rawValue) \(loss.rawValue)")
                }
            }
        }
        return SingleStepRun(run: r, partner: partner, teacherLoss: loss0, gradientNorm: gNorm, records: records, limits: limits,
                             seconds: monotonicSeconds() - t0)
    }

    /// Units of progress per run: 3 + |ε| · 2 · |losses|.
    public static func units(config c: TheoremConfig) -> Int { 3 + c.epsilons.count * 2 * c.losses.count }

    /// Double-precision FLOPs of one run (for the performance line of the report).
    public static func flops(config c: TheoremConfig) -> Double {
        let a = c.architecture
        let fwd = Double(a.forwardFLOPs), bwd = Double(a.backwardFLOPs)
        let combos = Double(c.epsilons.count * 2 * c.losses.count)
        let bt = Double(c.teacherBatch), bs = Double(c.studentBatch)
        let teacher = bt * (2 * (fwd + bwd) + combos * fwd)
        let student = bs * (2 * fwd + 1.5 * fwd + Double(2 * c.losses.count) * bwd + Double(c.epsilons.count) * fwd + combos * bwd)
        return teacher + student
    }
}
