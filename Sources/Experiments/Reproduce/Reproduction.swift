import Datasets
import Foundation
import MLP

/// One run's six accuracies (test set of the teacher's data set, argmax over logits 0-9).
public struct RunResult: Codable, Sendable, Equatable {
    public var run: Int
    /// The run whose initialization the cross-model students start from.
    public var partner: Int
    public var accuracy: [String: Double]
    /// With a distillation chain (chain > 1): every student arm's accuracy per generation
    /// (index 0 = generation 1); `accuracy` holds the last generation. Absent otherwise.
    public var generations: [String: [Double]]?
    /// Wall time of the run. When several configurations of a run are computed together (sharing
    /// their teacher), the time from the previous one's completion: the first carries the teacher.
    public var seconds: Double

    public init(run: Int, partner: Int, accuracy: [String: Double], generations: [String: [Double]]? = nil, seconds: Double) {
        self.run = run
        self.partner = partner
        self.accuracy = accuracy
        self.generations = generations
        self.seconds = seconds
    }

    public subscript(arm: Arm) -> Double { accuracy[arm.rawValue] ?? .nan }

    /// The same result without its timing (what determinism is about).
    public var withoutTiming: RunResult {
        var r = self
        r.seconds = 0
        return r
    }
}

/// The Figure 10b protocol, run by run, and its ablations.
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

    /// Total optimizer steps of one run (teacher + 4 students per generation), for progress reporting.
    public static func stepsPerRun(_ c: ProtocolConfig, trainExamples: Int) -> Int {
        steps(examples: trainExamples, batch: c.batch, epochs: c.teacherEpochs)
            + 4 * c.chain * steps(examples: c.noiseImages, batch: c.batch, epochs: c.studentEpochs)
    }

    /// The noise images of run r: `count` × 784 pixels i.i.d. Uniform[-1, 1), from the stream
    /// (seed, r, noiseImages).
    public static func noiseImages(seed: UInt64, run: Int, count: Int, pixels: Int) -> Matrix {
        var m = MatrixPool.shared.acquire(rows: count, cols: pixels)
        var rng = RandomStream(seed: seed, run: run, purpose: .noiseImages)
        rng.fillSignedUnitFloats(m.mutablePointer, count: count * pixels)
        return m
    }

    /// The student inputs of run r under `c` (`c.noiseImages` rows × 784), from pooled memory
    /// (release it to `MatrixPool.shared` when done):
    ///
    /// - uniform: ``noiseImages(seed:run:count:pixels:)`` (the paper's stream);
    /// - gaussian: Normal(0, 1/3) per pixel from (seed, r, studentInputs, substream 0), not clipped;
    /// - real images (mnist, fashion, shuffled-pixels): all training images in data-set order if
    ///   `noiseImages` equals their number, else the first `noiseImages` of a random permutation
    ///   (seed, r, studentInputs, substream 1); shuffled-pixels then permutes each image's pixels
    ///   with its own permutation, drawn in image order from (seed, r, studentInputs, substream 2).
    public static func studentInputs(_ c: ProtocolConfig, run r: Int, data: ProtocolData) -> Matrix {
        let n = c.noiseImages, pixels = 784
        switch c.inputs {
        case .uniform:
            return noiseImages(seed: c.seed, run: r, count: n, pixels: pixels)
        case .gaussian:
            var m = MatrixPool.shared.acquire(rows: n, cols: pixels)
            var rng = RandomStream(seed: c.seed, run: r, purpose: .studentInputs, substream: 0)
            let std = 1 / 3.0.squareRoot()
            let p = m.mutablePointer
            for i in 0..<(n * pixels) { p[i] = Float(rng.nextNormal() * std) }
            return m
        case .shuffledPixels, .mnist, .fashion:
            let source = data.required(c.inputSource!).trainImages
            var m = MatrixPool.shared.acquire(rows: n, cols: pixels)
            let rows: [Int32]
            if n == source.rows {
                rows = (0..<n).map { Int32($0) }
            } else {
                var rng = RandomStream(seed: c.seed, run: r, purpose: .studentInputs, substream: 1)
                rows = Array(rng.permutation(source.rows).prefix(n))
            }
            let out = m.mutablePointer
            if c.inputs == .shuffledPixels {
                var rng = RandomStream(seed: c.seed, run: r, purpose: .studentInputs, substream: 2)
                for (i, row) in rows.enumerated() {
                    let src = source.pointer + Int(row) * pixels, dst = out + i * pixels
                    let perm = rng.permutation(pixels)
                    for j in 0..<pixels { dst[j] = src[Int(perm[j])] }
                }
            } else {
                for (i, row) in rows.enumerated() {
                    (out + i * pixels).update(from: source.pointer + Int(row) * pixels, count: pixels)
                }
            }
            return m
        }
    }

    /// θ0 + σ·ε with ε_ij ~ Normal(0, std 1/√fan_in) on every weight, from the stream
    /// (seed, r, initNoise) in the initialization's order; biases unchanged (0).
    public static func perturbed(_ p: Parameters, sigma: Double, seed: UInt64, run r: Int) -> Parameters {
        var q = p
        guard sigma != 0 else { return q }
        var rng = RandomStream(seed: seed, run: r, purpose: .initNoise)
        let v = q.values.mutablePointer
        for (l, o) in zip(p.architecture.layers, p.architecture.offsets) {
            let std = 1 / Double(l.inFeatures).squareRoot()
            for i in 0..<(l.inFeatures * l.outFeatures) {
                v[o.weight + i] = Float(Double(v[o.weight + i]) + sigma * rng.nextNormal() * std)
            }
        }
        return q
    }

    /// Runs the whole protocol for run `r` of one configuration:
    ///
    ///     θ0 ← init(seed, r)                              reference
    ///     teacher ← Adam-train θ0 on the data set, CE on logits 0-9
    ///     X ← the run's student inputs (60k uniform noise images); T ← teacher logits on X
    ///     for student in aux/all × same-init(θ0 [+ σ·ε])/cross-init(init(seed, partner)):
    ///         Adam-train on X, KL(softmax(T[S]) ‖ softmax(z[S])) (or ½‖z[S] − T[S]‖²),
    ///         S = aux or all logits; then again imitating itself for chain > 1
    ///     evaluate all six on the test set
    ///
    /// `data` is the teacher's data set; configurations whose inputs come from another data set
    /// use ``runTask(_:partner:configs:data:threads:onStep:onResult:)``.
    /// The teacher of run r: `reference` trained with a fresh Adam on the training images,
    /// cross-entropy on the digit logits 0-9 only (the auxiliary logits get no loss), reshuffled
    /// every epoch from the stream (seed, r, teacherShuffle).
    public static func trainTeacher(_ reference: Parameters, run r: Int, seed: UInt64, epochs: Int, batch: Int,
                                    learningRate: Float, data: ExperimentData, workspace ws: TrainingWorkspace,
                                    onStep: @escaping () -> Void) -> Parameters {
        var teacher = reference
        data.trainLabels.withUnsafeBufferPointer { labels in
            Trainer.train(&teacher, inputs: data.trainImages.view, objective: .crossEntropy(labels: labels.baseAddress!, subset: 0..<10),
                          epochs: epochs, batchSize: batch, adam: Adam(parameterCount: teacher.count, learningRate: learningRate),
                          shuffle: ShuffleSource(seed: seed, run: r, purpose: .teacherShuffle), workspace: ws,
                          onStep: { _, _, _ in onStep() })
        }
        return teacher
    }

    public static func run(_ r: Int, partner: Int, config c: ProtocolConfig, data: ExperimentData,
                           onStep: @escaping (String) -> Void) -> RunResult {
        runTask(r, partner: partner, configs: [c], data: ProtocolData([c.dataset: data]), onStep: onStep)[0]
    }

    /// Run `r` of every configuration in `configs`, which must share their teacher (same
    /// ``ProtocolConfig/teacherKey``), computing each distinct piece once: the reference and the
    /// teacher; the student inputs and the teacher's logits on them per (inputs, noise-set); each
    /// student per (arm, start, inputs, loss, student epochs, generation) — e.g. the cross-model
    /// students do not depend on init-noise, and chain = k reuses generations 1…k−1 of a shorter
    /// chain. Every piece is a deterministic function of its own random streams, so the result of
    /// a configuration does not depend on which others it is computed with.
    ///
    /// `threads` threads share every pass of its training and evaluation (a ``ThreadTeam``):
    /// for when there are fewer runs in flight than cores; the results are the same bits.
    /// `onResult(i, result)` is called as soon as configuration i is complete.
    public static func runTask(_ r: Int, partner: Int, configs: [ProtocolConfig], data: ProtocolData,
                               threads: Int = 1,
                               onStep: @escaping (String) -> Void,
                               onResult: (Int, RunResult) -> Void = { _, _ in }) -> [RunResult] {
        precondition(!configs.isEmpty)
        var lastDone = monotonicSeconds()
        let c0 = configs[0]
        precondition(configs.allSatisfy { $0.teacherKey == c0.teacherKey }, "runTask: the configurations must share their teacher")
        let task = data.required(c0.dataset)

        // One teacher serves every number of aux logits m: it is trained with the largest m, and
        // the teacher (and reference) of a smaller m is its first 10 + m outputs. This is exact,
        // not an approximation: the initialization draws the last layer row by row, so its first
        // rows do not depend on m; the cross-entropy on logits 0-9 gives the aux rows a gradient
        // of exactly 0, which Adam turns into a step of exactly 0; and every other value sums the
        // same terms in the same order (the aux rows only add 0 · w terms after them).
        // `SweepTests` checks it bit for bit against teachers trained at each width.
        var wide = c0
        wide.aux = configs.map(\.aux).max()!
        let wideArch = wide.architecture
        let wideWS = TrainingWorkspace(architecture: wideArch, capacity: c0.batch, threads: threads)
        let wideReference = Parameters.initialized(wideArch, seed: c0.seed, run: r)
        let referenceAccuracy = task.testAccuracy(wideReference, workspace: wideWS)
        let wideTeacher = trainTeacher(wideReference, run: r, seed: c0.seed, epochs: c0.teacherEpochs, batch: c0.batch,
                                       learningRate: c0.learningRate, data: task, workspace: wideWS) { onStep("run \(r) teacher") }
        let teacherAccuracy = task.testAccuracy(wideTeacher, workspace: wideWS)

        var results = [RunResult?](repeating: nil, count: configs.count)
        var auxOrder: [Int] = []
        for c in configs where !auxOrder.contains(c.aux) { auxOrder.append(c.aux) }
        for aux in auxOrder {
            let arch = configs.first { $0.aux == aux }!.architecture
            let ws = arch == wideArch ? wideWS : TrainingWorkspace(architecture: arch, capacity: c0.batch, threads: threads)
            let reference = arch == wideArch ? wideReference : wideReference.narrowed(to: arch)
            let teacher = arch == wideArch ? wideTeacher : wideTeacher.narrowed(to: arch)
            runStudents(r, partner: partner, configs: configs, only: aux, data: data, task: task, workspace: ws,
                        reference: reference, teacher: teacher,
                        referenceAccuracy: referenceAccuracy, teacherAccuracy: teacherAccuracy,
                        lastDone: &lastDone, results: &results, onStep: onStep, onResult: onResult)
        }
        return results.map { $0! }
    }

    /// The students of run `r` for the configurations in `configs` with `aux` auxiliary logits,
    /// given their reference and teacher; fills `results` at the configurations' indices.
    static func runStudents(_ r: Int, partner: Int, configs: [ProtocolConfig], only aux: Int, data: ProtocolData,
                            task: ExperimentData, workspace ws: TrainingWorkspace,
                            reference: Parameters, teacher: Parameters, referenceAccuracy: Double, teacherAccuracy: Double,
                            lastDone: inout Double, results: inout [RunResult?],
                            onStep: @escaping (String) -> Void, onResult: (Int, RunResult) -> Void) {
        let arch = ws.architecture
        var crossInit: Parameters?
        var sameInit: [Double: Parameters] = [:]

        // Configurations grouped by their inputs, in order of first appearance.
        var inputGroups: [InputKey: [Int]] = [:]
        var inputOrder: [InputKey] = []
        for (i, c) in configs.enumerated() where c.aux == aux {
            let k = InputKey(inputs: c.inputs, count: c.noiseImages)
            if inputGroups[k] == nil { inputOrder.append(k) }
            inputGroups[k, default: []].append(i)
        }
        for key in inputOrder {
            let members = inputGroups[key]!
            let inputs = studentInputs(configs[members[0]], run: r, data: data)
            var targets = MatrixPool.shared.acquire(rows: key.count, cols: arch.outputs)
            Network.logits(teacher, inputs: inputs.view, into: targets.mutablePointer, workspace: ws)

            // The longest chain each lineage is needed for, so that logits are kept only when used.
            let longest = lineages(of: members.map { configs[$0] })[key]!
            var lineages: [LineageKey: Lineage] = [:]
            // The teacher's softmax over each subset, computed once for every first-generation
            // student that imitates it with the KL (same bits as computing it every step).
            var teacherKL: [Range<Int>: KLTargets] = [:]
            for i in members {
                let c = configs[i]
                var accuracy: [String: Double] = [Arm.reference.rawValue: referenceAccuracy, Arm.teacher.rawValue: teacherAccuracy]
                var generations: [String: [Double]] = [:]
                for (a, arm) in Arm.students.enumerated() {
                    let k = LineageKey(arm: a, config: c)
                    var lineage = lineages[k] ?? Lineage()
                    while lineage.accuracies.count < c.chain {
                        let g = lineage.accuracies.count + 1
                        let start: Parameters
                        if arm.isCross {
                            if crossInit == nil { crossInit = Parameters.initialized(arch, seed: c.seed, run: partner) }
                            start = crossInit!
                        } else {
                            if sameInit[c.initNoise] == nil { sameInit[c.initNoise] = perturbed(reference, sigma: c.initNoise, seed: c.seed, run: r) }
                            start = sameInit[c.initNoise]!
                        }
                        var student = start
                        let subset = arm.isAuxOnly ? c.auxSubset : c.allSubset
                        let imitated = g == 1 ? targets.view : lineage.nextTargets!.view
                        let objective: Objective
                        func klTargets() -> KLTargets {
                            if g > 1 { return KLTargets(logits: imitated, subset: subset) }
                            if let t = teacherKL[subset] { return t }
                            let t = KLTargets(logits: imitated, subset: subset)
                            teacherKL[subset] = t
                            return t
                        }
                        switch c.loss {
                        case .kl: objective = .klPrecomputed(klTargets(), sumOverRows: false)
                        case .klSum: objective = .klPrecomputed(klTargets(), sumOverRows: true)
                        case .mse: objective = .squaredError(targets: imitated, subset: subset)
                        }
                        let shuffle = g == 1
                            ? ShuffleSource(seed: c.seed, run: r, purpose: .studentShuffle, substream: a * 1_000_000)
                            : ShuffleSource(seed: c.seed, run: r, purpose: .chainShuffle, substream: ((g - 2) * 4 + a) * 10_000)
                        let label = "run \(r) \(arm.rawValue)" + (g > 1 ? " gen \(g)" : "")
                        Trainer.train(&student, inputs: inputs.view, objective: objective,
                                      epochs: c.studentEpochs, batchSize: c.batch, adam: Adam(parameterCount: student.count, learningRate: c.learningRate),
                                      shuffle: shuffle, workspace: ws, onStep: { _, _, _ in onStep(label) })
                        lineage.accuracies.append(task.testAccuracy(student, workspace: ws))
                        if let old = lineage.nextTargets { MatrixPool.shared.release(old) }
                        lineage.nextTargets = nil
                        if longest[k]! > g {
                            var next = MatrixPool.shared.acquire(rows: key.count, cols: arch.outputs)
                            Network.logits(student, inputs: inputs.view, into: next.mutablePointer, workspace: ws)
                            lineage.nextTargets = next
                        }
                    }
                    lineages[k] = lineage
                    accuracy[arm.rawValue] = lineage.accuracies[c.chain - 1]
                    if c.chain > 1 { generations[arm.rawValue] = Array(lineage.accuracies.prefix(c.chain)) }
                }
                let now = monotonicSeconds()
                let result = RunResult(run: r, partner: partner, accuracy: accuracy, generations: c.chain > 1 ? generations : nil,
                                       seconds: now - lastDone)
                lastDone = now
                results[i] = result
                onResult(i, result)
            }
            for l in lineages.values { if let t = l.nextTargets { MatrixPool.shared.release(t) } }
            MatrixPool.shared.release(inputs)
            MatrixPool.shared.release(targets)
        }
    }

    /// The distinct students of configurations sharing a teacher: for each input set, each
    /// lineage with the longest chain it is needed for.
    static func lineages(of configs: [ProtocolConfig]) -> [InputKey: [LineageKey: Int]] {
        var out: [InputKey: [LineageKey: Int]] = [:]
        for c in configs {
            let ik = InputKey(inputs: c.inputs, count: c.noiseImages)
            for a in Arm.students.indices {
                let k = LineageKey(arm: a, config: c)
                out[ik, default: [:]][k] = max(out[ik]?[k] ?? 0, c.chain)
            }
        }
        return out
    }

    /// Optimizer steps and training FLOPs of ``runTask(_:partner:configs:data:threads:onStep:onResult:)``
    /// on these configurations: the teacher once, each distinct student once.
    public static func taskSteps(configs: [ProtocolConfig], trainExamples: Int) -> (steps: Int, flops: Double) {
        let c0 = configs[0]
        var steps = Self.steps(examples: trainExamples, batch: c0.batch, epochs: c0.teacherEpochs)
        var samples = c0.teacherEpochs * trainExamples
        for (ik, ls) in lineages(of: configs) {
            for (lk, generations) in ls {
                steps += generations * Self.steps(examples: ik.count, batch: c0.batch, epochs: lk.epochs)
                samples += generations * lk.epochs * ik.count
            }
        }
        return (steps, Double(samples) * Double(c0.architecture.trainingFLOPsPerSample))
    }

    struct InputKey: Hashable {
        var inputs: StudentInputs
        var count: Int
    }

    /// A chain of students: arm index, start (nil: the partner's initialization, else init-noise
    /// σ around θ0), loss and epochs.
    struct LineageKey: Hashable {
        var arm: Int
        var start: Double?
        var loss: StudentLoss
        var epochs: Int

        init(arm a: Int, config c: ProtocolConfig) {
            arm = a
            start = Arm.students[a].isCross ? nil : c.initNoise
            loss = c.loss
            epochs = c.studentEpochs
        }
    }

    struct Lineage {
        var accuracies: [Double] = []
        /// The last generation's logits on the inputs, while a longer chain needs them.
        var nextTargets: Matrix?
    }
}
