/// A fully connected layer, y = x·Wᵀ + b, with W stored row-major as [out × in] (PyTorch's
/// layout) and b as [out]. Forward and backward are plain functions over raw memory; the
/// shapes are in the comments, the caller owns every buffer.
public enum Linear {
    /// Forward: Y[B×out] = X[B×in] · Wᵀ + b, then ReLU if `relu`.
    /// - Parameters:
    ///   - x: the input, [B × in] (may gather its rows through an index).
    ///   - weight: W, [out × in], leading dimension `in`.
    ///   - bias: b, [out].
    ///   - y: the output, [B × out], leading dimension `out`.
    public static func forward(
        x: MatrixView, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        outFeatures: Int, relu: Bool, y: UnsafeMutablePointer<Float>, workspace: GEMMWorkspace
    ) {
        let w = MatrixView(weight, rows: outFeatures, cols: x.cols, ld: x.cols)
        gemm(GEMMOperand(x), GEMMOperand(w, transposed: true), into: y, ldc: outFeatures,
             epilogue: relu ? .biasReLU(bias) : .bias(bias), workspace: workspace)
    }

    /// Backward, given dY[B×out]:
    ///   dW[out×in] = dYᵀ · X        (written, or added to with `accumulate`)
    ///   db[out]    = Σ_rows dY
    ///   dX[B×in]   = dY · W, masked by `inputReLU` (X > 0) when X is the output of a ReLU.
    /// Pass `dx: nil` for the first layer: nothing needs the gradient of the data.
    public static func backward(
        dy: UnsafePointer<Float>, x: MatrixView, weight: UnsafePointer<Float>, outFeatures: Int,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, inputIsReLUOutput: Bool,
        accumulate: Bool = false, workspace: GEMMWorkspace
    ) {
        let batch = x.rows, inFeatures = x.cols
        let dyView = MatrixView(dy, rows: batch, cols: outFeatures, ld: outFeatures)
        gemm(GEMMOperand(dyView, transposed: true), GEMMOperand(x), into: dWeight, ldc: inFeatures,
             accumulate: accumulate, workspace: workspace)
        columnSums(dy, rows: batch, cols: outFeatures, ld: outFeatures, into: dBias, accumulate: accumulate)
        if let dx {
            precondition(x.rowIndex == nil || !inputIsReLUOutput, "Linear.backward: a ReLU mask cannot be gathered")
            let w = MatrixView(weight, rows: outFeatures, cols: inFeatures, ld: inFeatures)
            gemm(GEMMOperand(dyView), GEMMOperand(w), into: dx, ldc: inFeatures,
                 epilogue: inputIsReLUOutput ? .reluMask(x.base, ld: x.ld) : .none, workspace: workspace)
        }
    }
}
