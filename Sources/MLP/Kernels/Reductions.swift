/// out[j] (= or +=) Σ_i x[i, j] for a row-major `rows × cols` matrix: the bias gradient.
/// Accumulates in Float over rows in order (deterministic), SIMD across columns.
public func columnSums(_ x: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int,
                       into out: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
    typealias V = GEMMTiling.Vector
    let w = V.scalarCount
    var j = 0
    while j + w <= cols {
        var s = accumulate ? UnsafeRawPointer(out + j).loadUnaligned(as: V.self) : V()
        for i in 0..<rows { s += UnsafeRawPointer(x + (i &* ld &+ j)).loadUnaligned(as: V.self) }
        UnsafeMutableRawPointer(out + j).storeBytes(of: s, as: V.self)
        j += w
    }
    while j < cols {
        var s: Float = accumulate ? out[j] : 0
        for i in 0..<rows { s += x[i &* ld &+ j] }
        out[j] = s
        j += 1
    }
}

/// Σ x[i]·y[i] accumulated in Double (for diagnostics such as inner products of updates).
public func dotDouble(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Double {
    var s = 0.0
    for i in 0..<count { s += Double(x[i]) * Double(y[i]) }
    return s
}
