/// One operand of a GEMM: a stored matrix, used as is or transposed.
///
/// `view` describes the matrix as stored (row-major, possibly row-gathered). With
/// `transposed == false` the logical operand is `view`; with `true` it is `viewᵀ`.
public struct GEMMOperand: @unchecked Sendable {
    public let view: MatrixView
    public let transposed: Bool

    public init(_ view: MatrixView, transposed: Bool = false) {
        self.view = view
        self.transposed = transposed
    }

    /// Logical shape (rows × cols) of op(view).
    public var rows: Int { transposed ? view.cols : view.rows }
    public var cols: Int { transposed ? view.rows : view.cols }

    /// Logical element (i, j) of op(view).
    @inlinable public func element(_ i: Int, _ j: Int) -> Float {
        transposed ? view[j, i] : view[i, j]
    }
}

/// What happens to each output element once the full K sum is known. Fusing these into the
/// GEMM saves a pass over the output, which at our shapes costs as much as a few percent of
/// the multiply itself.
public enum GEMMEpilogue: @unchecked Sendable {
    /// C = sum.
    case none
    /// C = sum + bias[col].
    case bias(UnsafePointer<Float>)
    /// C = max(0, sum + bias[col]): a Linear layer followed by ReLU.
    case biasReLU(UnsafePointer<Float>)
    /// C = mask[row, col] > 0 ? sum : 0, with `mask` row-major of leading dimension `ld`:
    /// the backward pass of ReLU, given the ReLU's output.
    case reluMask(UnsafePointer<Float>, ld: Int)

    @inlinable @inline(__always)
    func apply(_ x: Float, row: Int, col: Int) -> Float {
        switch self {
        case .none: return x
        case .bias(let b): return x + b[col]
        // As the vector merge computes them: NaN passes through ReLU (as in PyTorch), and a
        // NaN mask keeps the gradient; finite values are the same either way.
        case .biasReLU(let b): let v = x + b[col]; return v < 0 ? 0 : v
        case .reluMask(let h, let ld): return h[row &* ld &+ col] <= 0 ? 0 : x
        }
    }
}
