import Foundation
import MLP

/// The four students of the multi-step tracking, as in `reproduce` (Figure 10b).
public enum TrackedStudent: String, CaseIterable, Codable, Sendable {
    case sameAux = "same_aux"
    case sameAll = "same_all"
    case crossAux = "cross_aux"
    case crossAll = "cross_all"

    public var initKind: InitKind { self == .sameAux || self == .sameAll ? .same : .cross }
    public var isAuxOnly: Bool { self == .sameAux || self == .crossAux }
    public var arm: Arm {
        switch self {
        case .sameAux: return .studentAux
        case .sameAll: return .studentAll
        case .crossAux: return .crossAux
        case .crossAll: return .crossAll
        }
    }
    public var title: String { arm.title }
    public var color: String {
        switch self {
        case .sameAux: return "#4c78a8"
        case .sameAll: return "#54a24b"
        case .crossAux: return "#ef8a62"
        case .crossAll: return "#b2182b"
        }
    }
}

/// One tracked point: a student after `step` Adam steps (step 0: its starting point).
public struct TrackingRecord: Codable, Sendable, Equatable {
    public var run: Int
    public var partner: Int
    public var student: TrackedStudent
    public var step: Int
    /// cos(θ_S − θ_S(0), θ_T − θ0): the student's displacement against the trained teacher's
    /// (nil at step 0, where the displacement is zero).
    public var cosine: Double?
    /// MNIST test accuracy (argmax over logits 0-9) and L_T (mean cross-entropy on logits 0-9) on the test set.
    public var testAccuracy: Double
    public var testLoss: Double
    /// The minibatch imitation (KL) loss of this step (nil at step 0).
    public var imitationLoss: Double?
}

/// One tracked run: its teacher and the four students' trajectories.
public struct TrackingRun: Codable, Sendable {
    public var run: Int
    public var partner: Int
    public var teacherAccuracy: Double
    public var teacherTestLoss: Double
    public var referenceAccuracy: Double
    public var records: [TrackingRecord]
    public var seconds: Double
}

/// The multi-step tracking: the paper's protocol in Float32 (the engine), run exactly as
/// `reproduce` runs it (same streams, so run r's teacher and students are reproduce's run r),
/// with the students observed every `trackEvery` steps.
public enum Tracking {
    /// Test accuracy and mean cross-entropy (logits 0-9) on the MNIST test set, in one pass.
    public static func evaluate(_ p: Parameters, data: ExperimentData, workspace ws: TrainingWorkspace) -> (accuracy: Double, loss: Double) {
        let x = data.testImages
        var correct = 0
        var total = 0.0
        var r = 0
        while r < x.rows {
            let n = min(ws.capacity, x.rows - r)
            Network.forward(p, x: MatrixView(x.pointer + r * x.cols, rows: n, cols: x.cols, ld: x.cols), workspace: ws)
            let z = ws.logits(rows: n)
            for b in 0..<n {
                let row = z.row(b)
                var best = 0
                var m = -Double.infinity
                for j in 0..<10 {
                    if row[j] > row[best] { best = j }
                    m = max(m, Double(row[j]))
                }
                var s = 0.0
                for j in 0..<10 { s += exp(Double(row[j]) - m) }
                let label = Int(data.testLabels[r + b])
                total += m + log(s) - Double(row[label])
                if best == label { correct += 1 }
            }
            r += n
        }
        return (Double(correct) / Double(max(x.rows, 1)), total / Double(max(x.rows, 1)))
    }

    /// cos(a − a0, b − b0), accumulated in Double.
    public static func displacementCosine(_ a: Parameters, from a0: Parameters, _ b: Parameters, from b0: Parameters) -> Double? {
        var ab = 0.0, aa = 0.0, bb = 0.0
        let pa = a.values.pointer, pa0 = a0.values.pointer, pb = b.values.pointer, pb0 = b0.values.pointer
        for i in 0..<a.count {
            let da = Double(pa[i]) - Double(pa0[i]), db = Double(pb[i]) - Double(pb0[i])
            ab += da * db
            aa += da * da
            bb += db * db
        }
        guard aa > 0 && bb > 0 else { return nil }
        return ab / (aa * bb).squareRoot()
    }

    /// Optimizer steps of one tracked run (teacher + 4 students), for progress reporting.
    public static func steps(config c: TheoremConfig, trainExamples: Int) -> Int {
        let t = c.trackProtocol
        return Reproduction.steps(examples: trainExamples, batch: t.batch, epochs: t.teacherEpochs)
            + 4 * Reproduction.steps(examples: t.noiseImages, batch: t.batch, epochs: t.studentEpochs)
    }

    /// The paper's protocol for run r, recording the students every `trackEvery` steps (and at their last step).
    public static func run(_ r: Int, partner: Int, config c: TheoremConfig, data: ExperimentData,
                           onStep: @escaping (String) -> Void) -> TrackingRun {
        let t0 = monotonicSeconds()
        let t = c.trackProtocol
        let arch = c.architecture
        let ws = TrainingWorkspace(architecture: arch, capacity: t.batch)
        let evalWS = TrainingWorkspace(architecture: arch, capacity: 1024)
        let reference = Parameters.initialized(arch, seed: c.seed, run: r)
        let referenceAccuracy = data.testAccuracy(reference, workspace: evalWS)

        let teacher = Reproduction.trainTeacher(reference, run: r, seed: c.seed, epochs: t.teacherEpochs, batch: t.batch,
                                                learningRate: t.learningRate, data: data, workspace: ws) { onStep("track run \(r) teacher") }
        let teacherEval = evaluate(teacher, data: data, workspace: evalWS)

        let noise = Reproduction.noiseImages(seed: c.seed, run: r, count: t.noiseImages, pixels: arch.inputs)
        var targets = MatrixPool.shared.acquire(rows: t.noiseImages, cols: arch.outputs)
        Network.logits(teacher, inputs: noise.view, into: targets.mutablePointer, workspace: ws)

        let crossInit = Parameters.initialized(arch, seed: c.seed, run: partner)
        let totalSteps = Reproduction.steps(examples: t.noiseImages, batch: t.batch, epochs: t.studentEpochs)
        var records: [TrackingRecord] = []
        // Same order and shuffle substreams as Reproduction.run, so these are reproduce's students.
        for (i, arm) in Arm.students.enumerated() {
            let student = TrackedStudent.allCases.first { $0.arm == arm }!
            let start = arm.isCross ? crossInit : reference
            var theta = start
            let e0 = evaluate(theta, data: data, workspace: evalWS)
            records.append(TrackingRecord(run: r, partner: partner, student: student, step: 0, cosine: nil,
                                          testAccuracy: e0.accuracy, testLoss: e0.loss, imitationLoss: nil))
            let subset = arm.isAuxOnly ? 10..<(10 + c.aux) : 0..<(10 + c.aux)
            Trainer.train(&theta, inputs: noise.view, objective: .kl(targets: targets.view, subset: subset),
                          epochs: t.studentEpochs, batchSize: t.batch, adam: Adam(parameterCount: theta.count, learningRate: t.learningRate),
                          shuffle: ShuffleSource(seed: c.seed, run: r, purpose: .studentShuffle, substream: i * 1_000_000), workspace: ws,
                          onStep: { step, loss, p in
                              if step % c.trackEvery == 0 || step == totalSteps {
                                  let e = evaluate(p, data: data, workspace: evalWS)
                                  records.append(TrackingRecord(
                                      run: r, partner: partner, student: student, step: step,
                                      cosine: displacementCosine(p, from: start, teacher, from: reference),
                                      testAccuracy: e.accuracy, testLoss: e.loss, imitationLoss: loss))
                              }
                              onStep("track run \(r) \(student.rawValue)")
                          })
        }
        MatrixPool.shared.release(noise)
        MatrixPool.shared.release(targets)
        return TrackingRun(run: r, partner: partner, teacherAccuracy: teacherEval.accuracy, teacherTestLoss: teacherEval.loss,
                           referenceAccuracy: referenceAccuracy, records: records, seconds: monotonicSeconds() - t0)
    }
}
