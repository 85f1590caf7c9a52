/// What a training step fits the network's logits to.
public enum Objective: @unchecked Sendable {
    /// Softmax cross-entropy over the logits `subset` against class labels (`labels[row]`, in the
    /// subset's coordinates). The teacher's objective: subset 0..<10.
    case crossEntropy(labels: UnsafePointer<UInt8>, subset: Range<Int>)
    /// KL(softmax(target[subset]) ‖ softmax(logits[subset])) against a frozen model's logits
    /// (`targets` has one row per dataset row). The students' objective.
    case kl(targets: MatrixView, subset: Range<Int>)
    /// The same KL summed over the batch instead of averaged (the authors' script): the
    /// gradient is B times larger, which under Adam changes only the relative size of eps.
    case klSummed(targets: MatrixView, subset: Range<Int>)
    /// `.kl` (or `.klSummed` with `sumOverRows`) with the targets' softmax precomputed: the
    /// same bits, less work when the same targets serve several epochs or students.
    case klPrecomputed(KLTargets, sumOverRows: Bool)
    /// ½‖logits[subset] − target[subset]‖² against a frozen model's raw logits.
    case squaredError(targets: MatrixView, subset: Range<Int>)
}

/// Buffers for one forward/backward pass of up to `capacity` rows. One per thread.
public final class TrainingWorkspace: @unchecked Sendable {
    public let architecture: Architecture
    public let capacity: Int
    /// activations[l]: output of layer l (after ReLU for hidden layers), [capacity × width(l+1)].
    var activations: [FloatBuffer]
    /// deltas[l]: dL/d(pre-activation of layer l), [capacity × width(l+1)].
    var deltas: [FloatBuffer]
    public var gradient: Parameters
    /// Packing scratch for the GEMMs of this workspace's passes (member 0's).
    public var gemm: GEMMWorkspace { gemms[0] }
    /// The threads that share every pass run with this workspace (one: the caller's alone).
    public let team: ThreadTeam
    /// Member t's GEMM scratch.
    public let gemms: [GEMMWorkspace]

    /// Buffers for batches of up to `capacity` rows; `threads` threads share every forward
    /// pass, backward pass and Adam update run with this workspace (the results are the same
    /// bits for any number).
    public init(architecture: Architecture, capacity: Int, threads: Int = 1) {
        precondition(threads >= 1, "TrainingWorkspace: threads \(threads) < 1")
        self.architecture = architecture
        self.capacity = capacity
        activations = architecture.layers.map { FloatBuffer(count: capacity * $0.outFeatures) }
        deltas = architecture.layers.map { FloatBuffer(count: capacity * $0.outFeatures) }
        gradient = Parameters(architecture: architecture)
        team = ThreadTeam(size: threads)
        gemms = (0..<threads).map { _ in GEMMWorkspace() }
    }

    /// Output of layer `l` (after ReLU for hidden layers), [capacity × width(l+1)]: for code
    /// that runs the layers one by one, like the step-phase benchmark.
    public func activation(_ l: Int) -> UnsafeMutablePointer<Float> { UnsafeMutablePointer(mutating: activations[l].pointer) }
    /// dL/d(pre-activation of layer `l`), [capacity × width(l+1)].
    public func delta(_ l: Int) -> UnsafeMutablePointer<Float> { UnsafeMutablePointer(mutating: deltas[l].pointer) }

    /// The logits of the last `forward`, [rows × outputs].
    public func logits(rows: Int) -> MatrixView {
        MatrixView(activations[architecture.layerCount - 1].pointer, rows: rows, cols: architecture.outputs, ld: architecture.outputs)
    }
}

public enum Network {
    /// Forward pass of `x` [B × inputs] (B ≤ workspace capacity); the logits are then in
    /// `workspace.logits(rows: B)`.
    ///
    ///     h1 = relu(x · W1ᵀ + b1)     [B × 256]
    ///     h2 = relu(h1 · W2ᵀ + b2)    [B × 256]
    ///     z  = h2 · W3ᵀ + b3          [B × 13]
    public static func forward(_ p: Parameters, x: MatrixView, workspace ws: TrainingWorkspace) {
        let arch = p.architecture
        precondition(x.cols == arch.inputs && x.rows <= ws.capacity && ws.architecture == arch)
        var input = x
        for (l, shape) in arch.layers.enumerated() {
            let out = ws.activations[l].mutablePointer
            Linear.forward(x: input, weight: p.weight(l), bias: p.bias(l), outFeatures: shape.outFeatures,
                           relu: l < arch.layerCount - 1, y: out, team: ws.team, workspaces: ws.gemms)
            input = MatrixView(UnsafePointer(out), rows: x.rows, cols: shape.outFeatures, ld: shape.outFeatures)
        }
    }

    /// Backward pass after `forward(p, x:)`, from dL/dz already in `deltas[last]`; writes the
    /// full gradient into `workspace.gradient`.
    ///
    ///     dW3 = dzᵀ · h2,  db3 = Σ dz,  dh2 = (dz · W3) ⊙ [h2 > 0]
    ///     dW2 = dh2ᵀ · h1, db2 = Σ dh2, dh1 = (dh2 · W2) ⊙ [h1 > 0]
    ///     dW1 = dh1ᵀ · x,  db1 = Σ dh1  (no dx)
    public static func backward(_ p: Parameters, x: MatrixView, workspace ws: TrainingWorkspace) {
        let arch = p.architecture, rows = x.rows
        let g = ws.gradient.values.mutablePointer
        for l in stride(from: arch.layerCount - 1, through: 0, by: -1) {
            let shape = arch.layers[l], o = arch.offsets[l]
            let input = l == 0 ? x : MatrixView(ws.activations[l - 1].pointer, rows: rows, cols: shape.inFeatures, ld: shape.inFeatures)
            Linear.backward(dy: ws.deltas[l].pointer, x: input, weight: p.weight(l), outFeatures: shape.outFeatures,
                            dWeight: g + o.weight, dBias: g + o.bias,
                            dx: l == 0 ? nil : ws.deltas[l - 1].mutablePointer, inputIsReLUOutput: true,
                            team: ws.team, workspaces: ws.gemms)
        }
    }

    /// Loss of the last forward pass against `objective` for the batch whose dataset rows are
    /// `rowIndex` (or 0..<rows); writes dL/dz into the workspace and returns the mean loss.
    public static func loss(_ objective: Objective, rows: Int, rowIndex: UnsafePointer<Int32>?, workspace ws: TrainingWorkspace) -> Double {
        let z = ws.logits(rows: rows)
        let dz = ws.deltas[ws.architecture.layerCount - 1].mutablePointer
        switch objective {
        case .crossEntropy(let labels, let subset):
            return Loss.softmaxCrossEntropy(logits: z, labels: labels, labelIndex: rowIndex, subset: subset, dLogits: dz, team: ws.team)
        case .kl(let t, let subset):
            return Loss.klDivergence(targets: gathered(t, rows: rows, rowIndex), logits: z, subset: subset, dLogits: dz, team: ws.team)
        case .klSummed(let t, let subset):
            return Loss.klDivergence(targets: gathered(t, rows: rows, rowIndex), logits: z, subset: subset, dLogits: dz, sumOverRows: true, team: ws.team)
        case .klPrecomputed(let t, let sumOverRows):
            return Loss.klDivergence(targets: t, rowIndex: rowIndex, logits: z, dLogits: dz, sumOverRows: sumOverRows, team: ws.team)
        case .squaredError(let t, let subset):
            return Loss.squaredError(targets: gathered(t, rows: rows, rowIndex), logits: z, subset: subset, dLogits: dz)
        }
    }

    /// The gradient of the mean loss over the given rows of `inputs`, into `workspace.gradient`.
    @discardableResult
    public static func gradient(_ p: Parameters, inputs: MatrixView, rowIndex: UnsafePointer<Int32>?, rows: Int,
                                objective: Objective, workspace ws: TrainingWorkspace) -> Double {
        let x = MatrixView(inputs.base, rows: rows, cols: inputs.cols, ld: inputs.ld, rowIndex: rowIndex)
        forward(p, x: x, workspace: ws)
        let l = loss(objective, rows: rows, rowIndex: rowIndex, workspace: ws)
        backward(p, x: x, workspace: ws)
        return l
    }

    /// Logits of every row of `inputs` [N × inputs] into `out` [N × outputs], in chunks.
    public static func logits(_ p: Parameters, inputs: MatrixView, into out: UnsafeMutablePointer<Float>, workspace ws: TrainingWorkspace) {
        let c = p.architecture.outputs
        var r = 0
        while r < inputs.rows {
            let n = min(ws.capacity, inputs.rows - r)
            let x = MatrixView(inputs.row(r), rows: n, cols: inputs.cols, ld: inputs.ld)
            precondition(inputs.rowIndex == nil, "Network.logits: gathered inputs are not supported")
            forward(p, x: x, workspace: ws)
            (out + r * c).update(from: ws.activations[p.architecture.layerCount - 1].pointer, count: n * c)
            r += n
        }
    }

    /// Fraction of rows whose argmax over the logits `subset` equals the label.
    public static func accuracy(_ p: Parameters, inputs: MatrixView, labels: UnsafePointer<UInt8>,
                                subset: Range<Int> = 0..<10, workspace ws: TrainingWorkspace) -> Double {
        var correct = 0
        var r = 0
        while r < inputs.rows {
            let n = min(ws.capacity, inputs.rows - r)
            forward(p, x: MatrixView(inputs.row(r), rows: n, cols: inputs.cols, ld: inputs.ld), workspace: ws)
            let z = ws.logits(rows: n)
            for b in 0..<n {
                let row = z.row(b)
                var best = subset.lowerBound
                for j in subset where row[j] > row[best] { best = j }
                if best - subset.lowerBound == Int(labels[r + b]) { correct += 1 }
            }
            r += n
        }
        return Double(correct) / Double(max(inputs.rows, 1))
    }

    private static func gathered(_ t: MatrixView, rows: Int, _ index: UnsafePointer<Int32>?) -> MatrixView {
        MatrixView(t.base, rows: index == nil ? rows : rows, cols: t.cols, ld: t.ld, rowIndex: index)
    }
}

/// Where a training phase draws its per-epoch shuffles: epoch e uses the stream
/// (seed, run, purpose, substream + e).
public struct ShuffleSource: Sendable {
    public let seed: UInt64
    public let run: Int
    public let purpose: RandomPurpose
    public let substream: Int
    public init(seed: UInt64, run: Int, purpose: RandomPurpose, substream: Int = 0) {
        self.seed = seed
        self.run = run
        self.purpose = purpose
        self.substream = substream
    }
    public func permutation(epoch: Int, count: Int) -> [Int32] {
        var s = RandomStream(seed: seed, run: run, purpose: purpose, substream: substream + epoch)
        return s.permutation(count)
    }
}

public enum Trainer {
    /// Trains `p` for `epochs` passes over the rows of `inputs` [N × in], reshuffled every epoch,
    /// in minibatches of `batchSize` (the last one smaller when N is not a multiple), with a fresh
    /// Adam. `onStep(step, loss, parameters)` is called after every optimizer step (step counts
    /// from 1; the parameters are those after the step).
    public static func train(
        _ p: inout Parameters, inputs: MatrixView, objective: Objective,
        epochs: Int, batchSize: Int, adam: Adam, shuffle: ShuffleSource,
        workspace ws: TrainingWorkspace, onStep: ((Int, Double, Parameters) -> Void)? = nil
    ) {
        precondition(batchSize > 0 && batchSize <= ws.capacity)
        var opt = adam
        let n = inputs.rows
        var step = 0
        for epoch in 0..<epochs {
            let order = shuffle.permutation(epoch: epoch, count: n)
            order.withUnsafeBufferPointer { idx in
                var start = 0
                while start < n {
                    let rows = min(batchSize, n - start)
                    let l = Network.gradient(p, inputs: inputs, rowIndex: idx.baseAddress! + start, rows: rows, objective: objective, workspace: ws)
                    opt.update(p.values.mutablePointer, gradient: ws.gradient.values.pointer, count: p.count, team: ws.team)
                    step += 1
                    onStep?(step, l, p)
                    start += rows
                }
            }
        }
    }
}
