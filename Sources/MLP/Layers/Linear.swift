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
        precondition(dx == nil || x.rowIndex == nil || !inputIsReLUOutput, "Linear.backward: a ReLU mask cannot be gathered")
        backwardShare(dy: dy, x: x, weight: weight, outFeatures: outFeatures, dWeight: dWeight, dBias: dBias, dx: dx,
                      inputIsReLUOutput: inputIsReLUOutput, accumulate: accumulate,
                      columns: 0..<x.cols, entries: 0..<outFeatures, rows: 0..<x.rows, workspace: workspace)
    }

    /// The part of `backward` that writes dW's `columns`, db's `entries` and dX's `rows` (all of
    /// them on one thread; a member's share on a team). Each output element is the same sum in
    /// the same order whatever the share.
    static func backwardShare(
        dy: UnsafePointer<Float>, x: MatrixView, weight: UnsafePointer<Float>, outFeatures: Int,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, inputIsReLUOutput: Bool, accumulate: Bool,
        columns: Range<Int>, entries: Range<Int>, rows: Range<Int>, workspace: GEMMWorkspace
    ) {
        let batch = x.rows, inFeatures = x.cols
        let dyView = MatrixView(dy, rows: batch, cols: outFeatures, ld: outFeatures)
        if !columns.isEmpty {
            gemm(GEMMOperand(dyView, transposed: true), GEMMOperand(x.columns(columns)), into: dWeight + columns.lowerBound,
                 ldc: inFeatures, accumulate: accumulate, workspace: workspace)
        }
        if !entries.isEmpty {
            columnSums(dy + entries.lowerBound, rows: batch, cols: entries.count, ld: outFeatures,
                       into: dBias + entries.lowerBound, accumulate: accumulate)
        }
        if let dx, !rows.isEmpty {
            let w = MatrixView(weight, rows: outFeatures, cols: inFeatures, ld: inFeatures)
            gemm(GEMMOperand(dyView.rows(rows)), GEMMOperand(w), into: dx + rows.lowerBound * inFeatures, ldc: inFeatures,
                 epilogue: inputIsReLUOutput ? .reluMask(x.base + rows.lowerBound * x.ld, ld: x.ld) : .none, workspace: workspace)
        }
    }
}

/// The same layer with each pass split among the members of a thread team. A member computes
/// whole rows or whole columns of each output, with the single-thread functions above on its
/// share, so that every element is the same sum in the same order: the bits of the results do
/// not depend on the team's size. `workspaces[t]` is member t's GEMM scratch.
extension Linear {
    /// Forward on `team`: member t computes a block of Y's rows (MR-aligned, so that no member
    /// gets an extra edge strip).
    public static func forward(
        x: MatrixView, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        outFeatures: Int, relu: Bool, y: UnsafeMutablePointer<Float>,
        team: ThreadTeam, workspaces: [GEMMWorkspace]
    ) {
        team.run { t in
            let rows = team.part(t, of: x.rows, alignment: GEMMTiling.mr)
            if rows.isEmpty { return }
            forward(x: x.rows(rows), weight: weight, bias: bias, outFeatures: outFeatures, relu: relu,
                    y: y + rows.lowerBound * outFeatures, workspace: workspaces[t])
        }
    }

    /// Backward on `team`: member t computes a block of dW's columns (NR-aligned; the batch sum
    /// of each column is independent of the others), a block of db's entries, and a block of
    /// dX's rows.
    public static func backward(
        dy: UnsafePointer<Float>, x: MatrixView, weight: UnsafePointer<Float>, outFeatures: Int,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, inputIsReLUOutput: Bool,
        accumulate: Bool = false, team: ThreadTeam, workspaces: [GEMMWorkspace]
    ) {
        precondition(dx == nil || x.rowIndex == nil || !inputIsReLUOutput, "Linear.backward: a ReLU mask cannot be gathered")
        team.run { t in
            backwardShare(dy: dy, x: x, weight: weight, outFeatures: outFeatures, dWeight: dWeight, dBias: dBias, dx: dx,
                          inputIsReLUOutput: inputIsReLUOutput, accumulate: accumulate,
                          columns: team.part(t, of: x.cols, alignment: GEMMTiling.nr),
                          entries: team.part(t, of: outFeatures, alignment: GEMMTiling.Vector.scalarCount),
                          rows: team.part(t, of: x.rows, alignment: GEMMTiling.mr), workspace: workspaces[t])
        }
    }
}
