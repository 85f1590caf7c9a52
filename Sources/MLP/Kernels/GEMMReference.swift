/// The algorithmic reference for `gemm`: a plain triple loop accumulating in Double.
///
/// C[M×N] (= or +=) op(A)[M×K] · op(B)[K×N], followed by the same epilogue as `gemm`.
/// Slow on purpose; the tests compare every fast kernel against it.
public func gemmReference(
    _ a: GEMMOperand, _ b: GEMMOperand,
    into c: UnsafeMutablePointer<Float>, ldc: Int,
    m: Int, n: Int, k: Int,
    accumulate: Bool = false, epilogue: GEMMEpilogue = .none
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += Double(a.element(i, p)) * Double(b.element(p, j)) }
            let prior: Float = accumulate ? c[i * ldc + j] : 0
            c[i * ldc + j] = epilogue.apply(prior + Float(sum), row: i, col: j)
        }
    }
}
