/// out[j] (= or +=) Σ_i x[i, j] for a row-major `rows × cols` matrix: the bias gradient.
/// Accumulates in Float over rows in order (deterministic), SIMD across columns. Every column
/// is one chain of additions in row order; four vectors of columns (and all the scalar tail
/// columns) are summed side by side, so that the chains overlap instead of each waiting out
/// the latency of its previous addition.
public func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                       into out: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
    typealias V = GEMMTiling.Vector
    let w = V.scalarCount
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func start(_ j: Int) -> V { accumulate ? load(out + j) : V() }
    var j = 0
    while j + 4 * w <= cols {
        var s0 = start(j), s1 = start(j + w), s2 = start(j + 2 * w), s3 = start(j + 3 * w)
        for i in 0..<rows {
            let row = x + (i &* ld &+ j)
            s0 += load(row); s1 += load(row + w); s2 += load(row + 2 * w); s3 += load(row + 3 * w)
        }
        UnsafeMutableRawPointer(out + j).storeBytes(of: s0, as: V.self)
        UnsafeMutableRawPointer(out + j + w).storeBytes(of: s1, as: V.self)
        UnsafeMutableRawPointer(out + j + 2 * w).storeBytes(of: s2, as: V.self)
        UnsafeMutableRawPointer(out + j + 3 * w).storeBytes(of: s3, as: V.self)
        j += 4 * w
    }
    while j + w <= cols {
        var s = start(j)
        for i in 0..<rows { s += load(x + (i &* ld &+ j)) }
        UnsafeMutableRawPointer(out + j).storeBytes(of: s, as: V.self)
        j += w
    }
    if j < cols {
        let tail = cols - j
        if !accumulate { for c in 0..<tail { out[j + c] = 0 } }
        for i in 0..<rows {
            let row = x + (i &* ld &+ j)
            for c in 0..<tail { out[j + c] += row[c] }
        }
    }
}

/// Σ x[i]·y[i] accumulated in Double (for diagnostics such as inner products of updates).
public func dotDouble(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(x[i]) * Double(y[i]) }
    return s
}
