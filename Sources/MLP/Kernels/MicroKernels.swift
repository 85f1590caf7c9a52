import CSIMDMath

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

/// The even- and odd-indexed elements of a ++ b (two two-register permutes with AVX-512). One
/// round of it over pairs of vectors rotates the bit index of every element right by one: the
/// building block of the register transposes in `packB` and in the Philox noise fill.
@inline(__always)
func deinterleave(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
    (subliminal_even16(a, b), subliminal_odd16(a, b))
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

#if SUBLIMINAL_AVX512
// Edge kernels for the 512-bit path. A last panel narrower or shorter than the 12 × 32 tile
// would otherwise be computed at full size on zero padding: at our shapes that is 19 of 32
// columns in the 13-wide output layer, half of the last panel of layer 1's weight gradient
// (N = 784 = 24·32 + 16), 8 of 12 rows in the last panel of the hidden layers' weight
// gradients (M = 256 = 21·12 + 4) and of every product over the batch (M = 1024 = 85·12 + 4),
// and 11 of 12 in the output layer's (M = 13 = 12 + 1). Each sums over k in the same order as
// the full tile, so the bits of C do not depend on which kernel computed them.

/// A 12 × 16 tile (one vector per row) from A read with stride `lda` (as `microKernel12`).
/// Writes columns 0..<16 of the tile's 12 rows (leading dimension NR, like the full kernels)
/// and leaves the rest of the buffer as it was.
@inline(never)
func microKernel12x16(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V(), c8 = V(), c9 = V(), c10 = V(), c11 = V()
    var ap = a, bp = b
    for _ in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        fusedMultiplyAdd(&c0, V(repeating: ap[0]), b0); fusedMultiplyAdd(&c1, V(repeating: ap[1]), b0)
        fusedMultiplyAdd(&c2, V(repeating: ap[2]), b0); fusedMultiplyAdd(&c3, V(repeating: ap[3]), b0)
        fusedMultiplyAdd(&c4, V(repeating: ap[4]), b0); fusedMultiplyAdd(&c5, V(repeating: ap[5]), b0)
        fusedMultiplyAdd(&c6, V(repeating: ap[6]), b0); fusedMultiplyAdd(&c7, V(repeating: ap[7]), b0)
        fusedMultiplyAdd(&c8, V(repeating: ap[8]), b0); fusedMultiplyAdd(&c9, V(repeating: ap[9]), b0)
        fusedMultiplyAdd(&c10, V(repeating: ap[10]), b0); fusedMultiplyAdd(&c11, V(repeating: ap[11]), b0)
        ap += lda; bp += ldb
    }
    storeHalfTile(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, tile)
}

/// A 12 × 16 tile from 12 row pointers (as `microKernel12Rows`).
@inline(never)
func microKernel12x16Rows(kc: Int, rows a: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    let a0 = a[0] + kc; let a1 = a[1] + kc; let a2 = a[2] + kc; let a3 = a[3] + kc; let a4 = a[4] + kc; let a5 = a[5] + kc; let a6 = a[6] + kc; let a7 = a[7] + kc; let a8 = a[8] + kc; let a9 = a[9] + kc; let a10 = a[10] + kc; let a11 = a[11] + kc
    var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V(), c8 = V(), c9 = V(), c10 = V(), c11 = V()
    var bp = b
    var p = -kc
    while p != 0 {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        fusedMultiplyAdd(&c0, V(repeating: a0[p]), b0); fusedMultiplyAdd(&c1, V(repeating: a1[p]), b0)
        fusedMultiplyAdd(&c2, V(repeating: a2[p]), b0); fusedMultiplyAdd(&c3, V(repeating: a3[p]), b0)
        fusedMultiplyAdd(&c4, V(repeating: a4[p]), b0); fusedMultiplyAdd(&c5, V(repeating: a5[p]), b0)
        fusedMultiplyAdd(&c6, V(repeating: a6[p]), b0); fusedMultiplyAdd(&c7, V(repeating: a7[p]), b0)
        fusedMultiplyAdd(&c8, V(repeating: a8[p]), b0); fusedMultiplyAdd(&c9, V(repeating: a9[p]), b0)
        fusedMultiplyAdd(&c10, V(repeating: a10[p]), b0); fusedMultiplyAdd(&c11, V(repeating: a11[p]), b0)
        bp += ldb
        p &+= 1
    }
    storeHalfTile(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, tile)
}

@inline(__always)
func storeHalfTile(_ c0: SIMD16<Float>, _ c1: SIMD16<Float>, _ c2: SIMD16<Float>, _ c3: SIMD16<Float>, _ c4: SIMD16<Float>, _ c5: SIMD16<Float>,
                   _ c6: SIMD16<Float>, _ c7: SIMD16<Float>, _ c8: SIMD16<Float>, _ c9: SIMD16<Float>, _ c10: SIMD16<Float>, _ c11: SIMD16<Float>,
                   _ tile: UnsafeMutablePointer<Float>) {
    let t = UnsafeMutableRawPointer(tile), ld = GEMMTiling.nr * 4
    t.storeBytes(of: c0, as: SIMD16<Float>.self); (t + ld).storeBytes(of: c1, as: SIMD16<Float>.self)
    (t + 2 * ld).storeBytes(of: c2, as: SIMD16<Float>.self); (t + 3 * ld).storeBytes(of: c3, as: SIMD16<Float>.self)
    (t + 4 * ld).storeBytes(of: c4, as: SIMD16<Float>.self); (t + 5 * ld).storeBytes(of: c5, as: SIMD16<Float>.self)
    (t + 6 * ld).storeBytes(of: c6, as: SIMD16<Float>.self); (t + 7 * ld).storeBytes(of: c7, as: SIMD16<Float>.self)
    (t + 8 * ld).storeBytes(of: c8, as: SIMD16<Float>.self); (t + 9 * ld).storeBytes(of: c9, as: SIMD16<Float>.self)
    (t + 10 * ld).storeBytes(of: c10, as: SIMD16<Float>.self); (t + 11 * ld).storeBytes(of: c11, as: SIMD16<Float>.self)
}

/// A 13 × 32 tile from A read with stride `lda` (its first 13 values per step): the 12-row tile
/// and one row more, for a last strip of 13 rows (the output layer's weight gradient, M = 13),
/// which would otherwise take a 12-row pass and a second, 4-row pass over the same B panels for
/// one row (the 4-row kernel costs a third of the 12-row one). 26 accumulators, two B vectors
/// and one broadcast: 29 of the 32 zmm registers.
@inline(never)
func microKernel13(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(); var c10 = V(), c11 = V(); var c20 = V(), c21 = V(); var c30 = V(), c31 = V(); var c40 = V(), c41 = V(); var c50 = V(), c51 = V(); var c60 = V(), c61 = V(); var c70 = V(), c71 = V(); var c80 = V(), c81 = V(); var c90 = V(), c91 = V(); var c100 = V(), c101 = V(); var c110 = V(), c111 = V(); var c120 = V(), c121 = V()
    var ap = a, bp = b
    for _ in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + 16).loadUnaligned(as: V.self)
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
        do { let x = V(repeating: ap[12]); fusedMultiplyAdd(&c120, x, b0); fusedMultiplyAdd(&c121, x, b1) }
        ap += lda; bp += ldb
    }
    let ld = GEMMTiling.nr
    store(c00, c01, at: tile + 0 * ld); store(c10, c11, at: tile + 1 * ld); store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld); store(c40, c41, at: tile + 4 * ld); store(c50, c51, at: tile + 5 * ld)
    store(c60, c61, at: tile + 6 * ld); store(c70, c71, at: tile + 7 * ld); store(c80, c81, at: tile + 8 * ld)
    store(c90, c91, at: tile + 9 * ld); store(c100, c101, at: tile + 10 * ld); store(c110, c111, at: tile + 11 * ld)
    store(c120, c121, at: tile + 12 * ld)
}

/// A 4 × 32 tile from A read with stride `lda` (its first 4 values per step): for a last panel
/// of at most 4 rows.
@inline(never)
func microKernel4(kc: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var ap = a, bp = b
    for _ in 0..<kc {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + 16).loadUnaligned(as: V.self)
        do { let x = V(repeating: ap[0]); fusedMultiplyAdd(&c00, x, b0); fusedMultiplyAdd(&c01, x, b1) }
        do { let x = V(repeating: ap[1]); fusedMultiplyAdd(&c10, x, b0); fusedMultiplyAdd(&c11, x, b1) }
        do { let x = V(repeating: ap[2]); fusedMultiplyAdd(&c20, x, b0); fusedMultiplyAdd(&c21, x, b1) }
        do { let x = V(repeating: ap[3]); fusedMultiplyAdd(&c30, x, b0); fusedMultiplyAdd(&c31, x, b1) }
        ap += lda; bp += ldb
    }
    let ld = GEMMTiling.nr
    store(c00, c01, at: tile)
    store(c10, c11, at: tile + ld)
    store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld)
}

/// A 4 × 32 tile from the first 4 of 12 row pointers: for the last strip of a plain A with at
/// most 4 rows (M = 1024 = 85·12 + 4 in the forward passes and the input gradient).
@inline(never)
func microKernel4Rows(kc: Int, rows a: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>, ldb: Int, tile: UnsafeMutablePointer<Float>) {
    typealias V = SIMD16<Float>
    let a0 = a[0] + kc, a1 = a[1] + kc, a2 = a[2] + kc, a3 = a[3] + kc
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
    var bp = b
    var p = -kc
    while p != 0 {
        let b0 = UnsafeRawPointer(bp).loadUnaligned(as: V.self)
        let b1 = UnsafeRawPointer(bp + 16).loadUnaligned(as: V.self)
        do { let x = V(repeating: a0[p]); fusedMultiplyAdd(&c00, x, b0); fusedMultiplyAdd(&c01, x, b1) }
        do { let x = V(repeating: a1[p]); fusedMultiplyAdd(&c10, x, b0); fusedMultiplyAdd(&c11, x, b1) }
        do { let x = V(repeating: a2[p]); fusedMultiplyAdd(&c20, x, b0); fusedMultiplyAdd(&c21, x, b1) }
        do { let x = V(repeating: a3[p]); fusedMultiplyAdd(&c30, x, b0); fusedMultiplyAdd(&c31, x, b1) }
        bp += ldb
        p &+= 1
    }
    let ld = GEMMTiling.nr
    store(c00, c01, at: tile)
    store(c10, c11, at: tile + ld)
    store(c20, c21, at: tile + 2 * ld)
    store(c30, c31, at: tile + 3 * ld)
}
#endif
