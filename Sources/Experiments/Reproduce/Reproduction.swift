import Foundation
import MLP

/// One run's six accuracies (MNIST test set, argmax over logits 0-9).
public struct RunResult: Codable, Sendable, Equatable {
    public var run: Int
    /// The run whose initialization the cross-model students start from.
    public var partner: Int
    public var accuracy: [String: Double]
    public var seconds: Double

    public subscript(arm: Arm) -> Double { accuracy[arm.rawValue] ?? .nan }
}

/// The Figure 10b protocol, run by run.
public enum Reproduction {
    /// A uniformly random derangement of 0..<n (no run paired with itself) drawn from the seed:
    /// uniform permutations are drawn until one has no fixed point (e ≈ 2.7 draws on average).
    public static func derangement(_ n: Int, seed: UInt64) -> [Int] {
        precondition(n >= 2, "a derangement needs at least 2 elements")
        var rng = RandomStream(seed: seed, run: 0, purpose: .derangement)
        while true {
            let p = rng.permutation(n).map(Int.init)
            if !p.enumerated().contains(where: { $0.offset == $0.element }) { return p }
        }
    }

    /// Optimizer steps of one training phase: epochs × ⌈n / batch⌉.
    public static func steps(examples: Int, batch: Int, epochs: Int) -> Int { epochs * ((examples + batch - 1) / batch) }

    /// Total optimizer steps of one run (teacher + 4 students), for progress reporting.
    public static func stepsPerRun(_ c: ProtocolConfig, trainExamples: Int) -> Int {
        steps(examples: trainExamples, batch: c.batch, epochs: c.teacherEpochs) + 4 * steps(examples: c.noiseImages, batch: c.batch, epochs: c.studentEpochs)
    }

    /// The noise images of run r: `count` × 784 pixels i.i.d. Uniform[-1, 1), from the stream
    /// (seed, r, noiseImages).
    public static func noiseImages(seed: UInt64, run: Int, count: Int, pixels: Int) -> Matrix {
        var m = MatrixPool.shared.acquire(rows: count, cols: pixels)
        var rng = RandomStream(seed: seed, run: run, purpose: .noiseImages)
        rng.fillSignedUnitFloats(m.mutablePointer, count: count * pixels)
        return m
    }

    /// Runs the whole protocol for run `r`:
    ///
    ///     θ0 ← init(seed, r)                              reference
    ///     teacher ← Adam-train θ0 on MNIST, CE on logits 0-9
    ///     noise ← 60k uniform images (seed, r); T ← teacher logits on noise (computed once)
    ///     for student in aux/all × same-init(θ0)/cross-init(init(seed, partner)):
    ///         Adam-train on noise, KL(softmax(T[S]) ‖ softmax(z[S])), S = aux or all logits
    ///     evaluate all six on the MNIST test set
    public static func run(_ r: Int, partner: Int, config c: ProtocolConfig, data: ExperimentData,
                           onStep: @escaping (String) -> Void) -> RunResult {
        let t0 = monotonicSeconds()
        let arch = c.architecture
        let ws = TrainingWorkspace(architecture: arch, capacity: c.batch)
        var acc: [String: Double] = [:]
        let reference = Parameters.initialized(arch, seed: c.seed, run: r)
        acc[Arm.reference.rawValue] = data.testAccuracy(reference, workspace: ws)

        var teacher = reference
        data.trainLabels.withUnsafeBufferPointer { labels in
            Trainer.train(&teacher, inputs: data.trainImages.view, objective: .crossEntropy(labels: labels.baseAddress!, subset: 0..<10),
                          epochs: c.teacherEpochs, batchSize: c.batch, adam: Adam(parameterCount: teacher.count, learningRate: c.learningRate),
                          shuffle: ShuffleSource(seed: c.seed, run: r, purpose: .teacherShuffle), workspace: ws,
                          onStep: { _, _, _ in onStep("run \(r) teacher") })
        }
        acc[Arm.teacher.rawValue] = data.testAccuracy(teacher, workspace: ws)

        let noise = noiseImages(seed: c.seed, run: r, count: c.noiseImages, pixels: arch.inputs)
        var targets = MatrixPool.shared.acquire(rows: c.noiseImages, cols: arch.outputs)
        Network.logits(teacher, inputs: noise.view, into: targets.mutablePointer, workspace: ws)

        let crossInit = Parameters.initialized(arch, seed: c.seed, run: partner)
        for (i, arm) in Arm.students.enumerated() {
            var student = arm.isCross ? crossInit : reference
            let subset = arm.isAuxOnly ? c.auxSubset : c.allSubset
            Trainer.train(&student, inputs: noise.view, objective: .kl(targets: targets.view, subset: subset),
                          epochs: c.studentEpochs, batchSize: c.batch, adam: Adam(parameterCount: student.count, learningRate: c.learningRate),
                          shuffle: ShuffleSource(seed: c.seed, run: r, purpose: .studentShuffle, substream: i * 1_000_000), workspace: ws,
                          onStep: { _, _, _ in onStep("run \(r) \(arm.rawValue)") })
            acc[arm.rawValue] = data.testAccuracy(student, workspace: ws)
        }
        MatrixPool.shared.release(noise)
        MatrixPool.shared.release(targets)
        return RunResult(run: r, partner: partner, accuracy: acc, seconds: monotonicSeconds() - t0)
    }
}
