#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Losses over a chosen subset of the logits (a contiguous range of output columns: 0..<10 for
/// the digit logits, 10..<13 for the auxiliary ones, 0..<13 for all). Each returns the loss
/// averaged over the batch and writes dL/dlogits into `dLogits` [B × C], zero outside the subset.
/// All softmaxes are computed with the max subtracted (log-sum-exp), in Double per row.
public enum Loss {
    /// Mean over rows of −log softmax(z[subset])[label − subset.lowerBound].
    /// - Parameters:
    ///   - logits: Z [B × C].
    ///   - labels: one class per row, `labels[labelIndex?[b] ?? b]`, in `subset`'s coordinates
    ///     (0 = the subset's first logit).
    ///   - team: when given, its members compute pieces of the rows (see ``sumOfRowTerms``):
    ///     the same bits as on one thread. So for the KL objectives below.
    public static func softmaxCrossEntropy(
        logits: MatrixView, labels: UnsafePointer<UInt8>, labelIndex: UnsafePointer<Int32>?,
        subset: Range<Int>, dLogits: UnsafeMutablePointer<Float>, team: ThreadTeam? = nil
    ) -> Double {
        let rows = logits.rows, cols = logits.cols
        precondition(subset.lowerBound >= 0 && subset.upperBound <= cols && !subset.isEmpty)
        let scale = 1 / Double(rows)
        let width = subset.count, lo = subset.lowerBound
        let total = sumOfRowTerms(rows: rows, team: team) { range, terms in
            // The labels of a shuffled batch are scattered over the whole label array, which the
            // GEMMs have pushed out of cache: load them all first, in a loop whose loads overlap,
            // rather than stalling on one miss per row behind the previous row's softmax.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: range.count) { batchLabels in
                for b in range { batchLabels[b - range.lowerBound] = labels[labelIndex.map { Int($0[b]) } ?? b] }
                withUnsafeTemporaryAllocation(of: Double.self, capacity: softmaxBlockRows * (width + 1)) { buffer in
                    let p = buffer.baseAddress!, lse = p + softmaxBlockRows * width
                    var b0 = range.lowerBound
                    while b0 < range.upperBound {
                        let n = min(softmaxBlockRows, range.upperBound - b0)
                        softmaxBlock(logits, from: b0, count: n, subset, p: p, lse: lse)
                        for r in 0..<n {
                            let b = b0 + r, z = logits.row(b), d = dLogits + b * cols, pr = p + r * width
                            let label = Int(batchLabels[b - range.lowerBound])
                            precondition(label < width, "label \(label) outside the \(width) classes")
                            terms[b] = lse[r] - Double(z[lo + label])
                            for j in 0..<cols { d[j] = 0 }
                            for o in 0..<width {
                                d[lo + o] = Float((pr[o] - (o == label ? 1 : 0)) * scale)
                            }
                        }
                        b0 += n
                    }
                }
            }
        }
        return total * scale
    }

    /// Runs `rowsBody` over the batch's rows (on one thread, or split among a team's members in
    /// pieces aligned to softmax blocks) and returns the sum of the per-row terms it writes to
    /// `terms[b]`, added up in row order on the calling thread: the same Double additions in the
    /// same order as one loop over the rows, so the loss has the same bits on any team.
    @inline(__always)
    static func sumOfRowTerms(rows: Int, team: ThreadTeam?,
                              _ rowsBody: (Range<Int>, UnsafeMutablePointer<Double>) -> Void) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: max(rows, 1)) { buffer in
            let terms = buffer.baseAddress!
            if let team, team.size > 1 {
                team.run { member in rowsBody(team.part(member, of: rows, alignment: softmaxBlockRows), terms) }
            } else {
                rowsBody(0..<rows, terms)
            }
            var total = 0.0
            for b in 0..<rows { total += terms[b] }
            return total
        }
    }

    /// Mean over rows of KL( softmax(t[subset]) ‖ softmax(z[subset]) ), temperature 1.
    /// The gradient with respect to z is softmax(z) − softmax(t) on the subset.
    /// - Parameters:
    ///   - targets: the teacher's logits T [B × C] (its rows may be gathered through an index).
    ///   - logits: the student's logits Z [B × C].
    /// With `sumOverRows`, the loss and its gradient are summed over the rows instead of averaged.
    public static func klDivergence(
        targets: MatrixView, logits: MatrixView, subset: Range<Int>, dLogits: UnsafeMutablePointer<Float>,
        sumOverRows: Bool = false, team: ThreadTeam? = nil
    ) -> Double {
        let rows = logits.rows, cols = logits.cols
        precondition(targets.rows == rows && targets.cols >= subset.upperBound && subset.upperBound <= cols && !subset.isEmpty)
        let scale = sumOverRows ? 1 : 1 / Double(rows)
        let width = subset.count, block = softmaxBlockRows
        let total = sumOfRowTerms(rows: rows, team: team) { range, terms in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * block * (width + 1)) { buffer in
                let p = buffer.baseAddress!, q = p + block * width, lseT = q + block * width, lseZ = lseT + block
                var b0 = range.lowerBound
                while b0 < range.upperBound {
                    let n = min(block, range.upperBound - b0)
                    softmaxBlock(logits, from: b0, count: n, subset, p: q, lse: lseZ)
                    softmaxBlock(targets, from: b0, count: n, subset, p: p, lse: lseT)
                    for r in 0..<n {
                        let b = b0 + r
                        terms[b] = klRow(z: logits.row(b), lseZ: lseZ[r], q: q + r * width, t: targets.row(b), lseT: lseT[r], p: p + r * width,
                                         subset: subset, scale: scale, d: dLogits + b * cols, cols: cols)
                    }
                    b0 += n
                }
            }
        }
        return total * scale
    }

    /// One row of the KL, given both softmaxes: returns Σ p (log p − log q) and writes the
    /// row's gradient (q − p)·scale into `d` (zero outside the subset). The one place the KL's
    /// arithmetic is written, for both ways of obtaining p.
    @inline(__always)
    static func klRow(z: UnsafePointer<Float>, lseZ: Double, q: UnsafePointer<Double>,
                      t: UnsafePointer<Float>, lseT: Double, p: UnsafePointer<Double>,
                      subset: Range<Int>, scale: Double, d: UnsafeMutablePointer<Float>, cols: Int) -> Double {
        let lo = subset.lowerBound
        var kl = 0.0
        for o in 0..<subset.count where p[o] > 0 {
            // log p − log q = (t − lseT) − (z − lseZ)
            let j = lo + o
            kl += p[o] * ((Double(t[j]) - lseT) - (Double(z[j]) - lseZ))
        }
        for j in 0..<cols { d[j] = 0 }
        for o in 0..<subset.count { d[lo + o] = Float((q[o] - p[o]) * scale) }
        return kl
    }

    /// ``klDivergence(targets:logits:subset:dLogits:sumOverRows:)`` with the targets' side
    /// precomputed: the same arithmetic on the same values, so the same bits, without
    /// recomputing softmax(t) every time a row comes back (every epoch, every student).
    /// - Parameters:
    ///   - targets: the precomputed target distributions of every row of the target matrix.
    ///   - rowIndex: the batch's rows in the target matrix (nil: rows 0..<B).
    public static func klDivergence(
        targets: KLTargets, rowIndex: UnsafePointer<Int32>?, logits: MatrixView,
        dLogits: UnsafeMutablePointer<Float>, sumOverRows: Bool = false, team: ThreadTeam? = nil
    ) -> Double {
        let rows = logits.rows, cols = logits.cols, subset = targets.subset, width = subset.count
        precondition(subset.upperBound <= cols)
        let scale = sumOverRows ? 1 : 1 / Double(rows)
        let targetRows = targets.rows
        let total = targets.probabilities.withUnsafeBufferPointer { allP in
        targets.logSumExp.withUnsafeBufferPointer { allLSE in
        sumOfRowTerms(rows: rows, team: team) { range, terms in
            let tCols = targets.logits.cols, count = range.count
            // The batch's target rows are scattered over the whole of T and its softmax, which the
            // GEMMs have pushed out of cache: gather them first, in a loop whose misses overlap,
            // rather than stalling on them row after row behind each row's softmax.
            let block = softmaxBlockRows
            withUnsafeTemporaryAllocation(of: Double.self, capacity: block * (width + 1) + count * (width + 1)) { doubles in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: count * tCols) { floats in
                let q = doubles.baseAddress!, lseZ = q + block * width, batchP = lseZ + block, batchLSE = batchP + count * width
                let batchT = floats.baseAddress!
                for i in 0..<count {
                    let b = range.lowerBound + i
                    let r = rowIndex.map { Int($0[b]) } ?? b
                    precondition(r < targetRows, "KL targets: row \(r) of \(targetRows)")
                    (batchP + i * width).initialize(from: allP.baseAddress! + r * width, count: width)
                    batchLSE[i] = allLSE[r]
                    (batchT + i * tCols).initialize(from: targets.logits.row(r), count: tCols)
                }
                var b0 = range.lowerBound
                while b0 < range.upperBound {
                    let n = min(block, range.upperBound - b0)
                    softmaxBlock(logits, from: b0, count: n, subset, p: q, lse: lseZ)
                    for r in 0..<n {
                        let b = b0 + r, i = b - range.lowerBound
                        terms[b] = klRow(z: logits.row(b), lseZ: lseZ[r], q: q + r * width, t: batchT + i * tCols, lseT: batchLSE[i],
                                         p: batchP + i * width, subset: subset, scale: scale, d: dLogits + b * cols, cols: cols)
                    }
                    b0 += n
                }
            }
            }
        }
        }
        }
        return total * scale
    }

    /// Mean over rows of ½ Σ_{j ∈ subset} (z_j − t_j)², on the raw logits.
    public static func squaredError(
        targets: MatrixView, logits: MatrixView, subset: Range<Int>, dLogits: UnsafeMutablePointer<Float>
    ) -> Double {
        let rows = logits.rows, cols = logits.cols
        precondition(targets.rows == rows && targets.cols >= subset.upperBound && subset.upperBound <= cols && !subset.isEmpty)
        let scale = 1 / Double(rows)
        var total = 0.0
        for b in 0..<rows {
            let z = logits.row(b), t = targets.row(b), d = dLogits + b * cols
            for j in 0..<cols { d[j] = 0 }
            for j in subset {
                let diff = Double(z[j]) - Double(t[j])
                total += 0.5 * diff * diff
                d[j] = Float(diff * scale)
            }
        }
        return total * scale
    }

    /// Writes softmax(x[subset]) into `p` (`subset.count` Doubles) and returns log Σ exp(x[subset]):
    /// the one place the arithmetic is written (``softmaxBlock(_:from:count:_:p:lse:)`` repeats
    /// it lane by lane).
    @inline(__always)
    static func softmax(_ x: UnsafePointer<Float>, _ subset: Range<Int>, into p: UnsafeMutablePointer<Double>) -> Double {
        var m = -Double.infinity
        for j in subset { m = max(m, Double(x[j])) }
        var s = 0.0
        let lo = subset.lowerBound
        for o in 0..<subset.count { let e = exp(Double(x[lo + o]) - m); p[o] = e; s += e }
        for o in 0..<subset.count { p[o] /= s }
        return m + log(s)
    }

    /// Rows per ``softmaxBlock(_:from:count:_:p:lse:)`` call: one per lane of the vector exp.
    static let softmaxBlockRows = 8

    /// ``softmax(_:_:into:)`` for the `count` ≤ 8 rows of `x` from row `first`: row r's
    /// probabilities at `p[r·W ..< (r+1)·W]` (W = subset.count) and its log-sum-exp at `lse[r]`.
    /// A full block runs its eight rows in the lanes of ``exp8(_:)`` where that matches libm's
    /// `exp` bit for bit: the same operations in the same order, lane by lane, so the same
    /// results as row by row (the loss is ~1.4% of a teacher step when each exp is a libm call).
    @inline(__always)
    static func softmaxBlock(_ x: MatrixView, from first: Int, count: Int, _ subset: Range<Int>,
                             p: UnsafeMutablePointer<Double>, lse: UnsafeMutablePointer<Double>) {
        let width = subset.count
        #if SUBLIMINAL_FMA && canImport(Glibc)
        if count == 8 && VectorExp.matchesLibm {
            typealias D = SIMD8<Double>
            let r0 = x.row(first), r1 = x.row(first + 1), r2 = x.row(first + 2), r3 = x.row(first + 3)
            let r4 = x.row(first + 4), r5 = x.row(first + 5), r6 = x.row(first + 6), r7 = x.row(first + 7)
            @inline(__always) func column(_ j: Int) -> D {
                D(Double(r0[j]), Double(r1[j]), Double(r2[j]), Double(r3[j]), Double(r4[j]), Double(r5[j]), Double(r6[j]), Double(r7[j]))
            }
            // m = max(m, x) keeps the later value on ties, as Swift's `max` does.
            var m = D(repeating: -.infinity)
            for j in subset { let v = column(j); m.replace(with: v, where: v .>= m) }
            var s = D()
            let lo = subset.lowerBound
            withUnsafeTemporaryAllocation(of: D.self, capacity: width) { e in
                for o in 0..<width { let v = exp8(column(lo + o) - m); e[o] = v; s += v }
                for o in 0..<width {
                    let q = divide(e[o], s)
                    for r in 0..<8 { p[r &* width &+ o] = q[r] }
                }
            }
            for r in 0..<8 { lse[r] = m[r] + log(s[r]) }
            return
        }
        #endif
        for r in 0..<count { lse[r] = softmax(x.row(first + r), subset, into: p + r * width) }
    }
}

/// softmax(t[subset]) and log Σ exp(t[subset]) for every row of a frozen model's logits T,
/// computed once with ``Loss``'s own softmax: the KL objective's targets never change while a
/// student trains, yet every row comes back every epoch, and several students imitate the
/// same T. Keeps a view of T (the caller keeps T alive, as for ``Objective/kl(targets:subset:)``).
public final class KLTargets: @unchecked Sendable {
    public let logits: MatrixView
    public let subset: Range<Int>
    public var rows: Int { logits.rows }
    /// rows × subset.count, row-major.
    let probabilities: [Double]
    let logSumExp: [Double]

    /// - Parameter logits: T [N × C], not row-gathered.
    public init(logits: MatrixView, subset: Range<Int>) {
        precondition(logits.rowIndex == nil && subset.upperBound <= logits.cols && !subset.isEmpty)
        self.logits = logits
        self.subset = subset
        var probabilities = [Double](repeating: 0, count: logits.rows * subset.count)
        var logSumExp = [Double](repeating: 0, count: logits.rows)
        probabilities.withUnsafeMutableBufferPointer { p in
            logSumExp.withUnsafeMutableBufferPointer { lse in
                var r = 0
                while r < logits.rows {
                    let n = min(Loss.softmaxBlockRows, logits.rows - r)
                    Loss.softmaxBlock(logits, from: r, count: n, subset, p: p.baseAddress! + r * subset.count, lse: lse.baseAddress! + r)
                    r += n
                }
            }
        }
        self.probabilities = probabilities
        self.logSumExp = logSumExp
    }
}
