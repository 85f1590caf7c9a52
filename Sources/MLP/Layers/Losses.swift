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
    public static func softmaxCrossEntropy(
        logits: MatrixView, labels: UnsafePointer<UInt8>, labelIndex: UnsafePointer<Int32>?,
        subset: Range<Int>, dLogits: UnsafeMutablePointer<Float>
    ) -> Double {
        let rows = logits.rows, cols = logits.cols
        precondition(subset.lowerBound >= 0 && subset.upperBound <= cols && !subset.isEmpty)
        let scale = 1 / Double(rows)
        var total = 0.0
        var p = [Double](repeating: 0, count: subset.count)
        for b in 0..<rows {
            let z = logits.row(b), d = dLogits + b * cols
            let label = Int(labels[labelIndex.map { Int($0[b]) } ?? b])
            precondition(label < subset.count, "label \(label) outside the \(subset.count) classes")
            let lse = softmax(z, subset, into: &p)
            total += lse - Double(z[subset.lowerBound + label])
            for j in 0..<cols { d[j] = 0 }
            for (o, j) in subset.enumerated() {
                d[j] = Float((p[o] - (o == label ? 1 : 0)) * scale)
            }
        }
        return total * scale
    }

    /// Mean over rows of KL( softmax(t[subset]) ‖ softmax(z[subset]) ), temperature 1.
    /// The gradient with respect to z is softmax(z) − softmax(t) on the subset.
    /// - Parameters:
    ///   - targets: the teacher's logits T [B × C] (its rows may be gathered through an index).
    ///   - logits: the student's logits Z [B × C].
    /// With `sumOverRows`, the loss and its gradient are summed over the rows instead of averaged.
    public static func klDivergence(
        targets: MatrixView, logits: MatrixView, subset: Range<Int>, dLogits: UnsafeMutablePointer<Float>,
        sumOverRows: Bool = false
    ) -> Double {
        let rows = logits.rows, cols = logits.cols
        precondition(targets.rows == rows && targets.cols >= subset.upperBound && subset.upperBound <= cols && !subset.isEmpty)
        let scale = sumOverRows ? 1 : 1 / Double(rows)
        var total = 0.0
        var p = [Double](repeating: 0, count: subset.count)
        var q = [Double](repeating: 0, count: subset.count)
        for b in 0..<rows {
            let z = logits.row(b), t = targets.row(b), d = dLogits + b * cols
            let lseZ = softmax(z, subset, into: &q)
            let lseT = softmax(t, subset, into: &p)
            var kl = 0.0
            for (o, j) in subset.enumerated() where p[o] > 0 {
                // log p − log q = (t − lseT) − (z − lseZ)
                kl += p[o] * ((Double(t[j]) - lseT) - (Double(z[j]) - lseZ))
            }
            total += kl
            for j in 0..<cols { d[j] = 0 }
            for (o, j) in subset.enumerated() { d[j] = Float((q[o] - p[o]) * scale) }
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

    /// Writes softmax(x[subset]) into `p` and returns log Σ exp(x[subset]).
    @inline(__always)
    static func softmax(_ x: UnsafePointer<Float>, _ subset: Range<Int>, into p: inout [Double]) -> Double {
        var m = -Double.infinity
        for j in subset { m = max(m, Double(x[j])) }
        var s = 0.0
        for (o, j) in subset.enumerated() { let e = exp(Double(x[j]) - m); p[o] = e; s += e }
        for o in 0..<p.count { p[o] /= s }
        return m + log(s)
    }
}
