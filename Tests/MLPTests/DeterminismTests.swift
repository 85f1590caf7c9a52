import Testing
@testable import MLP

@Suite struct DeterminismTests {
    /// 50 Adam steps of a small teacher-style run, for 4 runs: computed one after another and on
    /// 2 threads, the parameters must be bit-identical run by run.
    @Test func trainingIsBitIdenticalAcrossThreadCounts() {
        let arch = Architecture(inputs: 64, hidden: [32, 32], outputs: 13)
        let n = 300
        var rng = RandomStream(seed: 5, run: 0, purpose: .inputs)
        let data = Matrix(rows: n, cols: 64, values: (0..<(n * 64)).map { _ in rng.nextSignedUnitFloat() })
        let labels = (0..<n).map { _ in UInt8(rng.nextInt(below: 10)) }
        @Sendable func run(_ r: Int) -> Parameters {
            var p = Parameters.initialized(arch, seed: 42, run: r)
            let ws = TrainingWorkspace(architecture: arch, capacity: 32)
            labels.withUnsafeBufferPointer { lb in
                // 300 rows in batches of 32 = 10 steps per epoch; 5 epochs = 50 steps.
                Trainer.train(&p, inputs: data.view, objective: .crossEntropy(labels: lb.baseAddress!, subset: 0..<10),
                              epochs: 5, batchSize: 32, adam: Adam(parameterCount: p.count, learningRate: 1e-3),
                              shuffle: ShuffleSource(seed: 42, run: r, purpose: .teacherShuffle), workspace: ws)
            }
            return p
        }
        let serial = Parallel.map(4, threads: 1, run)
        let parallel = Parallel.map(4, threads: 2, run)
        let initial = Parameters.initialized(arch, seed: 42, run: 0)
        #expect(!serial[0].bitwiseEqual(initial), "training must change the parameters")
        for r in 0..<4 { #expect(serial[r].bitwiseEqual(parallel[r]), "run \(r) differs between 1 and 2 threads") }
        #expect(run(3).bitwiseEqual(serial[3]), "run 3 alone must equal run 3 among others")
    }

    /// One run whose every pass is shared by a team of threads: 50 Adam steps with 1, 2 and 3
    /// threads must give bit-identical parameters. Batches of 32 and a last one of 12 rows split
    /// unevenly among the members (a member may get no rows or columns at all).
    @Test func oneRunIsBitIdenticalOnAnyNumberOfThreads() {
        let arch = Architecture(inputs: 80, hidden: [48, 40], outputs: 13)
        let n = 300
        var rng = RandomStream(seed: 6, run: 0, purpose: .inputs)
        let data = Matrix(rows: n, cols: 80, values: (0..<(n * 80)).map { _ in rng.nextSignedUnitFloat() })
        let labels = (0..<n).map { _ in UInt8(rng.nextInt(below: 10)) }
        func train(threads: Int) -> Parameters {
            var p = Parameters.initialized(arch, seed: 7, run: 0)
            let ws = TrainingWorkspace(architecture: arch, capacity: 32, threads: threads)
            labels.withUnsafeBufferPointer { lb in
                // ⌈300 / 32⌉ = 10 steps per epoch; 5 epochs = 50 steps.
                Trainer.train(&p, inputs: data.view, objective: .crossEntropy(labels: lb.baseAddress!, subset: 0..<10),
                              epochs: 5, batchSize: 32, adam: Adam(parameterCount: p.count, learningRate: 1e-3),
                              shuffle: ShuffleSource(seed: 7, run: 0, purpose: .teacherShuffle), workspace: ws)
            }
            return p
        }
        let one = train(threads: 1)
        #expect(!one.bitwiseEqual(Parameters.initialized(arch, seed: 7, run: 0)), "training must change the parameters")
        for threads in [2, 3] {
            #expect(train(threads: threads).bitwiseEqual(one), "\(threads) threads differ from 1")
        }
    }

    /// The paper's 784-256-256-13 MLP at batch 1024, as the benchmark runs it: a few teacher
    /// steps and a few KL steps on one thread and on a team of two, bit for bit.
    @Test func paperSizedStepsAreBitIdenticalOnTwoThreads() {
        let arch = Architecture.paper()
        let n = 2048, batch = 1024
        var rng = RandomStream(seed: 8, run: 0, purpose: .inputs)
        var x = Matrix(rows: n, cols: arch.inputs)
        rng.fillSignedUnitFloats(x.mutablePointer, count: n * arch.inputs)
        let labels = (0..<n).map { _ in UInt8(rng.nextInt(below: 10)) }
        let teacher = Parameters.initialized(arch, seed: 8, run: 1)
        var targets = Matrix(rows: n, cols: arch.outputs)
        Network.logits(teacher, inputs: x.view, into: targets.mutablePointer, workspace: TrainingWorkspace(architecture: arch, capacity: batch))
        func train(threads: Int) -> Parameters {
            var p = Parameters.initialized(arch, seed: 8, run: 2)
            let ws = TrainingWorkspace(architecture: arch, capacity: batch, threads: threads)
            labels.withUnsafeBufferPointer { lb in
                Trainer.train(&p, inputs: x.view, objective: .crossEntropy(labels: lb.baseAddress!, subset: 0..<10),
                              epochs: 2, batchSize: batch, adam: Adam(parameterCount: p.count),
                              shuffle: ShuffleSource(seed: 8, run: 2, purpose: .teacherShuffle), workspace: ws)
            }
            Trainer.train(&p, inputs: x.view, objective: .kl(targets: targets.view, subset: 10..<arch.outputs),
                          epochs: 2, batchSize: batch, adam: Adam(parameterCount: p.count),
                          shuffle: ShuffleSource(seed: 8, run: 2, purpose: .studentShuffle), workspace: ws)
            return p
        }
        #expect(train(threads: 2).bitwiseEqual(train(threads: 1)))

        // Inference on a team: the logits of every row (in chunks, the last one partial) and the
        // accuracy, against one thread.
        let p = train(threads: 1)
        let rows = 1500
        let inputs = x.rows(0..<rows)
        var one = Matrix(rows: rows, cols: arch.outputs), two = Matrix(rows: rows, cols: arch.outputs)
        let ws1 = TrainingWorkspace(architecture: arch, capacity: batch)
        let ws2 = TrainingWorkspace(architecture: arch, capacity: batch, threads: 2)
        Network.logits(p, inputs: inputs, into: one.mutablePointer, workspace: ws1)
        Network.logits(p, inputs: inputs, into: two.mutablePointer, workspace: ws2)
        #expect((0..<(rows * arch.outputs)).allSatisfy { one.view.base[$0].bitPattern == two.view.base[$0].bitPattern })
        labels.withUnsafeBufferPointer { lb in
            #expect(Network.accuracy(p, inputs: inputs, labels: lb.baseAddress!, workspace: ws1)
                    == Network.accuracy(p, inputs: inputs, labels: lb.baseAddress!, workspace: ws2))
        }
    }
}
