// The micro-kernels are written out row by row (rather than looping over an array of
// accumulators) so that every accumulator is a named value the compiler keeps in a register.

/// c += a · b, fused when the target has FMA. Without FMA, `addProduct` would call libm's
/// `fmaf` once per lane, which is two orders of magnitude slower than a multiply and an add.
@inlinable @inline(__always)
public func fusedMultiplyAdd<V: SIMD>(_ c: inout V, _ a: V, _ b: V) where V.Scalar == Float {
    #if SUBLIMINAL_FMA
    c.addProduct(a, b)
    #else
    c += a * b
    #endif
}

/// The register-tiled inner kernel: a 12 × 2·V.scalarCount tile of C accumulated over `kc`
/// steps of packed A (`12` floats per step) and packed B (`2·V.scalarCount` floats per step).
/// Writes the raw sums to `tile` (row-major, leading dimension `2·V.scalarCount`).
@inline(__always)
func microKernel12(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = GEMMTiling.Vector
    let w = V.scalarCount
    var c00 = V(), c01 = V(); var c10 = V(), c11 = V(); var c20 = V(), c21 = V(); var c30 = V(), c31 = V(); var c40 = V(), c41 = V(); var c50 = V(), c51 = V(); var c60 = V(), c61 = V(); var c70 = V(), c71 = V(); var c80 = V(), c81 = V(); var c90 = V(), c91 = V(); var c100 = V(), c101 = V(); var c110 = V(), c111 = V()
    var ap = a, bp = b
    let ld = 2 * w
    for _ in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + w).loadUnaligned(as: V.self)
        do { let x = V(repeating: ap[0]); fusedMultiplyAdd(&c00, x, b0); fusedMultiplyAdd(&c01, x, b1) }
        do { let x = V(repeating: ap[1]); fusedMultiplyAdd(&c10, x, b0); fusedMultiplyAdd(&c11, x, b1) }
        do { let x = V(repeating: ap[2]); fusedMultiplyAdd(&c20, x, b0); fusedMultiplyAdd(&c21, x, b1) }
        do { let x = V(repeating: ap[3]); fusedMultiplyAdd(&c30, x, b0); fusedMultiplyAdd(&c31, x, b1) }
        do { let x = V(repeating: ap[4]); fusedMultiplyAdd(&c40, x, b0); fusedMultiplyAdd(&c41, x, b1) }
        do { let x = V(repeating: ap[5]); fusedMultiplyAdd(&c50, x, b0); fusedMultiplyAdd(&c51, x, b1) }
        do { let x = V(repeating: ap[6]); fusedMultiplyAdd(&c60, x, b0); fusedMultiplyAdd(&c61, x, b1) }
        do { let x = V(repeating: ap[7]); fusedMultiplyAdd(&c70, x, b0); fusedMultiplyAdd(&c71, x, b1) }
        do { let x = V(repeating: ap[8]); fusedMultiplyAdd(&c80, x, b0); fusedMultiplyAdd(&c81, x, b1) }
        do { let x = V(repeating: ap[9]); fusedMultiplyAdd(&c90, x, b0); fusedMultiplyAdd(&c91, x, b1) }
        do { let x = V(repeating: ap[10]); fusedMultiplyAdd(&c100, x, b0); fusedMultiplyAdd(&c101, x, b1) }
        do { let x = V(repeating: ap[11]); fusedMultiplyAdd(&c110, x, b0); fusedMultiplyAdd(&c111, x, b1) }
        ap += lda; bp += ldb
    }
    store(c00, c01, at: tile + 0 * ld)
    store(c10, c11, at: tile + 1 * ld)
    store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld)
    store(c40, c41, at: tile + 4 * ld)
    store(c50, c51, at: tile + 5 * ld)
    store(c60, c61, at: tile + 6 * ld)
    store(c70, c71, at: tile + 7 * ld)
    store(c80, c81, at: tile + 8 * ld)
    store(c90, c91, at: tile + 9 * ld)
    store(c100, c101, at: tile + 10 * ld)
    store(c110, c111, at: tile + 11 * ld)
}
/// The register-tiled inner kernel: a 6 × 2·V.scalarCount tile of C accumulated over `kc`
/// steps of packed A (`6` floats per step) and packed B (`2·V.scalarCount` floats per step).
/// Writes the raw sums to `tile` (row-major, leading dimension `2·V.scalarCount`).
@inline(__always)
func microKernel6(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = GEMMTiling.Vector
    let w = V.scalarCount
    var c00 = V(), c01 = V(); var c10 = V(), c11 = V(); var c20 = V(), c21 = V(); var c30 = V(), c31 = V(); var c40 = V(), c41 = V(); var c50 = V(), c51 = V()
    var ap = a, bp = b
    let ld = 2 * w
    for _ in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + w).loadUnaligned(as: V.self)
        do { let x = V(repeating: ap[0]); fusedMultiplyAdd(&c00, x, b0); fusedMultiplyAdd(&c01, x, b1) }
        do { let x = V(repeating: ap[1]); fusedMultiplyAdd(&c10, x, b0); fusedMultiplyAdd(&c11, x, b1) }
        do { let x = V(repeating: ap[2]); fusedMultiplyAdd(&c20, x, b0); fusedMultiplyAdd(&c21, x, b1) }
        do { let x = V(repeating: ap[3]); fusedMultiplyAdd(&c30, x, b0); fusedMultiplyAdd(&c31, x, b1) }
        do { let x = V(repeating: ap[4]); fusedMultiplyAdd(&c40, x, b0); fusedMultiplyAdd(&c41, x, b1) }
        do { let x = V(repeating: ap[5]); fusedMultiplyAdd(&c50, x, b0); fusedMultiplyAdd(&c51, x, b1) }
        ap += lda; bp += ldb
    }
    store(c00, c01, at: tile + 0 * ld)
    store(c10, c11, at: tile + 1 * ld)
    store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld)
    store(c40, c41, at: tile + 4 * ld)
    store(c50, c51, at: tile + 5 * ld)
}

@inline(__always)
func store<V: SIMD>(_ lo: V, _ hi: V, at p: UnsafeMutablePointer<Float>) where V.Scalar == Float {
    UnsafeMutableRawPointer(p).storeBytes(of: lo, as: V.self)
    UnsafeMutableRawPointer(p + V.scalarCount).storeBytes(of: hi, as: V.self)
}

/// The same 12-row register tile as `microKernel12`, reading A straight from 12 row
/// pointers (k contiguous in each) instead of from a packed panel: for a plain (untransposed)
/// A, this saves the packing pass, which interleaves rows and cannot be vectorized cheaply.
@inline(__always)
func microKernel12Rows(kc: Int, rows a: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = GEMMTiling.Vector
    let w = V.scalarCount
    let a0 = a[0]; let a1 = a[1]; let a2 = a[2]; let a3 = a[3]; let a4 = a[4]; let a5 = a[5]; let a6 = a[6]; let a7 = a[7]; let a8 = a[8]; let a9 = a[9]; let a10 = a[10]; let a11 = a[11]
    var c00 = V(), c01 = V(); var c10 = V(), c11 = V(); var c20 = V(), c21 = V(); var c30 = V(), c31 = V(); var c40 = V(), c41 = V(); var c50 = V(), c51 = V(); var c60 = V(), c61 = V(); var c70 = V(), c71 = V(); var c80 = V(), c81 = V(); var c90 = V(), c91 = V(); var c100 = V(), c101 = V(); var c110 = V(), c111 = V()
    var bp = b
    let ld = 2 * w
    for p in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + w).loadUnaligned(as: V.self)
        do { let x = V(repeating: a0[p]); fusedMultiplyAdd(&c00, x, b0); fusedMultiplyAdd(&c01, x, b1) }
        do { let x = V(repeating: a1[p]); fusedMultiplyAdd(&c10, x, b0); fusedMultiplyAdd(&c11, x, b1) }
        do { let x = V(repeating: a2[p]); fusedMultiplyAdd(&c20, x, b0); fusedMultiplyAdd(&c21, x, b1) }
        do { let x = V(repeating: a3[p]); fusedMultiplyAdd(&c30, x, b0); fusedMultiplyAdd(&c31, x, b1) }
        do { let x = V(repeating: a4[p]); fusedMultiplyAdd(&c40, x, b0); fusedMultiplyAdd(&c41, x, b1) }
        do { let x = V(repeating: a5[p]); fusedMultiplyAdd(&c50, x, b0); fusedMultiplyAdd(&c51, x, b1) }
        do { let x = V(repeating: a6[p]); fusedMultiplyAdd(&c60, x, b0); fusedMultiplyAdd(&c61, x, b1) }
        do { let x = V(repeating: a7[p]); fusedMultiplyAdd(&c70, x, b0); fusedMultiplyAdd(&c71, x, b1) }
        do { let x = V(repeating: a8[p]); fusedMultiplyAdd(&c80, x, b0); fusedMultiplyAdd(&c81, x, b1) }
        do { let x = V(repeating: a9[p]); fusedMultiplyAdd(&c90, x, b0); fusedMultiplyAdd(&c91, x, b1) }
        do { let x = V(repeating: a10[p]); fusedMultiplyAdd(&c100, x, b0); fusedMultiplyAdd(&c101, x, b1) }
        do { let x = V(repeating: a11[p]); fusedMultiplyAdd(&c110, x, b0); fusedMultiplyAdd(&c111, x, b1) }
        bp += ldb
    }
    store(c00, c01, at: tile + 0 * ld)
    store(c10, c11, at: tile + 1 * ld)
    store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld)
    store(c40, c41, at: tile + 4 * ld)
    store(c50, c51, at: tile + 5 * ld)
    store(c60, c61, at: tile + 6 * ld)
    store(c70, c71, at: tile + 7 * ld)
    store(c80, c81, at: tile + 8 * ld)
    store(c90, c91, at: tile + 9 * ld)
    store(c100, c101, at: tile + 10 * ld)
    store(c110, c111, at: tile + 11 * ld)
}

/// The same 6-row register tile as `microKernel6`, reading A straight from 6 row
/// pointers (k contiguous in each) instead of from a packed panel: for a plain (untransposed)
/// A, this saves the packing pass, which interleaves rows and cannot be vectorized cheaply.
@inline(__always)
func microKernel6Rows(kc: Int, rows a: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = GEMMTiling.Vector
    let w = V.scalarCount
    let a0 = a[0]; let a1 = a[1]; let a2 = a[2]; let a3 = a[3]; let a4 = a[4]; let a5 = a[5]
    var c00 = V(), c01 = V(); var c10 = V(), c11 = V(); var c20 = V(), c21 = V(); var c30 = V(), c31 = V(); var c40 = V(), c41 = V(); var c50 = V(), c51 = V()
    var bp = b
    let ld = 2 * w
    for p in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + w).loadUnaligned(as: V.self)
        do { let x = V(repeating: a0[p]); fusedMultiplyAdd(&c00, x, b0); fusedMultiplyAdd(&c01, x, b1) }
        do { let x = V(repeating: a1[p]); fusedMultiplyAdd(&c10, x, b0); fusedMultiplyAdd(&c11, x, b1) }
        do { let x = V(repeating: a2[p]); fusedMultiplyAdd(&c20, x, b0); fusedMultiplyAdd(&c21, x, b1) }
        do { let x = V(repeating: a3[p]); fusedMultiplyAdd(&c30, x, b0); fusedMultiplyAdd(&c31, x, b1) }
        do { let x = V(repeating: a4[p]); fusedMultiplyAdd(&c40, x, b0); fusedMultiplyAdd(&c41, x, b1) }
        do { let x = V(repeating: a5[p]); fusedMultiplyAdd(&c50, x, b0); fusedMultiplyAdd(&c51, x, b1) }
        bp += ldb
    }
    store(c00, c01, at: tile + 0 * ld)
    store(c10, c11, at: tile + 1 * ld)
    store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld)
    store(c40, c41, at: tile + 4 * ld)
    store(c50, c51, at: tile + 5 * ld)
}
