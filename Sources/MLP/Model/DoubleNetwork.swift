#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

// A Double-precision (Float64) implementation of the MLP's forward pass, backward pass and
// forward-mode directional derivative (JVP), for measurements that Float32 cannot resolve:
// Theorem 1's single gradient step, where the teacher's logit change is O(ε) and appears as the
// difference of two O(1) logits. It shares the flat parameter layout of `Parameters` (layer by
// layer, W [out × in] row-major, then b [out]) and is independent of the Float32 engine: its
// own register-tiled GEMM with SIMD8<Double>, single-threaded (callers parallelize over runs).

/// A 64-byte aligned, zero-initialized, owned buffer of Doubles (reference semantics).
public final class DoubleStorage: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Double>
    public let count: Int

    public init(count: Int) {
        precondition(count >= 0, "DoubleStorage: negative count \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 8, alignment: 64)
        pointer = raw.bindMemory(to: Double.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(_ values: [Double]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { pointer.update(from: b, count: values.count) } }
    }

    deinit { pointer.deallocate() }

    public var array: [Double] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

extension Parameters {
    /// The parameters widened to Double (exactly: every Float32 is a Double).
    public var doubleValues: [Double] { (0..<count).map { Double(values.pointer[$0]) } }
}

/// Buffers for Double forward/backward/JVP passes over up to `capacity` rows. One per thread.
/// The activations of the last `forward` stay available for any number of `backward` and
/// `jvp` calls at the same parameters and inputs.
public final class DoubleWorkspace: @unchecked Sendable {
    public let architecture: Architecture
    public let capacity: Int
    /// activations[l]: output of layer l (after ReLU for hidden layers), [capacity × width(l+1)].
    let activations: [DoubleStorage]
    /// deltas[l]: dL/d(pre-activation of layer l).
    let deltas: [DoubleStorage]
    /// tangents[l]: directional derivative of layer l's output (JVP).
    let tangents: [DoubleStorage]
    /// Transposed weights [in × out] of the parameters of the last forward, and of a JVP direction.
    let weightsT: [DoubleStorage]
    let directionT: [DoubleStorage]
    /// A transposed delta [out × capacity].
    let deltaT: DoubleStorage
    /// The packed B operand of the GEMM.
    let packed: DoubleStorage
    /// Rows of the last forward.
    public internal(set) var rows = 0

    public init(architecture: Architecture, capacity: Int) {
        precondition(capacity > 0, "DoubleWorkspace: capacity must be positive")
        self.architecture = architecture
        self.capacity = capacity
        activations = architecture.layers.map { DoubleStorage(count: capacity * $0.outFeatures) }
        deltas = architecture.layers.map { DoubleStorage(count: capacity * $0.outFeatures) }
        tangents = architecture.layers.map { DoubleStorage(count: capacity * $0.outFeatures) }
        weightsT = architecture.layers.map { DoubleStorage(count: $0.inFeatures * $0.outFeatures) }
        directionT = architecture.layers.map { DoubleStorage(count: $0.inFeatures * $0.outFeatures) }
        let widest = architecture.widths.max()!
        deltaT = DoubleStorage(count: capacity * widest)
        packed = DoubleStorage(count: DoubleGEMM.packedCapacity(maxN: widest))
    }

    /// The logits of the last `forward`, [rows × outputs] row-major.
    public var logits: UnsafePointer<Double> { UnsafePointer(activations[architecture.layerCount - 1].pointer) }
    /// dL/dlogits for the next `backward`, [rows × outputs]: write it here, or pass your own.
    public var logitGradient: UnsafeMutablePointer<Double> { deltas[architecture.layerCount - 1].pointer }
    /// The logits' directional derivative computed by the last `jvp`, [rows × outputs].
    public var logitTangent: UnsafePointer<Double> { UnsafePointer(tangents[architecture.layerCount - 1].pointer) }
}

public enum DoubleNetwork {
    /// Forward pass of `x` [rows × inputs] (rows ≤ capacity) at `theta`; the logits are then in
    /// `workspace.logits`.
    public static func forward(_ theta: UnsafePointer<Double>, x: UnsafePointer<Double>, rows: Int, workspace ws: DoubleWorkspace) {
        let arch = ws.architecture
        precondition(rows >= 0 && rows <= ws.capacity, "DoubleNetwork.forward: \(rows) rows, capacity \(ws.capacity)")
        ws.rows = rows
        var input = x
        for (l, (shape, o)) in zip(arch.layers, arch.offsets).enumerated() {
            let wT = ws.weightsT[l].pointer
            transpose(theta + o.weight, rows: shape.outFeatures, cols: shape.inFeatures, into: wT)
            let y = ws.activations[l].pointer
            DoubleGEMM.multiply(m: rows, n: shape.outFeatures, k: shape.inFeatures, a: input, lda: shape.inFeatures,
                                b: wT, ldb: shape.outFeatures, c: y, ldc: shape.outFeatures, accumulate: false, packed: ws.packed.pointer)
            let bias = theta + o.bias
            let relu = l < arch.layerCount - 1
            for r in 0..<rows {
                let row = y + r * shape.outFeatures
                if relu {
                    for j in 0..<shape.outFeatures { row[j] = max(0, row[j] + bias[j]) }
                } else {
                    for j in 0..<shape.outFeatures { row[j] += bias[j] }
                }
            }
            input = UnsafePointer(y)
        }
    }

    /// Backward pass after `forward(theta, x:, rows:)`: from dL/dlogits [rows × outputs] (the
    /// loss's own scaling included, e.g. 1/N for a mean), writes dL/dθ into `gradient`
    /// (or adds it, with `accumulate`). `dLogits` may be `workspace.logitGradient`.
    public static func backward(_ theta: UnsafePointer<Double>, x: UnsafePointer<Double>, dLogits: UnsafePointer<Double>,
                                into gradient: UnsafeMutablePointer<Double>, accumulate: Bool = false, workspace ws: DoubleWorkspace) {
        let arch = ws.architecture, rows = ws.rows
        let last = arch.layerCount - 1
        if dLogits != UnsafePointer(ws.deltas[last].pointer) {
            ws.deltas[last].pointer.update(from: dLogits, count: rows * arch.outputs)
        }
        for l in stride(from: last, through: 0, by: -1) {
            let shape = arch.layers[l], o = arch.offsets[l]
            let dy = ws.deltas[l].pointer
            let input: UnsafePointer<Double> = l == 0 ? x : UnsafePointer(ws.activations[l - 1].pointer)
            // dW [out × in] = dYᵀ · X
            let dyT = ws.deltaT.pointer
            transpose(UnsafePointer(dy), rows: rows, cols: shape.outFeatures, into: dyT)
            DoubleGEMM.multiply(m: shape.outFeatures, n: shape.inFeatures, k: rows, a: dyT, lda: rows,
                                b: input, ldb: shape.inFeatures, c: gradient + o.weight, ldc: shape.inFeatures,
                                accumulate: accumulate, packed: ws.packed.pointer)
            // db = Σ_rows dY
            let db = gradient + o.bias
            if !accumulate { for j in 0..<shape.outFeatures { db[j] = 0 } }
            for r in 0..<rows {
                let row = dy + r * shape.outFeatures
                for j in 0..<shape.outFeatures { db[j] += row[j] }
            }
            // dX = (dY · W) ⊙ [X > 0]
            if l > 0 {
                let dx = ws.deltas[l - 1].pointer
                DoubleGEMM.multiply(m: rows, n: shape.inFeatures, k: shape.outFeatures, a: dy, lda: shape.outFeatures,
                                    b: theta + o.weight, ldb: shape.inFeatures, c: dx, ldc: shape.inFeatures,
                                    accumulate: false, packed: ws.packed.pointer)
                let h = ws.activations[l - 1].pointer
                for i in 0..<(rows * shape.inFeatures) where !(h[i] > 0) { dx[i] = 0 }
            }
        }
    }

    /// Forward-mode directional derivative after `forward(theta, x:, rows:)`: the derivative of
    /// the logits along the parameter direction `direction` (same layout as θ), i.e. J·v per row,
    /// into `workspace.logitTangent` [rows × outputs].
    ///
    ///     t1 = (x · V1ᵀ + vb1) ⊙ [h1 > 0]
    ///     t2 = (t1 · W2ᵀ + h1 · V2ᵀ + vb2) ⊙ [h2 > 0]
    ///     tz = t2 · W3ᵀ + h2 · V3ᵀ + vb3
    public static func jvp(_ theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>, x: UnsafePointer<Double>,
                           workspace ws: DoubleWorkspace) {
        let arch = ws.architecture, rows = ws.rows
        for (l, (shape, o)) in zip(arch.layers, arch.offsets).enumerated() {
            let t = ws.tangents[l].pointer
            let vT = ws.directionT[l].pointer
            transpose(v + o.weight, rows: shape.outFeatures, cols: shape.inFeatures, into: vT)
            let input: UnsafePointer<Double> = l == 0 ? x : UnsafePointer(ws.activations[l - 1].pointer)
            DoubleGEMM.multiply(m: rows, n: shape.outFeatures, k: shape.inFeatures, a: input, lda: shape.inFeatures,
                                b: vT, ldb: shape.outFeatures, c: t, ldc: shape.outFeatures, accumulate: false, packed: ws.packed.pointer)
            if l > 0 {
                // weightsT holds θ's transposed weights from the forward pass.
                DoubleGEMM.multiply(m: rows, n: shape.outFeatures, k: shape.inFeatures, a: ws.tangents[l - 1].pointer, lda: shape.inFeatures,
                                    b: ws.weightsT[l].pointer, ldb: shape.outFeatures, c: t, ldc: shape.outFeatures,
                                    accumulate: true, packed: ws.packed.pointer)
            }
            let vb = v + o.bias
            let h = ws.activations[l].pointer
            let hidden = l < arch.layerCount - 1
            for r in 0..<rows {
                let row = t + r * shape.outFeatures, hr = h + r * shape.outFeatures
                for j in 0..<shape.outFeatures {
                    let s = row[j] + vb[j]
                    row[j] = hidden && !(hr[j] > 0) ? 0 : s
                }
            }
        }
    }

    /// out[c × r] = in[r × c]ᵀ.
    static func transpose(_ src: UnsafePointer<Double>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Double>) {
        let block = 32
        var r0 = 0
        while r0 < rows {
            let r1 = min(rows, r0 + block)
            var c0 = 0
            while c0 < cols {
                let c1 = min(cols, c0 + block)
                for r in r0..<r1 { for c in c0..<c1 { dst[c * rows + r] = src[r * cols + c] } }
                c0 = c1
            }
            r0 = r1
        }
    }
}

/// The Double-precision losses, over a contiguous subset of the logits (0..<10 digits, 10..<13
/// auxiliary, 0..<13 all), with row-wise log-sum-exp. Each returns the SUM of the per-row losses
/// and, if `dLogits` is given, writes `scale` · dℓ/dz into it (zero outside the subset): pass
/// scale = 1/N for the gradient of the mean over N rows.
public enum DoubleLoss {
    /// −log softmax(z[subset])[label].
    public static func crossEntropy(logits z: UnsafePointer<Double>, rows: Int, cols: Int, labels: UnsafePointer<UInt8>,
                                    subset: Range<Int>, scale: Double, dLogits: UnsafeMutablePointer<Double>?) -> Double {
        var total = 0.0
        var p = [Double](repeating: 0, count: subset.count)
        for b in 0..<rows {
            let row = z + b * cols
            let label = Int(labels[b])
            precondition(label < subset.count, "label \(label) outside the \(subset.count) classes")
            let lse = softmax(row, subset, into: &p)
            total += lse - row[subset.lowerBound + label]
            if let d = dLogits.map({ $0 + b * cols }) {
                for j in 0..<cols { d[j] = 0 }
                for (o, j) in subset.enumerated() { d[j] = (p[o] - (o == label ? 1 : 0)) * scale }
            }
        }
        return total
    }

    /// KL( softmax(t[subset]) ‖ softmax(z[subset]) ); dℓ/dz = softmax(z) − softmax(t) on the subset.
    public static func kl(targets t: UnsafePointer<Double>, logits z: UnsafePointer<Double>, rows: Int, cols: Int,
                          subset: Range<Int>, scale: Double, dLogits: UnsafeMutablePointer<Double>?) -> Double {
        var total = 0.0
        var p = [Double](repeating: 0, count: subset.count), q = p
        for b in 0..<rows {
            let zr = z + b * cols, tr = t + b * cols
            let lseZ = softmax(zr, subset, into: &q)
            let lseT = softmax(tr, subset, into: &p)
            for (o, j) in subset.enumerated() where p[o] > 0 {
                total += p[o] * ((tr[j] - lseT) - (zr[j] - lseZ))
            }
            if let d = dLogits.map({ $0 + b * cols }) {
                for j in 0..<cols { d[j] = 0 }
                // q − p, computed as a difference of softmaxes: exact to Double rounding even
                // when t and z differ by 1e-8.
                for (o, j) in subset.enumerated() { d[j] = (q[o] - p[o]) * scale }
            }
        }
        return total
    }

    /// ½ Σ_{j ∈ subset} (z_j − t_j)²; dℓ/dz = z − t on the subset.
    public static func squaredError(targets t: UnsafePointer<Double>, logits z: UnsafePointer<Double>, rows: Int, cols: Int,
                                    subset: Range<Int>, scale: Double, dLogits: UnsafeMutablePointer<Double>?) -> Double {
        var total = 0.0
        for b in 0..<rows {
            let zr = z + b * cols, tr = t + b * cols
            let d = dLogits.map { $0 + b * cols }
            if let d { for j in 0..<cols { d[j] = 0 } }
            for j in subset {
                let diff = zr[j] - tr[j]
                total += 0.5 * diff * diff
                d?[j] = diff * scale
            }
        }
        return total
    }

    /// The imitation loss's Hessian in the logits at z = t, applied to a tangent u:
    /// H·u with H = P_subset (squared error) or diag(q) − q qᵀ on the subset, q = softmax(z[subset])
    /// (KL). Writes `scale` · H u into `out` (zero outside the subset) and returns Σ_rows uᵀ H u.
    /// This is the first-order (linearized) imitation gradient in the logits: a teacher whose
    /// logits moved by −ε·u gives dℓ/dz = ε·H·u + O(ε²).
    public static func hessianVectorProduct(kl: Bool, logits z: UnsafePointer<Double>, tangent u: UnsafePointer<Double>,
                                            rows: Int, cols: Int, subset: Range<Int>, scale: Double,
                                            into out: UnsafeMutablePointer<Double>?) -> Double {
        var total = 0.0
        var q = [Double](repeating: 0, count: subset.count)
        var hu = q
        for b in 0..<rows {
            let zr = z + b * cols, ur = u + b * cols
            if kl {
                _ = softmax(zr, subset, into: &q)
                var mean = 0.0
                for (o, j) in subset.enumerated() { mean += q[o] * ur[j] }
                for (o, j) in subset.enumerated() { hu[o] = q[o] * (ur[j] - mean) }
            } else {
                for (o, j) in subset.enumerated() { hu[o] = ur[j] }
            }
            for (o, j) in subset.enumerated() { total += ur[j] * hu[o] }
            if let d = out.map({ $0 + b * cols }) {
                for j in 0..<cols { d[j] = 0 }
                for (o, j) in subset.enumerated() { d[j] = hu[o] * scale }
            }
        }
        return total
    }

    /// Writes softmax(x[subset]) into `p` and returns log Σ exp(x[subset]).
    @inline(__always)
    static func softmax(_ x: UnsafePointer<Double>, _ subset: Range<Int>, into p: inout [Double]) -> Double {
        var m = -Double.infinity
        for j in subset { m = max(m, x[j]) }
        var s = 0.0
        for (o, j) in subset.enumerated() { let e = exp(x[j] - m); p[o] = e; s += e }
        for o in 0..<p.count { p[o] /= s }
        return m + log(s)
    }
}

/// Flat-vector helpers in Double.
public enum DoubleVector {
    public static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        var s0 = SIMD8<Double>(), s1 = SIMD8<Double>()
        var i = 0
        while i + 16 <= count {
            s0 += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Double>.self) * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Double>.self)
            s1 += UnsafeRawPointer(a + i + 8).loadUnaligned(as: SIMD8<Double>.self) * UnsafeRawPointer(b + i + 8).loadUnaligned(as: SIMD8<Double>.self)
            i += 16
        }
        var s = (s0 + s1).sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }

    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "DoubleVector.dot: \(a.count) vs \(b.count)")
        return a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, count: a.count) } }
    }

    public static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}

/// C[M×N] (= or +=) A[M×K] · B[K×N], all row-major, in Double. B is packed into 16-column
/// panels per K block; A is read in place, 8 rows at a time, by an 8 × 16 register tile
/// (16 SIMD8<Double> accumulators).
public enum DoubleGEMM {
    static let nr = 16
    static let mr = 8
    /// Packed B of one K block is kept at most this many Doubles (≈ 0.75 MB, half an L2).
    static let packedBudget = 98_304

    /// Doubles the `packed` buffer of `multiply` needs for products with up to `maxN` columns.
    public static func packedCapacity(maxN: Int) -> Int {
        let npad = (maxN + nr - 1) / nr * nr
        return max(packedBudget, npad * 64)
    }

    static func kBlock(n: Int, k: Int) -> Int {
        let npad = (n + nr - 1) / nr * nr
        let kc = max(64, packedBudget / max(npad, 1) / 8 * 8)
        return min(k, kc)
    }

    /// `packed` must hold `packedCapacity(maxN: n)` Doubles.
    public static func multiply(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                                c: UnsafeMutablePointer<Double>, ldc: Int, accumulate: Bool, packed: UnsafeMutablePointer<Double>) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            if !accumulate { for i in 0..<m { for j in 0..<n { c[i * ldc + j] = 0 } } }
            return
        }
        let panels = (n + nr - 1) / nr
        let kc = kBlock(n: n, k: k)
        var p0 = 0
        while p0 < k {
            let kb = min(kc, k - p0)
            let add = accumulate || p0 > 0
            // Pack B[p0 ..< p0+kb, :] into panels [panel][k][16], zero-padded.
            for jp in 0..<panels {
                let j0 = jp * nr, w = min(nr, n - j0)
                let dst = packed + jp * nr * kb
                for p in 0..<kb {
                    let src = b + (p0 + p) * ldb + j0
                    let d = dst + p * nr
                    if w == nr {
                        d.update(from: src, count: nr)
                    } else {
                        for j in 0..<w { d[j] = src[j] }
                        for j in w..<nr { d[j] = 0 }
                    }
                }
            }
            var i0 = 0
            while i0 + mr <= m {
                for jp in 0..<panels {
                    let j0 = jp * nr
                    kernel8x16(kb: kb, a: a + i0 * lda + p0, lda: lda, b: packed + jp * nr * kb,
                               c: c + i0 * ldc + j0, ldc: ldc, cols: min(nr, n - j0), add: add)
                }
                i0 += mr
            }
            while i0 < m {
                for jp in 0..<panels {
                    let j0 = jp * nr
                    kernel1x16(kb: kb, a: a + i0 * lda + p0, b: packed + jp * nr * kb,
                               c: c + i0 * ldc + j0, cols: min(nr, n - j0), add: add)
                }
                i0 += 1
            }
            p0 += kb
        }
    }

    typealias V = SIMD8<Double>

    @inline(__always)
    static func fma(_ c: inout V, _ a: V, _ b: V) {
        #if SUBLIMINAL_FMA
        c.addProduct(a, b)
        #else
        c += a * b
        #endif
    }

    @inline(__always)
    static func merge(_ lo: V, _ hi: V, into c: UnsafeMutablePointer<Double>, cols: Int, add: Bool) {
        if cols == 16 {
            var l = lo, h = hi
            if add {
                l += UnsafeRawPointer(c).loadUnaligned(as: V.self)
                h += UnsafeRawPointer(c + 8).loadUnaligned(as: V.self)
            }
            UnsafeMutableRawPointer(c).storeBytes(of: l, as: V.self)
            UnsafeMutableRawPointer(c + 8).storeBytes(of: h, as: V.self)
        } else {
            for j in 0..<cols {
                let v = j < 8 ? lo[j] : hi[j - 8]
                c[j] = add ? c[j] + v : v
            }
        }
    }

    @inline(__always)
    static func kernel8x16(kb: Int, a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>,
                           c: UnsafeMutablePointer<Double>, ldc: Int, cols: Int, add: Bool) {
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda
        let a4 = a + 4 * lda, a5 = a + 5 * lda, a6 = a + 6 * lda, a7 = a + 7 * lda
        var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
        var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
        var bp = b
        for p in 0..<kb {
            let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
            let b1 = UnsafeRawPointer(bp + 8).loadUnaligned(as: V.self)
            do { let x = V(repeating: a0[p]); fma(&c00, x, b0); fma(&c01, x, b1) }
            do { let x = V(repeating: a1[p]); fma(&c10, x, b0); fma(&c11, x, b1) }
            do { let x = V(repeating: a2[p]); fma(&c20, x, b0); fma(&c21, x, b1) }
            do { let x = V(repeating: a3[p]); fma(&c30, x, b0); fma(&c31, x, b1) }
            do { let x = V(repeating: a4[p]); fma(&c40, x, b0); fma(&c41, x, b1) }
            do { let x = V(repeating: a5[p]); fma(&c50, x, b0); fma(&c51, x, b1) }
            do { let x = V(repeating: a6[p]); fma(&c60, x, b0); fma(&c61, x, b1) }
            do { let x = V(repeating: a7[p]); fma(&c70, x, b0); fma(&c71, x, b1) }
            bp += 16
        }
        merge(c00, c01, into: c, cols: cols, add: add)
        merge(c10, c11, into: c + ldc, cols: cols, add: add)
        merge(c20, c21, into: c + 2 * ldc, cols: cols, add: add)
        merge(c30, c31, into: c + 3 * ldc, cols: cols, add: add)
        merge(c40, c41, into: c + 4 * ldc, cols: cols, add: add)
        merge(c50, c51, into: c + 5 * ldc, cols: cols, add: add)
        merge(c60, c61, into: c + 6 * ldc, cols: cols, add: add)
        merge(c70, c71, into: c + 7 * ldc, cols: cols, add: add)
    }

    @inline(__always)
    static func kernel1x16(kb: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
                           c: UnsafeMutablePointer<Double>, cols: Int, add: Bool) {
        var c0 = V(), c1 = V(), d0 = V(), d1 = V()
        var bp = b
        var p = 0
        while p + 2 <= kb {
            let x = V(repeating: a[p]), y = V(repeating: a[p + 1])
            fma(&c0, x, UnsafeRawPointer(bp).loadUnaligned(as: V.self))
            fma(&c1, x, UnsafeRawPointer(bp + 8).loadUnaligned(as: V.self))
            fma(&d0, y, UnsafeRawPointer(bp + 16).loadUnaligned(as: V.self))
            fma(&d1, y, UnsafeRawPointer(bp + 24).loadUnaligned(as: V.self))
            bp += 32
            p += 2
        }
        if p < kb {
            let x = V(repeating: a[p])
            fma(&c0, x, UnsafeRawPointer(bp).loadUnaligned(as: V.self))
            fma(&c1, x, UnsafeRawPointer(bp + 8).loadUnaligned(as: V.self))
        }
        merge(c0 + d0, c1 + d1, into: c, cols: cols, add: add)
    }
}
