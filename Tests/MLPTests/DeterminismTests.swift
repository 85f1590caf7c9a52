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
}
