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

    /// Linear's passes on a team, against one thread, bit for bit: a gathered input (the first
    /// layer's), accumulation into non-zero gradients, the ReLU mask, shapes that split unevenly
    /// (37 rows, 45 inputs, 13 outputs) and teams larger than some of the pieces.
    @Test(arguments: [2, 3, 5])
    func linearPassesOnATeamEqualOneThread(members: Int) {
        let rows = 37, inputs = 45, outputs = 13, stored = 60
        var rng = RandomStream(seed: 9, run: members, purpose: .inputs)
        func randoms(_ n: Int) -> [Float] { (0..<n).map { _ in rng.nextSignedUnitFloat() } }
        let data = randoms(stored * inputs), w = randoms(outputs * inputs), bias = randoms(outputs), dy = randoms(rows * outputs)
        let relu = randoms(rows * inputs).map { max(0, $0) }  // a ReLU output, zeros included
        let index = (0..<rows).map { Int32(($0 * 7 + 3) % stored) }
        let startW = randoms(outputs * inputs), startB = randoms(outputs)
        let team = ThreadTeam(size: members)
        let one = [GEMMWorkspace()], many = (0..<members).map { _ in GEMMWorkspace() }
        data.withUnsafeBufferPointer { d in w.withUnsafeBufferPointer { wp in bias.withUnsafeBufferPointer { bp in
        dy.withUnsafeBufferPointer { dyp in relu.withUnsafeBufferPointer { rp in index.withUnsafeBufferPointer { ip in
            let gathered = MatrixView(d.baseAddress!, rows: rows, cols: inputs, ld: inputs, rowIndex: ip.baseAddress!)
            // Forward of the gathered input, with bias and ReLU.
            func forward(on t: ThreadTeam, _ ws: [GEMMWorkspace]) -> [Float] {
                var y = [Float](repeating: 7, count: rows * outputs)
                y.withUnsafeMutableBufferPointer {
                    Linear.forward(x: gathered, weight: wp.baseAddress!, bias: bp.baseAddress!, outFeatures: outputs, relu: true,
                                   y: $0.baseAddress!, team: t, workspaces: ws)
                }
                return y
            }
            let y1 = forward(on: ThreadTeam(size: 1), one), yT = forward(on: team, many)
            #expect(!y1.contains(7))
            let sameY = y1.map(\.bitPattern) == yT.map(\.bitPattern)
            #expect(sameY, "forward differs")
            // Backward into accumulating gradients: the gathered input (no dX), then the ReLU one.
            for (x, wantDX) in [(gathered, false), (MatrixView(rp.baseAddress!, rows: rows, cols: inputs, ld: inputs), true)] {
                // (dW, db, dX) after the backward pass on `t`, from the same starting gradients.
                func backward(on t: ThreadTeam, _ ws: [GEMMWorkspace]) -> (dW: [Float], dB: [Float], dX: [Float]) {
                    var dW = startW, dB = startB, dX = [Float](repeating: 7, count: rows * inputs)
                    dW.withUnsafeMutableBufferPointer { dWp in dB.withUnsafeMutableBufferPointer { dBp in dX.withUnsafeMutableBufferPointer { dXp in
                        Linear.backward(dy: dyp.baseAddress!, x: x, weight: wp.baseAddress!, outFeatures: outputs,
                                        dWeight: dWp.baseAddress!, dBias: dBp.baseAddress!, dx: wantDX ? dXp.baseAddress! : nil,
                                        inputIsReLUOutput: true, accumulate: true, team: t, workspaces: ws)
                    }}}
                    return (dW, dB, dX)
                }
                let a = backward(on: ThreadTeam(size: 1), one), b = backward(on: team, many)
                let samedW = a.dW.map(\.bitPattern) == b.dW.map(\.bitPattern)
                #expect(samedW, "dW differs (dX wanted: \(wantDX))")
                let samedB = a.dB.map(\.bitPattern) == b.dB.map(\.bitPattern)
                #expect(samedB, "db differs (dX wanted: \(wantDX))")
                let samedX = a.dX.map(\.bitPattern) == b.dX.map(\.bitPattern)
                #expect(samedX, "dX differs (dX wanted: \(wantDX))")
                #expect(a.dW != startW && a.dB != startB, "the backward pass must change the gradients")
                if wantDX { #expect(!a.dX.contains(7), "every element of dX must be written") }
            }
        }}}}}}
    }

    /// The losses on a team (each member a piece of the rows, the per-row terms added up in row
    /// order by the caller), against one thread, bit for bit: the loss and every element of
    /// dL/dlogits, for every objective a team runs, batches shorter than a softmax block, of
    /// one block, of an uneven number of them, and of the paper's size, with gathered rows.
    @Test(arguments: [2, 3, 5])
    func lossesOnATeamEqualOneThread(members: Int) {
        let cols = 13, stored = 1100
        var rng = RandomStream(seed: 11, run: members, purpose: .inputs)
        let t = Matrix(rows: stored, cols: cols, values: (0..<(stored * cols)).map { _ in 6 * rng.nextSignedUnitFloat() })
        let labels = (0..<stored).map { _ in UInt8(rng.nextInt(below: 10)) }
        let team = ThreadTeam(size: members)
        let cachedAux = KLTargets(logits: t.view, subset: 10..<13), cachedAll = KLTargets(logits: t.view, subset: 0..<13)
        for rows in [1, 7, 8, 37, 1024] {
            let z = Matrix(rows: rows, cols: cols, values: (0..<(rows * cols)).map { _ in 6 * rng.nextSignedUnitFloat() })
            let index = (0..<rows).map { _ in Int32(rng.nextInt(below: stored)) }
            index.withUnsafeBufferPointer { ib in labels.withUnsafeBufferPointer { lb in
                let gathered = MatrixView(t.view.base, rows: rows, cols: cols, ld: cols, rowIndex: ib.baseAddress)
                // (loss, dL/dz) of objective `k` on `team` (nil: one thread).
                func loss(_ k: Int, on team: ThreadTeam?) -> (Double, [Float]) {
                    var d = [Float](repeating: 9, count: rows * cols)
                    let l = d.withUnsafeMutableBufferPointer { dp -> Double in
                        let out = dp.baseAddress!
                        switch k {
                        case 0: return Loss.softmaxCrossEntropy(logits: z.view, labels: lb.baseAddress!, labelIndex: ib.baseAddress, subset: 0..<10, dLogits: out, team: team)
                        case 1: return Loss.klDivergence(targets: gathered, logits: z.view, subset: 10..<13, dLogits: out, team: team)
                        case 2: return Loss.klDivergence(targets: gathered, logits: z.view, subset: 0..<13, dLogits: out, sumOverRows: true, team: team)
                        case 3: return Loss.klDivergence(targets: cachedAux, rowIndex: ib.baseAddress, logits: z.view, dLogits: out, team: team)
                        default: return Loss.klDivergence(targets: cachedAll, rowIndex: ib.baseAddress, logits: z.view, dLogits: out, sumOverRows: true, team: team)
                        }
                    }
                    return (l, d)
                }
                for k in 0..<5 {
                    let (l1, d1) = loss(k, on: nil), (lT, dT) = loss(k, on: team)
                    #expect(l1 > 0 && !d1.contains(9), "objective \(k), \(rows) rows: every gradient element must be written")
                    #expect(l1.bitPattern == lT.bitPattern, "objective \(k), \(rows) rows: the loss differs on \(members) members")
                    let same = d1.map(\.bitPattern) == dT.map(\.bitPattern)
                    #expect(same, "objective \(k), \(rows) rows: dL/dz differs on \(members) members")
                }
            }}
        }
    }
}
