import CSIMDMath

/// Single-precision matrix multiply, C[M×N] (= or +=) op(A)[M×K] · op(B)[K×N], then an epilogue.
///
/// The structure is the classic Goto/BLIS one:
///
///     for each N block (nc ≤ ncMax)               its packed B and C slice stay in L2
///      for each K block (kc)                      split K into near-equal blocks ≤ kcMax
///       pack op(B)[kc × nc] into NR-wide panels   (when it cannot be read in place)
///       for each MR-row panel of op(A)            (stays in L1 across the B panels)
///         for each NR panel of B                  (streams from L2)
///           micro-kernel: MR×NR register tile += A panel · B panel (a narrower or
///           shorter edge kernel for a last panel of ≤ 16 columns or ≤ 4 rows, a
///           13-row one for a last strip of MR + 1 rows of a transposed A)
///           merge the tile into C (first K block stores, later ones add; the last one
///           applies the epilogue)
///
/// Operands are read in place wherever their layout allows: a plain A through MR row pointers
/// (k contiguous in each), a transposed A through one pointer with stride lda (its MR values at
/// step k are contiguous in row k of the stored matrix), a plain, contiguous B panel by panel
/// with stride ldb (each row holds the panel's NR columns), strides up to inPlaceStrideMax.
/// The rest is packed: a transposed B (Wᵀ in the forward pass), a row-gathered B (the
/// minibatch in layer 1's weight gradient), a row-gathered or widely strided transposed A, and
/// every last partial panel, zero-padded, so that no read runs past an operand's end. Every
/// element of C is summed over k in the same order whatever the blocking of M and N, whichever
/// operand is packed and whichever kernel computed it, so only kcMax affects the bits of a
/// result. The three products a Linear layer needs are all this one function:
///
///     forward         Y  = X · Wᵀ        gemm(A: X,          B: W transposed)
///     weight grad     dW = dYᵀ · X       gemm(A: dY transposed, B: X)
///     input grad      dX = dY · W        gemm(A: dY,         B: W)
public func gemm(
    _ a: GEMMOperand, _ b: GEMMOperand,
    into c: UnsafeMutablePointer<Float>, ldc: Int,
    accumulate: Bool = false, epilogue: GEMMEpilogue = .none,
    workspace: GEMMWorkspace
) {
    let m = a.rows, k = a.cols, n = b.cols
    precondition(b.rows == k, "gemm: inner dimensions differ (\(a.rows)×\(a.cols) · \(b.rows)×\(b.cols))")
    precondition(ldc >= n, "gemm: ldc \(ldc) < N \(n)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        // An empty sum: C is the epilogue applied to C (accumulate) or to zero.
        for i in 0..<m {
            for j in 0..<n { c[i * ldc + j] = epilogue.apply(accumulate ? c[i * ldc + j] : 0, row: i, col: j) }
        }
        return
    }
    let kBlocks = (k + GEMMTiling.kcMax - 1) / GEMMTiling.kcMax
    let kc = (k + kBlocks - 1) / kBlocks
    let mr = GEMMTiling.mr, nr = GEMMTiling.nr
    let ncMax = GEMMTiling.ncMax
    workspace.reserve(packedA: a.transposed ? GEMMTiling.mcMax * kc : 0, packedB: ((min(n, ncMax) + nr - 1) / nr) * nr * kc)
    let packedBlock = workspace.packedA, packedB = workspace.packedB, tile = workspace.tile

    var j0 = 0
    while j0 < n {
        // One block of columns: its packed B (kc × nb) and its slice of C stay in L2.
        let nb = min(ncMax, n - j0)
        let nPanels = (nb + nr - 1) / nr
        var p0 = 0
        while p0 < k {
            let kb = min(kc, k - p0)
            let first = p0 == 0, last = p0 + kb == k
            // A plain, contiguous B (an activation, or W in dY · W) already holds each panel's
            // NR columns contiguously in every row: its full panels are read in place with
            // stride ldb, and only a last partial panel is packed (zero-padded).
            let bInPlace = !b.transposed && b.view.rowIndex == nil && b.view.ld <= GEMMTiling.inPlaceStrideMax
            let fullPanels = bInPlace ? nb / nr : 0
            if fullPanels < nPanels {
                packB(b, rows: p0..<(p0 + kb), cols: (j0 + fullPanels * nr)..<(j0 + nb), into: packedB)
            }
            let ldb = b.view.ld
            // A gathered B is a minibatch: rows at random in a large matrix, most of them in
            // DRAM. While this block computes, its rows for the next block are fetched a few
            // lines per micro-kernel call (measured on layer 1's weight gradient with a fresh
            // minibatch each time: about 2.00 -> 1.90 ms).
            var ahead: GatherPrefetch? = nil
            if b.view.rowIndex != nil && !b.transposed {
                let (nj, np) = p0 + kb < k ? (j0, p0 + kb) : (j0 + nb, 0)
                if nj < n {
                    // As many calls as the strips below: a last strip of MR + 1 rows of a
                    // transposed A read in place is one strip (the 13-row kernel).
                    let inPlaceA = a.transposed && a.view.rowIndex == nil && a.view.ld <= GEMMTiling.inPlaceStrideMax
                    let merged = inPlaceA && GEMMTiling.endsInThirteenRowStrip(m)
                    let calls = ((m + mr - 1) / mr - (merged ? 1 : 0)) * nPanels
                    ahead = GatherPrefetch(view: b.view, rows: np..<min(k, np + kc), cols: nj..<min(n, nj + ncMax), calls: calls)
                }
            }
            // B panel jp of this block, and its stride.
            @inline(__always) func bPanel(_ jp: Int) -> (UnsafePointer<Float>, Int) {
                jp < fullPanels ? (b.view.base + p0 * ldb + j0 + jp * nr, ldb) : (UnsafePointer(packedB) + (jp - fullPanels) * nr * kb, nr)
            }
            if a.transposed && a.view.rowIndex == nil && a.view.ld <= GEMMTiling.inPlaceStrideMax {
                // op(A) = Aᵀ with A stored row-major (the weight gradients' dYᵀ): op(A)[i + r, k]
                // = A[k, i + r], so the MR values the micro-kernel broadcasts at step k are
                // contiguous in row k of A, and an MR-row panel is read in place with stride
                // lda: no packing pass. Only a last partial panel is packed (zero-padded), so
                // that no read runs past the end of A.
                let lda = a.view.ld
                var i = 0
                while i < m {
                    // A last strip of MR + 1 rows is one strip for the 13-row kernel (its 13 values
                    // per step are still inside row k of A), not a full strip and a 1-row one.
                    let h = GEMMTiling.endsInThirteenRowStrip(m) && m - i == mr + 1 ? mr + 1 : min(mr, m - i)
                    let aPanel: UnsafePointer<Float>, aStride: Int
                    if h >= mr {
                        aPanel = a.view.base + p0 * lda + i; aStride = lda
                    } else {
                        packA(a, rows: i..<m, depth: p0..<(p0 + kb), into: packedBlock)
                        aPanel = UnsafePointer(packedBlock); aStride = mr
                    }
                    for jp in 0..<nPanels {
                        let j = j0 + jp * nr
                        let (bp, bs) = bPanel(jp)
                        prefetchTile(c, ldc: ldc, row: i, col: j, rows: h, cols: min(nr, n - j))
                        ahead?.next()
                        runMicroKernel(kc: kb, a: aPanel, lda: aStride, b: bp, ldb: bs, tile: tile, height: h, cols: min(nr, n - j))
                        mergeTile(tile, into: c, ldc: ldc, row: i, col: j, rows: h, cols: min(nr, n - j),
                                  accumulate: accumulate || !first, epilogue: last ? epilogue : .none)
                    }
                    i += h
                }
            } else if a.transposed {
                var i0 = 0
                while i0 < m {
                    let mb = min(GEMMTiling.mcMax, m - i0)
                    // A row-gathered transposed A, or one whose rows lie too far apart to be
                    // read in place (hidden widths above 512): packed, MC rows at a time.
                    let packedA = packedBlock
                    packA(a, rows: i0..<(i0 + mb), depth: p0..<(p0 + kb), into: packedA)
                    let mPanels = (mb + mr - 1) / mr
                    // Each A panel (MR × kb) stays in L1 while the B panels stream from L2:
                    // the A panel is the smaller of the two (12 × 256 floats against 256 × 32),
                    // and keeping the larger one in L1 instead leaves no room for the other.
                    for ip in 0..<mPanels {
                        let i = i0 + ip * mr
                        let aPanel = packedA + ip * mr * kb
                        for jp in 0..<nPanels {
                            let j = j0 + jp * nr
                            let (bp, bs) = bPanel(jp)
                            prefetchTile(c, ldc: ldc, row: i, col: j, rows: min(mr, m - i), cols: min(nr, n - j))
                            ahead?.next()
                            runMicroKernel(kc: kb, a: aPanel, b: bp, ldb: bs, tile: tile, height: min(mr, m - i), cols: min(nr, n - j))
                            mergeTile(tile, into: c, ldc: ldc, row: i, col: j,
                                      rows: min(mr, m - i), cols: min(nr, n - j),
                                      accumulate: accumulate || !first, epilogue: last ? epilogue : .none)
                        }
                    }
                    i0 += mb
                }
            } else {
                // Plain A: no packing. Each MR-row strip of A (MR × kb floats) stays in L1
                // while the B panels stream through from L2.
                let rowPointers = workspace.rowPointers
                var i = 0
                while i < m {
                    let h = min(mr, m - i)
                    for r in 0..<mr { rowPointers[r] = r < h ? a.view.row(i + r) + p0 : zeroRow(kb) }
                    if a.view.rowIndex != nil && i + mr < m {
                        // A gathered A is a minibatch: random rows of a large matrix, whose first
                        // reads no hardware prefetcher predicts. Ask for the next strip's rows
                        // now; they arrive while this strip computes (measured: layer 1's forward
                        // ~4% faster on MNIST-sized data).
                        let next = min(mr, m - i - mr)
                        for r in 0..<next { prefetchLines(UnsafeRawPointer(a.view.row(i + mr + r) + p0), bytes: kb * 4) }
                    }
                    for jp in 0..<nPanels {
                        let j = j0 + jp * nr
                        let (bp, bs) = bPanel(jp)
                        prefetchTile(c, ldc: ldc, row: i, col: j, rows: min(mr, m - i), cols: min(nr, n - j))
                        ahead?.next()
                        runMicroKernel(kc: kb, rows: UnsafePointer(rowPointers), b: bp, ldb: bs, tile: tile, height: h, cols: min(nr, n - j))
                        mergeTile(tile, into: c, ldc: ldc, row: i, col: j, rows: h, cols: min(nr, n - j),
                                  accumulate: accumulate || !first, epilogue: last ? epilogue : .none)
                    }
                    i += mr
                }
            }
            p0 += kb
        }
        j0 += nb
    }
}

/// Asks for the rows of C's tile at (row, col), `rows` × `cols`, to be brought into L1 while the
/// micro-kernel computes the sums that will be merged into them: C is read back once per K
/// block, and at layer 1's shapes it does not stay in L2 between K blocks.
@inline(__always)
func prefetchTile(_ c: UnsafeMutablePointer<Float>, ldc: Int, row: Int, col: Int, rows: Int, cols: Int) {
    for r in 0..<rows {
        // The (at most three) cache lines the row's `cols` ≤ NR floats touch, and no other.
        let start = Int(bitPattern: c + ((row + r) &* ldc &+ col))
        let first = start & ~63, last = start &+ (cols &- 1) &* 4
        subliminal_prefetch_l1(UnsafeRawPointer(bitPattern: first)!)
        if last >= first &+ 64 { subliminal_prefetch_l1(UnsafeRawPointer(bitPattern: first &+ 64)!) }
        if last >= first &+ 128 { subliminal_prefetch_l1(UnsafeRawPointer(bitPattern: first &+ 128)!) }
    }
}

/// Tile sizes. MR × NR is the register tile: 12 × 32 with 512-bit registers (24 of the 32 zmm
/// registers hold accumulators), 6 × 16 with 256-bit ones (12 of 16). kcMax keeps one packed B
/// panel (kc × NR) plus one A panel (kc × MR) inside the 48 KiB L1; mcMax keeps the packed A
/// block in L2; ncMax bounds the packed B block (kc × nc ≤ 256 KiB) and the C block it updates
/// (256 measured a little faster than 512 for the weight gradients, whose C is 256 × 784).
/// Blocking over N never changes the order of a K sum: results do not depend on ncMax.
public enum GEMMTiling {
    #if SUBLIMINAL_AVX512
    public typealias Vector = SIMD16<Float>
    public static let mr = 12
    #else
    public typealias Vector = SIMD8<Float>
    public static let mr = 6
    #endif
    public static let nr = 2 * Vector.scalarCount
    public static let kcMax = 256
    public static let mcMax = 16 * mr
    public static let ncMax = 256
    /// Whether `microKernel13` exists (it needs 29 vector registers: AVX-512 has 32).
    #if SUBLIMINAL_AVX512
    static let hasThirteenRowKernel = true
    #else
    static let hasThirteenRowKernel = false
    #endif
    /// Whether M rows, in strips of MR, end in a strip of MR + 1 rows for `microKernel13`
    /// (M = 13, 25, …) rather than a full strip and a 1-row one.
    static func endsInThirteenRowStrip(_ m: Int) -> Bool { hasThirteenRowKernel && m > mr && m % mr == 1 }
    /// The largest row stride (in floats) at which a panel is read in place rather than packed.
    /// A panel read in place touches one or two cache lines per row, kc rows apart by the
    /// stride; at power-of-two strides beyond 2 KiB those lines fall into so few L2 sets that
    /// they evict each other (2048³ with B read in place ran at 54-65% of peak, packed at 78-83%).
    public static let inPlaceStrideMax = 512
    /// A one-line description of the compiled kernel, for benchmark reports.
    public static var description: String {
        #if SUBLIMINAL_FMA
        let fma = "FMA"
        #else
        let fma = "no FMA"
        #endif
        return "\(mr)x\(nr) tile, \(Vector.scalarCount * 32)-bit vectors, \(fma)"
    }
}

/// Runs the micro-kernel for a tile of `height` × `cols` (≤ MR × NR, or MR + 1 rows where
/// `hasThirteenRowKernel`) of C; the sums land in `tile` (leading dimension NR), valid in its
/// first `height` rows and `cols` columns.
@inline(__always)
func runMicroKernel(kc: Int, a: UnsafePointer<Float>, lda: Int = GEMMTiling.mr, b: UnsafePointer<Float>, ldb: Int = GEMMTiling.nr, tile: UnsafeMutablePointer<Float>,
                    height: Int = GEMMTiling.mr, cols: Int = GEMMTiling.nr) {
    #if SUBLIMINAL_AVX512
    if height > GEMMTiling.mr {
        microKernel13(kc: kc, a: a, lda: lda, b: b, ldb: ldb, tile: tile)
    } else if height <= 4 {
        microKernel4(kc: kc, a: a, lda: lda, b: b, ldb: ldb, tile: tile)
    } else if cols <= 16 {
        microKernel12x16(kc: kc, a: a, lda: lda, b: b, ldb: ldb, tile: tile)
    } else {
        microKernel12(kc: kc, a: a, lda: lda, b: b, ldb: ldb, tile: tile)
    }
    #else
    microKernel6(kc: kc, a: a, lda: lda, b: b, ldb: ldb, tile: tile)
    #endif
}

@inline(__always)
func runMicroKernel(kc: Int, rows: UnsafePointer<UnsafePointer<Float>>, b: UnsafePointer<Float>, ldb: Int = GEMMTiling.nr, tile: UnsafeMutablePointer<Float>,
                    height: Int = GEMMTiling.mr, cols: Int = GEMMTiling.nr) {
    #if SUBLIMINAL_AVX512
    if height <= 4 {
        microKernel4Rows(kc: kc, rows: rows, b: b, ldb: ldb, tile: tile)
    } else if cols <= 16 {
        microKernel12x16Rows(kc: kc, rows: rows, b: b, ldb: ldb, tile: tile)
    } else {
        microKernel12Rows(kc: kc, rows: rows, b: b, ldb: ldb, tile: tile)
    }
    #else
    microKernel6Rows(kc: kc, rows: rows, b: b, ldb: ldb, tile: tile)
    #endif
}

/// Scratch memory for `gemm`'s packed panels. One per thread; reuse it across calls.
public final class GEMMWorkspace: @unchecked Sendable {
    private(set) var packedA: UnsafeMutablePointer<Float>
    private(set) var packedB: UnsafeMutablePointer<Float>
    private var capacityA: Int
    private var capacityB: Int
    let tile: UnsafeMutablePointer<Float>
    let rowPointers: UnsafeMutablePointer<UnsafePointer<Float>>

    public init() {
        rowPointers = .allocate(capacity: GEMMTiling.mr)
        capacityA = 0
        capacityB = 0
        packedA = Self.allocate(1)
        packedB = Self.allocate(1)
        tile = Self.allocate((GEMMTiling.mr + 1) * GEMMTiling.nr)  // + 1: the 13-row edge kernel
    }

    deinit {
        packedA.deallocate()
        packedB.deallocate()
        tile.deallocate()
        rowPointers.deallocate()
    }

    private static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
        UnsafeMutableRawPointer.allocate(byteCount: count * 4, alignment: 64).bindMemory(to: Float.self, capacity: count)
    }

    func reserve(packedA a: Int, packedB b: Int) {
        if a > capacityA { packedA.deallocate(); packedA = Self.allocate(a); capacityA = a }
        if b > capacityB { packedB.deallocate(); packedB = Self.allocate(b); capacityB = b }
    }
}

/// Packs op(A)[rows, depth] into MR-tall panels: panel p holds, for each k, the MR values
/// op(A)[rows.lowerBound + p·MR + r, k] (r = 0..<MR), zero beyond the last row.
func packA(_ a: GEMMOperand, rows: Range<Int>, depth: Range<Int>, into out: UnsafeMutablePointer<Float>) {
    let mr = GEMMTiling.mr, kb = depth.count, v = a.view
    var dst = out
    var i = rows.lowerBound
    while i < rows.upperBound {
        let h = min(mr, rows.upperBound - i)
        if a.transposed {
            // op(A)[i + r, k] = stored[k, i + r]: MR contiguous floats per k, copied as
            // vectors of 8 (MR is a multiple of 6: 12 = 8 + 4, 6 = 4 + 2 with pairs).
            if h == mr {
                for p in depth {
                    let src = v.row(p) + i
                    copyFloats(from: src, to: dst, count: mr)
                    dst += mr
                }
            } else {
                for p in depth {
                    let src = v.row(p) + i
                    for r in 0..<h { dst[r] = src[r] }
                    for r in h..<mr { dst[r] = 0 }
                    dst += mr
                }
            }
        } else {
            // op(A)[i + r, k] = stored[i + r, k]: read MR row streams in step, write the panel
            // contiguously. (Walking one row at a time would scatter with stride MR, which the
            // compiler turns into AVX-512 scatters: slow, especially on AMD.)
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: mr) { rowsPtr in
                for r in 0..<mr { rowsPtr[r] = r < h ? v.row(i + r) + depth.lowerBound : zeroRow(kb) }
                for p in 0..<kb {
                    for r in 0..<mr { dst[r] = rowsPtr[r][p] }
                    dst += mr
                }
            }
        }
        i += mr
    }
}

/// Packs op(B)[depth, cols] into NR-wide panels: panel q holds, for each k, the NR values
/// op(B)[k, cols.lowerBound + q·NR + c] (c = 0..<NR), zero beyond the last column.
func packB(_ b: GEMMOperand, rows depth: Range<Int>, cols: Range<Int>, into out: UnsafeMutablePointer<Float>) {
    let nr = GEMMTiling.nr, kb = depth.count, v = b.view, n = cols.upperBound
    var dst = out
    var j = cols.lowerBound
    while j < n {
        let w = min(nr, n - j)
        if b.transposed {
            // op(B)[k, j + c] = stored[j + c, k]: read NR row streams in step, write contiguously.
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: nr) { rowsPtr in
                for c in 0..<nr { rowsPtr[c] = c < w ? v.row(j + c) + depth.lowerBound : zeroRow(kb) }
                var p = 0
                #if SUBLIMINAL_AVX512
                // 16 × 16 blocks through registers: 16 vector loads, 64 two-register permutes,
                // 16 vector stores, instead of 256 scalar loads and stores.
                while p + 16 <= kb {
                    transpose16(rows: rowsPtr.baseAddress!, offset: p, into: dst + p &* nr, ld: nr)
                    transpose16(rows: rowsPtr.baseAddress! + 16, offset: p, into: dst + p &* nr + 16, ld: nr)
                    p += 16
                }
                #endif
                while p < kb {
                    let d = dst + p &* nr
                    for c in 0..<nr { d[c] = rowsPtr[c][p] }
                    p += 1
                }
            }
        } else {
            // op(B)[k, j + c] = stored[k, j + c]: NR contiguous floats per k.
            typealias V = GEMMTiling.Vector
            let vw = V.scalarCount
            // A gathered B (the minibatch in layer 1's weight gradient). `gemm` fetches each
            // block's rows while the block before it computes, but nothing precedes the first
            // block: the first panel's pass asks for each row's whole span (every panel's
            // columns) 16 rows ahead of its reads, so that the other panels find them in L2.
            // For the later blocks these are L2 hits, which cost next to nothing.
            let prefetchRows = v.rowIndex != nil && j == cols.lowerBound
            for p in 0..<kb {
                let src = v.row(depth.lowerBound + p) + j
                if prefetchRows && p + 16 < kb {
                    prefetchLines(UnsafeRawPointer(v.row(depth.lowerBound + p + 16) + j), bytes: (n - j) * 4)
                }
                let d = dst + p &* nr
                if w == nr {
                    UnsafeMutableRawPointer(d).storeBytes(of: UnsafeRawPointer(src).loadUnaligned(as: V.self), as: V.self)
                    UnsafeMutableRawPointer(d + vw).storeBytes(of: UnsafeRawPointer(src + vw).loadUnaligned(as: V.self), as: V.self)
                } else {
                    for c in 0..<w { d[c] = src[c] }
                    for c in w..<nr { d[c] = 0 }
                }
            }
        }
        dst += nr * kb
        j += nr
    }
}

#if SUBLIMINAL_AVX512
/// Writes the transpose of the 16 × 16 block `rows[i][offset + t]` (i, t < 16) to
/// `out[t·ld + i]`. Four rounds of pairwise deinterleaving: each round rotates the 8-bit index
/// (row, column) of every element right by one bit, so four rounds swap row and column.
@inline(__always)
func transpose16(rows: UnsafePointer<UnsafePointer<Float>>, offset: Int, into out: UnsafeMutablePointer<Float>, ld: Int) {
    typealias V = SIMD16<Float>
    @inline(__always) func load(_ i: Int) -> V { UnsafeRawPointer(rows[i] + offset).loadUnaligned(as: V.self) }
    var r = (load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7),
             load(8), load(9), load(10), load(11), load(12), load(13), load(14), load(15))
    for _ in 0..<4 {
        let (o0, o8) = deinterleave(r.0, r.1), (o1, o9) = deinterleave(r.2, r.3), (o2, o10) = deinterleave(r.4, r.5), (o3, o11) = deinterleave(r.6, r.7)
        let (o4, o12) = deinterleave(r.8, r.9), (o5, o13) = deinterleave(r.10, r.11), (o6, o14) = deinterleave(r.12, r.13), (o7, o15) = deinterleave(r.14, r.15)
        r = (o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, o10, o11, o12, o13, o14, o15)
    }
    @inline(__always) func store(_ t: Int, _ x: V) { UnsafeMutableRawPointer(out + t &* ld).storeBytes(of: x, as: V.self) }
    store(0, r.0); store(1, r.1); store(2, r.2); store(3, r.3); store(4, r.4); store(5, r.5); store(6, r.6); store(7, r.7)
    store(8, r.8); store(9, r.9); store(10, r.10); store(11, r.11); store(12, r.12); store(13, r.13); store(14, r.14); store(15, r.15)
}
#endif

/// Merges the first `rows` × `cols` sums of the tile buffer (leading dimension NR; an edge
/// kernel fills only that part) into C: store or add, then the epilogue, a vector at a time.
/// With 512-bit vectors a tile narrower than NR (the 13-wide output layer, the 16-column last
/// block of layer 1's weight gradient) is merged with masked loads and stores of its first
/// `cols` lanes; elsewhere it goes element by element.
@inline(__always)
func mergeTile(
    _ tile: UnsafeMutablePointer<Float>, into c: UnsafeMutablePointer<Float>, ldc: Int,
    row: Int, col: Int, rows: Int, cols: Int, accumulate: Bool, epilogue: GEMMEpilogue
) {
    typealias V = GEMMTiling.Vector
    let nr = GEMMTiling.nr, w = V.scalarCount
    // Merges vector h of row r, its first `lanes` columns (all of them when lanes == w, a
    // constant there, so that the full-width path has no masks and no lane tests).
    @inline(__always) func merge(_ r: Int, _ h: Int, lanes: Int) {
        var x = UnsafeRawPointer(tile + (r &* nr &+ h &* w)).loadUnaligned(as: V.self)
        let dst = c + ((row + r) &* ldc &+ col &+ h &* w)
        if accumulate { x += loadLanes(dst, lanes) }
        switch epilogue {
        case .none: break
        case .bias(let b):
            x += loadLanes(b + (col &+ h &* w), lanes)
        case .biasReLU(let b):
            x += loadLanes(b + (col &+ h &* w), lanes)
            x = x.replacing(with: 0, where: x .< 0)
        case .reluMask(let m, let ld):
            let mask = loadLanes(m + ((row + r) &* ld &+ col &+ h &* w), lanes)
            x = x.replacing(with: 0, where: mask .<= 0)
        }
        storeLanes(x, dst, lanes)
    }
    #if SUBLIMINAL_AVX512
    let masked = true
    #else
    let masked = false
    #endif
    if cols == nr {
        for r in 0..<rows { merge(r, 0, lanes: w); merge(r, 1, lanes: w) }
    } else if masked {
        for r in 0..<rows {
            merge(r, 0, lanes: min(w, cols))
            if cols > w { merge(r, 1, lanes: cols &- w) }
        }
    } else {
        for r in 0..<rows {
            for j in 0..<cols {
                let idx = (row + r) &* ldc &+ col &+ j
                let sum = tile[r &* nr &+ j] + (accumulate ? c[idx] : 0)
                c[idx] = epilogue.apply(sum, row: row + r, col: col + j)
            }
        }
    }
}

/// The first `lanes` (1 ... V.scalarCount) floats at `p` in a vector, zero beyond; nothing past
/// them is read (masked with 512-bit vectors; only full vectors are asked for otherwise).
@inline(__always)
func loadLanes(_ p: UnsafePointer<Float>, _ lanes: Int) -> GEMMTiling.Vector {
    #if SUBLIMINAL_AVX512
    if lanes < GEMMTiling.Vector.scalarCount { return subliminal_load_first16(p, Int32(lanes)) }
    #endif
    return UnsafeRawPointer(p).loadUnaligned(as: GEMMTiling.Vector.self)
}

/// Stores the first `lanes` floats of `x` at `p` and nothing past them.
@inline(__always)
func storeLanes(_ x: GEMMTiling.Vector, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
    #if SUBLIMINAL_AVX512
    if lanes < GEMMTiling.Vector.scalarCount { subliminal_store_first16(p, x, Int32(lanes)); return }
    #endif
    UnsafeMutableRawPointer(p).storeBytes(of: x, as: GEMMTiling.Vector.self)
}

/// A row of zeros at least `count` long (count ≤ kcMax: packing works on one K block at a
/// time), standing in for the rows beyond an operand's edge.
@inline(__always)
func zeroRow(_ count: Int) -> UnsafePointer<Float> {
    precondition(count <= GEMMTiling.kcMax)
    return zeroRowStorage
}

nonisolated(unsafe) private let zeroRowStorage: UnsafePointer<Float> = {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: GEMMTiling.kcMax)
    p.initialize(repeating: 0, count: GEMMTiling.kcMax)
    return UnsafePointer(p)
}()

/// Copies `count` floats with 8- and 4-wide vector moves and a scalar tail.
@inline(__always)
func copyFloats(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
        i += 8
    }
    if i + 4 <= count {
        UnsafeMutableRawPointer(dst + i).storeBytes(of: UnsafeRawPointer(src + i).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
        i += 4
    }
    while i < count { dst[i] = src[i]; i += 1 }
}

/// Asks for every cache line of `bytes` bytes from `p` to be brought into L2.
@inline(__always)
func prefetchLines(_ p: UnsafeRawPointer, bytes: Int) {
    var line = Int(bitPattern: p) & ~63
    let end = Int(bitPattern: p) &+ bytes
    while line < end { subliminal_prefetch(UnsafeRawPointer(bitPattern: line)!); line &+= 64 }
}

/// Walks the cache lines of a gathered operand's block (rows × cols, row by row) and asks for
/// them into L2 a few at a time: `next()` before each of the current block's `calls`
/// micro-kernel calls spreads them evenly over the block, so that they arrive from memory
/// while it computes, without flooding the core's outstanding misses.
struct GatherPrefetch {
    private let view: MatrixView
    private let rowEnd: Int
    private let colStart: Int, colEnd: Int
    private let perCall: Int
    private var row: Int
    private var line = 0, lineEnd = 0

    init(view: MatrixView, rows: Range<Int>, cols: Range<Int>, calls: Int) {
        self.view = view
        rowEnd = rows.upperBound
        colStart = cols.lowerBound
        colEnd = cols.upperBound
        let linesPerRow = (cols.count * 4 + 63) / 64 + 1
        perCall = max(1, (rows.count * linesPerRow + calls - 1) / max(calls, 1))
        row = rows.lowerBound
        startRow()
    }

    private mutating func startRow() {
        guard row < rowEnd else { return }
        line = Int(bitPattern: view.row(row) + colStart) & ~63
        lineEnd = Int(bitPattern: view.row(row) + colEnd)
    }

    @inline(__always) mutating func next() {
        var left = perCall
        while left > 0 && row < rowEnd {
            subliminal_prefetch(UnsafeRawPointer(bitPattern: line)!)
            line &+= 64
            left -= 1
            if line >= lineEnd { row += 1; startRow() }
        }
    }
}
