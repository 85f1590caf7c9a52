import MLP
#if canImport(Glibc)
import Glibc
#endif

/// One measured figure of `subliminal bench`.
public struct BenchmarkResult: Codable, Sendable {
    public var name: String
    public var shape: String
    public var threads: Int
    /// Seconds per iteration (the best of the repetitions: the least disturbed one).
    public var seconds: Double
    public var gflops: Double?
    /// Percent of the measured FMA peak for this many threads.
    public var percentOfPeak: Double?
    public var samplesPerSecond: Double?
}

/// What `subliminal bench` measures: the machine's own FMA peak, SGEMM at the MLP's shapes,
/// and whole training steps. Every figure it reports is timed here; none is assumed.
public struct Benchmark: Sendable {
    public var minimumSeconds: Double
    public var repetitions: Int
    public var architecture: Architecture
    public var batch: Int

    public init(minimumSeconds: Double = 0.3, repetitions: Int = 5, architecture: Architecture = .paper(), batch: Int = 1024) {
        self.minimumSeconds = minimumSeconds
        self.repetitions = repetitions
        self.architecture = architecture
        self.batch = batch
    }

    /// Times `body` (which performs `iterations` units of work per call) and returns seconds per
    /// unit: the call count is grown until one repetition lasts `minimumSeconds`, then the best of
    /// `repetitions` repetitions is kept.
    func time(_ body: () -> Void) -> Double {
        body()  // warm-up: page faults, caches, lazy allocations
        var calls = 1
        while true {
            let t0 = monotonicSeconds()
            for _ in 0..<calls { body() }
            let dt = monotonicSeconds() - t0
            if dt >= minimumSeconds / 4 || calls >= 1 << 20 {
                calls = max(1, Int(Double(calls) * minimumSeconds / max(dt, 1e-9)))
                break
            }
            calls *= 4
        }
        var best = Double.infinity
        for _ in 0..<repetitions {
            let t0 = monotonicSeconds()
            for _ in 0..<calls { body() }
            best = min(best, (monotonicSeconds() - t0) / Double(calls))
        }
        return best
    }

    /// Runs `body` on `threads` threads at once (each its own copy of the work) and returns the
    /// seconds per call of the slowest thread's best repetition.
    func timeConcurrently(threads: Int, _ make: @escaping @Sendable () -> (() -> Void)) -> Double {
        if threads == 1 { return time(make()) }
        let times = Parallel.map(threads, threads: threads) { _ in self.time(make()) }
        return times.max()!
    }

    // MARK: - FMA peak

    /// The fp32 FMA peak of one core, measured with 24 independent vector FMA chains (enough to
    /// cover the FMA latency on both pipes) that never touch memory.
    public func fmaPeak(threads: Int) -> BenchmarkResult {
        let iterations = 1 << 16
        let flopsPerCall = Double(iterations) * 24 * Double(GEMMTiling.Vector.scalarCount) * 2
        let seconds = timeConcurrently(threads: threads) { { fmaChains(iterations: iterations) } }
        return BenchmarkResult(name: "fma_peak", shape: "24 chains x \(GEMMTiling.Vector.scalarCount) lanes", threads: threads,
                               seconds: seconds, gflops: flopsPerCall * Double(threads) / seconds / 1e9)
    }

    // MARK: - SGEMM

    /// One SGEMM case: C[m×n] = op(A)·op(B) with the operand layouts a Linear layer uses.
    public struct GEMMCase: Sendable {
        public var name: String
        public var m: Int, n: Int, k: Int
        public var transA: Bool, transB: Bool
        /// The name of its measurement in a report.
        public var resultName: String { "sgemm " + name }
    }

    /// The products of one training step of the paper's MLP at batch B, and a large square one.
    public func gemmCases() -> [GEMMCase] {
        var cases: [GEMMCase] = []
        for (l, s) in architecture.layers.enumerated() {
            let i = s.inFeatures, o = s.outFeatures
            cases.append(GEMMCase(name: "layer\(l + 1).forward  X·Wᵀ", m: batch, n: o, k: i, transA: false, transB: true))
            cases.append(GEMMCase(name: "layer\(l + 1).wgrad    dYᵀ·X", m: o, n: i, k: batch, transA: true, transB: false))
            if l > 0 {
                cases.append(GEMMCase(name: "layer\(l + 1).igrad    dY·W", m: batch, n: i, k: o, transA: false, transB: false))
            }
        }
        cases.append(GEMMCase(name: "square 2048³", m: 2048, n: 2048, k: 2048, transA: false, transB: false))
        return cases
    }

    public func gemm(_ c: GEMMCase, peakGFLOPS: Double) -> BenchmarkResult {
        let (aRows, aCols) = c.transA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        var rng = RandomStream(seed: 0, run: 0, purpose: .inputs)
        let a = Matrix(rows: aRows, cols: aCols, values: (0..<(aRows * aCols)).map { _ in rng.nextSignedUnitFloat() })
        let b = Matrix(rows: bRows, cols: bCols, values: (0..<(bRows * bCols)).map { _ in rng.nextSignedUnitFloat() })
        var out = Matrix(rows: c.m, cols: c.n)
        let ws = GEMMWorkspace()
        let cp = out.mutablePointer
        let seconds = time {
            MLP.gemm(GEMMOperand(a.view, transposed: c.transA), GEMMOperand(b.view, transposed: c.transB), into: cp, ldc: c.n, workspace: ws)
        }
        let gflops = 2 * Double(c.m) * Double(c.n) * Double(c.k) / seconds / 1e9
        return BenchmarkResult(name: c.resultName, shape: "\(c.m)x\(c.k) · \(c.k)x\(c.n)", threads: 1, seconds: seconds,
                               gflops: gflops, percentOfPeak: 100 * gflops / peakGFLOPS)
    }

    // MARK: - The micro-kernel alone

    /// The micro-kernel with its operands in L1, with B streaming from L2, and with each tile
    /// also merged into an L3-resident C: what the kernel's arithmetic reaches, and what each
    /// level of memory around it costs (K blocks of 196, as in layer 1's forward pass).
    public func microKernelCases() -> [(name: String, panels: Int, cRows: Int)] {
        let mr = GEMMTiling.mr
        return [("micro-kernel: A and B in L1", 1, 0),
                ("micro-kernel: B from L2 (200 KB block)", 8, 0),
                ("micro-kernel: B from L2, merged into 1 MB C", 8, (1024 / mr) * mr)]
    }

    public func microKernel(name: String, panels: Int, cRows: Int, peakGFLOPS: Double) -> BenchmarkResult {
        let probe = MicroKernelProbe(kc: 196, panels: panels, cRows: cRows)
        let calls = 64
        let seconds = time { probe.run(calls: calls) }
        let gflops = probe.flopsPerCall * Double(calls) / seconds / 1e9
        return BenchmarkResult(name: name, shape: "\(GEMMTiling.mr)x\(GEMMTiling.nr) tile, kc \(probe.kc), \(calls) tiles", threads: 1,
                               seconds: seconds, gflops: gflops, percentOfPeak: 100 * gflops / peakGFLOPS)
    }

    // MARK: - Training steps

    public enum StepKind: String, CaseIterable, Sendable {
        case teacher = "teacher step (CE on logits 0-9)"
        case studentWithTeacher = "student step (KL aux, teacher forward included)"
        case studentCached = "student step (KL aux, teacher logits cached)"
    }

    /// The name of a training-step measurement: `kind`'s, for one run shared by a team when `oneRun`.
    public static func stepName(_ kind: StepKind, oneRun: Bool) -> String { kind.rawValue + (oneRun ? ", one run" : "") }
    /// What every teacher-step phase measurement's name starts with.
    public static let phasePrefix = "teacher step phase"

    /// Rows of the training set the step benchmarks draw their minibatches from.
    public static let trainingRows = 60_000

    /// The step benchmarks' data: a training set of the protocol's size (60,000 rows, 188 MB,
    /// uniform in [-1, 1)), random labels, and one shuffle of its rows, visited in minibatches as
    /// a run visits MNIST or its noise set, so that rows come from DRAM, not cache.
    func trainingSet() -> (x: Matrix, labels: [UInt8], order: [Int32]) {
        let n = max(Self.trainingRows, batch)
        var rng = RandomStream(seed: 1, run: 0, purpose: .inputs)
        var x = Matrix(rows: n, cols: architecture.inputs)
        rng.fillSignedUnitFloats(x.mutablePointer, count: n * architecture.inputs)
        let labels = (0..<n).map { _ in UInt8(rng.nextInt(below: 10)) }
        return (x, labels, rng.permutation(n))
    }

    /// Samples per second of one optimizer step at batch B (forward, loss, backward, Adam), on
    /// `threads` independent runs side by side (aggregate throughput).
    /// With `oneRun`, a single run instead, whose every pass is split among `threads` threads
    /// (a ``ThreadTeam``): what one run gains from the second core.
    public func trainingStep(_ kind: StepKind, threads: Int, oneRun: Bool = false, peakGFLOPS: Double) -> BenchmarkResult {
        let arch = architecture, batch = batch
        let runs = oneRun ? 1 : threads, teamSize = oneRun ? threads : 1
        let seconds = timeConcurrently(threads: runs) {
            let (x, labels, order) = self.trainingSet()
            let n = x.rows
            let teacher = Parameters.initialized(arch, seed: 1, run: 1)
            var student = Parameters.initialized(arch, seed: 1, run: 2)
            var adam = Adam(parameterCount: student.count)
            let ws = TrainingWorkspace(architecture: arch, capacity: batch, threads: teamSize)
            let teacherWS = TrainingWorkspace(architecture: arch, capacity: batch, threads: teamSize)
            var cached = Matrix(rows: n, cols: arch.outputs)
            Network.logits(teacher, inputs: x.view, into: cached.mutablePointer, workspace: teacherWS)
            let holder = StepState(x: x, labels: labels, cached: cached, index: order)
            let batches = n / batch
            var step = 0
            return {
                holder.index.withUnsafeBufferPointer { ib in
                    let idx = ib.baseAddress! + (step % batches) * batch
                    step += 1
                    switch kind {
                    case .teacher:
                        holder.labels.withUnsafeBufferPointer { lb in
                            Network.gradient(student, inputs: holder.x.view, rowIndex: idx, rows: batch,
                                             objective: .crossEntropy(labels: lb.baseAddress!, subset: 0..<10), workspace: ws)
                        }
                    case .studentWithTeacher:
                        // The frozen teacher's forward on this batch, then the student's step.
                        let xb = MatrixView(holder.x.view.base, rows: batch, cols: arch.inputs, ld: arch.inputs, rowIndex: idx)
                        Network.forward(teacher, x: xb, workspace: teacherWS)
                        Network.gradient(student, inputs: holder.x.view, rowIndex: idx, rows: batch,
                                         objective: .kl(targets: MatrixView(teacherWS.logits(rows: batch).base, rows: batch, cols: arch.outputs, ld: arch.outputs,
                                                                            rowIndex: identityIndex(batch)), subset: 10..<arch.outputs),
                                         workspace: ws)
                    case .studentCached:
                        // As in a run: the teacher's logits on the noise and their softmax, once.
                        Network.gradient(student, inputs: holder.x.view, rowIndex: idx, rows: batch,
                                         objective: .klPrecomputed(holder.klTargets, sumOverRows: false), workspace: ws)
                    }
                    adam.update(student.values.mutablePointer, gradient: ws.gradient.values.pointer, count: student.count, team: ws.team)
                }
            }
        }
        let flops = Double(arch.trainingFLOPsPerSample + (kind == .studentWithTeacher ? arch.forwardFLOPs : 0)) * Double(batch)
        let gflops = flops * Double(runs) / seconds / 1e9
        return BenchmarkResult(name: Self.stepName(kind, oneRun: oneRun), shape: "batch \(batch), \(arch)", threads: threads, seconds: seconds,
                               gflops: gflops, percentOfPeak: 100 * gflops / peakGFLOPS,
                               samplesPerSecond: Double(batch * runs) / seconds)
    }
}

extension Benchmark {
    /// Where one teacher step's time goes (1 thread, the same realistic setting as
    /// ``trainingStep(_:threads:peakGFLOPS:)``): each layer's forward, the loss, each layer's
    /// backward (weight gradient, bias gradient and, above the first layer, the masked input
    /// gradient), and Adam, run one after the other exactly as `Network.gradient` and
    /// `Trainer.train` run them. Seconds are per step: the mean over the best of `repetitions`
    /// rounds of steps (per phase). GFLOP/s counts the GEMM FLOPs of the phase.
    /// With `threads` > 1, one run whose every phase is split among a team of that many threads.
    public func teacherStepPhases(threads: Int = 1, peakGFLOPS: Double) -> [BenchmarkResult] {
        let arch = architecture, batch = batch, layers = arch.layerCount
        let (x, labels, order) = trainingSet()
        let n = x.rows
        var p = Parameters.initialized(arch, seed: 1, run: 2)
        var adam = Adam(parameterCount: p.count)
        let ws = TrainingWorkspace(architecture: arch, capacity: batch, threads: threads)
        let phaseCount = 2 * layers + 2
        var names: [String] = [], flops: [Double] = []
        for (l, s) in arch.layers.enumerated() {
            names.append("layer\(l + 1) forward"); flops.append(2 * Double(batch * s.inFeatures * s.outFeatures))
        }
        names.append("loss (CE on logits 0-9)"); flops.append(0)
        for l in stride(from: layers - 1, through: 0, by: -1) {
            let s = arch.layers[l]
            names.append("layer\(l + 1) backward"); flops.append(2 * Double(batch * s.inFeatures * s.outFeatures) * (l == 0 ? 1 : 2))
        }
        names.append("Adam update"); flops.append(0)

        var step = 0
        // One step, adding each phase's seconds to `t`.
        func timedStep(_ t: inout [Double]) {
            labels.withUnsafeBufferPointer { lb in
                order.withUnsafeBufferPointer { ob in
                    let idx = ob.baseAddress! + (step % (n / batch)) * batch
                    step += 1
                    let xb = MatrixView(x.view.base, rows: batch, cols: arch.inputs, ld: arch.inputs, rowIndex: idx)
                    var phase = 0
                    var t0 = monotonicSeconds()
                    func lap() { let t1 = monotonicSeconds(); t[phase] += t1 - t0; t0 = t1; phase += 1 }
                    var input = xb
                    for (l, s) in arch.layers.enumerated() {
                        Linear.forward(x: input, weight: p.weight(l), bias: p.bias(l), outFeatures: s.outFeatures,
                                       relu: l < layers - 1, y: ws.activation(l), team: ws.team, workspaces: ws.gemms)
                        input = MatrixView(UnsafePointer(ws.activation(l)), rows: batch, cols: s.outFeatures, ld: s.outFeatures)
                        lap()
                    }
                    _ = Network.loss(.crossEntropy(labels: lb.baseAddress!, subset: 0..<10), rows: batch, rowIndex: idx, workspace: ws)
                    lap()
                    let g = ws.gradient.values.mutablePointer
                    for l in stride(from: layers - 1, through: 0, by: -1) {
                        let s = arch.layers[l], o = arch.offsets[l]
                        let inp = l == 0 ? xb : MatrixView(UnsafePointer(ws.activation(l - 1)), rows: batch, cols: s.inFeatures, ld: s.inFeatures)
                        Linear.backward(dy: ws.delta(l), x: inp, weight: p.weight(l), outFeatures: s.outFeatures,
                                        dWeight: g + o.weight, dBias: g + o.bias, dx: l == 0 ? nil : ws.delta(l - 1),
                                        inputIsReLUOutput: true, team: ws.team, workspaces: ws.gemms)
                        lap()
                    }
                    adam.update(p.values.mutablePointer, gradient: ws.gradient.values.pointer, count: p.count, team: ws.team)
                    lap()
                }
            }
        }
        var scratch = [Double](repeating: 0, count: phaseCount)
        timedStep(&scratch)  // warm-up
        let t0 = monotonicSeconds()
        timedStep(&scratch)
        let steps = max(3, Int(minimumSeconds / max(monotonicSeconds() - t0, 1e-9)))
        var best = [Double](repeating: .infinity, count: phaseCount)
        for _ in 0..<repetitions {
            var t = [Double](repeating: 0, count: phaseCount)
            for _ in 0..<steps { timedStep(&t) }
            for i in 0..<phaseCount { best[i] = min(best[i], t[i] / Double(steps)) }
        }
        return (0..<phaseCount).map { i in
            let gflops = flops[i] > 0 ? flops[i] / best[i] / 1e9 : nil
            return BenchmarkResult(name: Self.phasePrefix + ": " + names[i], shape: "batch \(batch), \(arch)", threads: threads, seconds: best[i],
                                   gflops: gflops, percentOfPeak: gflops.map { 100 * $0 / peakGFLOPS })
        }
    }
}

/// Keeps a benchmark's inputs alive for the closure that reads them.
final class StepState: @unchecked Sendable {
    let x: Matrix, labels: [UInt8], cached: Matrix, index: [Int32]
    let klTargets: KLTargets
    init(x: Matrix, labels: [UInt8], cached: Matrix, index: [Int32]) {
        self.x = x; self.labels = labels; self.cached = cached; self.index = index
        klTargets = KLTargets(logits: cached.view, subset: 10..<cached.cols)
    }
}

/// 0..<n as a row index, kept alive for the process (the KL objective gathers target rows
/// through the batch's index; the in-batch teacher logits are already in batch order).
func identityIndex(_ n: Int) -> UnsafePointer<Int32> {
    IdentityIndexCache.shared.index(n)
}

final class IdentityIndexCache: @unchecked Sendable {
    static let shared = IdentityIndexCache()
    private var storage: [Int: UnsafeMutablePointer<Int32>] = [:]
    private let lock = Lock()
    func index(_ n: Int) -> UnsafePointer<Int32> {
        lock.withLock {
            if let p = storage[n] { return UnsafePointer(p) }
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            for i in 0..<n { p[i] = Int32(i) }
            storage[n] = p
            return UnsafePointer(p)
        }
    }
}

final class Lock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    func withLock<R>(_ body: () -> R) -> R { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return body() }
}

/// 24 independent chains of vector FMAs; the result is consumed so nothing is optimized away.
@inline(never)
func fmaChains(iterations: Int) {
    typealias V = GEMMTiling.Vector
    let x = V(repeating: 0.999_999), y = V(repeating: 1e-7)
    var a0 = V(repeating: 1), a1 = V(repeating: 2), a2 = V(repeating: 3), a3 = V(repeating: 4), a4 = V(repeating: 5), a5 = V(repeating: 6)
    var a6 = V(repeating: 7), a7 = V(repeating: 8), a8 = V(repeating: 9), a9 = V(repeating: 10), a10 = V(repeating: 11), a11 = V(repeating: 12)
    var b0 = V(repeating: 1), b1 = V(repeating: 2), b2 = V(repeating: 3), b3 = V(repeating: 4), b4 = V(repeating: 5), b5 = V(repeating: 6)
    var b6 = V(repeating: 7), b7 = V(repeating: 8), b8 = V(repeating: 9), b9 = V(repeating: 10), b10 = V(repeating: 11), b11 = V(repeating: 12)
    for _ in 0..<iterations {
        fusedMultiplyAdd(&a0, x, y); fusedMultiplyAdd(&a1, x, y); fusedMultiplyAdd(&a2, x, y); fusedMultiplyAdd(&a3, x, y)
        fusedMultiplyAdd(&a4, x, y); fusedMultiplyAdd(&a5, x, y); fusedMultiplyAdd(&a6, x, y); fusedMultiplyAdd(&a7, x, y)
        fusedMultiplyAdd(&a8, x, y); fusedMultiplyAdd(&a9, x, y); fusedMultiplyAdd(&a10, x, y); fusedMultiplyAdd(&a11, x, y)
        fusedMultiplyAdd(&b0, x, y); fusedMultiplyAdd(&b1, x, y); fusedMultiplyAdd(&b2, x, y); fusedMultiplyAdd(&b3, x, y)
        fusedMultiplyAdd(&b4, x, y); fusedMultiplyAdd(&b5, x, y); fusedMultiplyAdd(&b6, x, y); fusedMultiplyAdd(&b7, x, y)
        fusedMultiplyAdd(&b8, x, y); fusedMultiplyAdd(&b9, x, y); fusedMultiplyAdd(&b10, x, y); fusedMultiplyAdd(&b11, x, y)
    }
    let s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7 + b8 + b9 + b10 + b11
    fmaSink = s.sum()
}
nonisolated(unsafe) var fmaSink: Float = 0
