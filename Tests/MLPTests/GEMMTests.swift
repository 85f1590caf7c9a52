import Testing
@testable import MLP

/// Every GEMM variant against the naive triple loop, over random shapes that include every
/// edge case of the tiling (1, 3, 13, MR±1, NR±1, kcMax±1, primes, 608, 1024).
@Suite struct GEMMTests {
    static let edgeSizes = [1, 2, 3, 5, 7, 13, 16, 17, 25, 31, 32, 33, 37, 47, 64, 97, 127, 193, 256, 257, 608, 1024]

    struct Case: CustomStringConvertible {
        var m: Int, n: Int, k: Int, transA: Bool, transB: Bool, accumulate: Bool, epilogue: Int, gatherA: Bool, gatherB: Bool
        var description: String { "m\(m) n\(n) k\(k) tA\(transA) tB\(transB) acc\(accumulate) epi\(epilogue) gA\(gatherA) gB\(gatherB)" }
    }

    static func cases() -> [Case] {
        var rng = RandomStream(seed: 99, run: 0, purpose: .inputs)
        var out: [Case] = []
        let mr = GEMMTiling.mr, nr = GEMMTiling.nr, kc = GEMMTiling.kcMax
        let sizes = edgeSizes + [mr - 1, mr, mr + 1, nr - 1, nr + 1, kc - 1, kc + 1, 2 * kc + 3]
        for i in 0..<200 {
            func pick() -> Int { rng.nextInt(below: 3) == 0 ? 1 + rng.nextInt(below: 70) : sizes[rng.nextInt(below: sizes.count)] }
            var c = Case(m: pick(), n: pick(), k: pick(), transA: i & 1 == 1, transB: i & 2 == 2,
                         accumulate: rng.nextInt(below: 4) == 0, epilogue: rng.nextInt(below: 4),
                         gatherA: rng.nextInt(below: 5) == 0, gatherB: rng.nextInt(below: 5) == 0)
            // Keep the reference's cost bounded.
            while c.m * c.n * c.k > 6_000_000 { c.k = max(1, c.k / 2) }
            out.append(c)
        }
        // The MLP's own shapes, each variant once.
        out.append(Case(m: 1024, n: 256, k: 784, transA: false, transB: true, accumulate: false, epilogue: 2, gatherA: true, gatherB: false))
        out.append(Case(m: 256, n: 784, k: 608, transA: true, transB: false, accumulate: false, epilogue: 0, gatherA: false, gatherB: true))
        out.append(Case(m: 608, n: 256, k: 13, transA: false, transB: false, accumulate: false, epilogue: 3, gatherA: false, gatherB: false))
        // A transposed A packed once and reused across N blocks, with every block boundary
        // inside the shape: two M blocks (200 > mcMax), two N blocks (600 > ncMax, the last one
        // ending in a partial panel), two K blocks, accumulation and a masked epilogue.
        out.append(Case(m: 200, n: 600, k: 300, transA: true, transB: false, accumulate: true, epilogue: 3, gatherA: false, gatherB: true))
        return out
    }

    @Test(arguments: cases())
    func matchesReference(_ c: Case) {
        var rng = RandomStream(seed: UInt64(c.m * 1_000_003 + c.n * 1009 + c.k), run: c.epilogue, purpose: .inputs)
        // Stored shapes: A is m×k (or k×m when transposed), B is k×n (or n×k); pad ld by 3.
        let (aRows, aCols) = c.transA ? (c.k, c.m) : (c.m, c.k)
        let (bRows, bCols) = c.transB ? (c.n, c.k) : (c.k, c.n)
        // Gathered operands are stored with extra rows and read through a random index.
        let aStoreRows = c.gatherA ? aRows + 5 : aRows, bStoreRows = c.gatherB ? bRows + 5 : bRows
        let lda = aCols + 3, ldb = bCols + 3, ldc = c.n + 2
        let a = (0..<(aStoreRows * lda)).map { _ in rng.nextSignedUnitFloat() }
        let b = (0..<(bStoreRows * ldb)).map { _ in rng.nextSignedUnitFloat() }
        let bias = (0..<c.n).map { _ in rng.nextSignedUnitFloat() }
        let mask = (0..<(c.m * ldc)).map { _ in rng.nextSignedUnitFloat() }
        let c0 = (0..<(c.m * ldc)).map { _ in rng.nextSignedUnitFloat() }
        let aIndex = (0..<aRows).map { _ in Int32(rng.nextInt(below: aStoreRows)) }
        let bIndex = (0..<bRows).map { _ in Int32(rng.nextInt(below: bStoreRows)) }
        var fast = c0, slow = c0
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
        bias.withUnsafeBufferPointer { biasp in mask.withUnsafeBufferPointer { maskp in
        aIndex.withUnsafeBufferPointer { ai in bIndex.withUnsafeBufferPointer { bi in
            let av = MatrixView(ap.baseAddress!, rows: aRows, cols: aCols, ld: lda, rowIndex: c.gatherA ? ai.baseAddress : nil)
            let bv = MatrixView(bp.baseAddress!, rows: bRows, cols: bCols, ld: ldb, rowIndex: c.gatherB ? bi.baseAddress : nil)
            let epi: GEMMEpilogue = [.none, .bias(biasp.baseAddress!), .biasReLU(biasp.baseAddress!), .reluMask(maskp.baseAddress!, ld: ldc)][c.epilogue]
            let ws = GEMMWorkspace()
            fast.withUnsafeMutableBufferPointer {
                gemm(GEMMOperand(av, transposed: c.transA), GEMMOperand(bv, transposed: c.transB), into: $0.baseAddress!, ldc: ldc,
                     accumulate: c.accumulate, epilogue: epi, workspace: ws)
            }
            slow.withUnsafeMutableBufferPointer {
                gemmReference(GEMMOperand(av, transposed: c.transA), GEMMOperand(bv, transposed: c.transB), into: $0.baseAddress!, ldc: ldc,
                              m: c.m, n: c.n, k: c.k, accumulate: c.accumulate, epilogue: epi)
            }
        }}}}}}
        // Float32 summation of k products of magnitude ≤ 1: error grows at most like k·ulp.
        let tolerance = Float(c.k + 4) * 4 * Float.ulpOfOne
        var worst: Float = 0
        for i in 0..<c.m {
            for j in 0..<ldc {
                let x = fast[i * ldc + j], y = slow[i * ldc + j]
                if j >= c.n { #expect(x == c0[i * ldc + j], "wrote outside C at (\(i), \(j))"); continue }
                worst = max(worst, abs(x - y))
            }
        }
        #expect(worst <= tolerance, "max |fast − reference| = \(worst) > \(tolerance)")
    }

    /// Every element of C is summed over k in the same order whatever computed it: the full
    /// 12 × 32 (or 6 × 16) kernel, an edge kernel (a last panel of ≤ 4 rows or ≤ 16 columns), an
    /// operand read in place or packed. So a sub-block of C computed alone, where it falls on
    /// edge kernels, equals the same block inside the full product bit for bit.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func bitsDoNotDependOnTheKernel(_ transposed: (a: Bool, b: Bool)) {
        let m = 41, n = 70, k = 300, mr = GEMMTiling.mr, nr = GEMMTiling.nr
        var rng = RandomStream(seed: 7, run: transposed.a ? 1 : 0, purpose: .inputs)
        let (aRows, aCols) = transposed.a ? (k, m) : (m, k)
        let (bRows, bCols) = transposed.b ? (n, k) : (k, n)
        let a = (0..<(aRows * aCols)).map { _ in rng.nextSignedUnitFloat() }
        let b = (0..<(bRows * bCols)).map { _ in rng.nextSignedUnitFloat() }
        let ws = GEMMWorkspace()
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
            // op(A) rows i0..<i0+h and op(B) columns j0..<j0+w of the stored matrices.
            func product(rows i0: Int, _ h: Int, cols j0: Int, _ w: Int) -> [Float] {
                let av = transposed.a ? MatrixView(ap.baseAddress! + i0, rows: k, cols: h, ld: aCols)
                                      : MatrixView(ap.baseAddress! + i0 * aCols, rows: h, cols: k, ld: aCols)
                let bv = transposed.b ? MatrixView(bp.baseAddress! + j0 * bCols, rows: w, cols: k, ld: bCols)
                                      : MatrixView(bp.baseAddress! + j0, rows: k, cols: w, ld: bCols)
                var out = [Float](repeating: 0, count: h * w)
                out.withUnsafeMutableBufferPointer {
                    gemm(GEMMOperand(av, transposed: transposed.a), GEMMOperand(bv, transposed: transposed.b),
                         into: $0.baseAddress!, ldc: w, workspace: ws)
                }
                return out
            }
            let full = product(rows: 0, m, cols: 0, n)
            // Blocks that land on the short-panel kernel (h ≤ 4, also when w ≤ 16: there is no
            // 4 × 16 kernel), the half-width kernel (w ≤ 16), the 13-row kernel (h = MR + 1, with
            // a transposed A), single rows and columns, at offsets inside and across full tiles.
            for (i0, h) in [(0, 3), (mr, 4), (5, 1), (mr + 1, mr), (m - 2, 2), (0, m), (0, mr + 1), (m - mr - 1, mr + 1)] {
                for (j0, w) in [(0, 16), (nr, 13), (3, 1), (nr / 2, nr), (n - 5, 5), (0, n)] {
                    let part = product(rows: i0, h, cols: j0, w)
                    var same = true
                    for i in 0..<h { for j in 0..<w where part[i * w + j].bitPattern != full[(i0 + i) * n + j0 + j].bitPattern { same = false } }
                    #expect(same, "rows \(i0)..<\(i0 + h), cols \(j0)..<\(j0 + w) differ from the full product")
                }
            }
        }}
    }

    /// The benchmark's micro-kernel probe computes real tiles: with A = 0.5 and B = 0.25
    /// everywhere, each tile is kc · 0.125, and 16 calls over one strip of 8 tiles merge each
    /// tile twice.
    @Test func microKernelProbeMergesRealTiles() {
        let mr = GEMMTiling.mr, kc = 5
        let probe = MicroKernelProbe(kc: kc, panels: 3, cRows: mr)
        probe.run(calls: 2 * (256 / GEMMTiling.nr))
        #expect(probe.flopsPerCall == Double(2 * mr * GEMMTiling.nr * kc))
        let c = probe.cValues
        #expect(c.count == mr * 256 && c.allSatisfy { $0 == 2 * Float(kc) * 0.125 })
        let unmerged = MicroKernelProbe(kc: kc, panels: 1, cRows: 0)
        unmerged.run(calls: 3)
        #expect(unmerged.checksum == 3 * Float(kc) * 0.125)
    }

    @Test func emptyInnerDimensionAppliesEpilogueToZero() {
        let ws = GEMMWorkspace()
        let bias: [Float] = [1, -2, 3]
        var out = [Float](repeating: 9, count: 6)
        let dummy: [Float] = [0]
        dummy.withUnsafeBufferPointer { d in bias.withUnsafeBufferPointer { b in
            let a = MatrixView(d.baseAddress!, rows: 2, cols: 0, ld: 0)
            let bb = MatrixView(d.baseAddress!, rows: 0, cols: 3, ld: 3)
            out.withUnsafeMutableBufferPointer {
                gemm(GEMMOperand(a), GEMMOperand(bb), into: $0.baseAddress!, ldc: 3, epilogue: .biasReLU(b.baseAddress!), workspace: ws)
            }
        }}
        #expect(out == [1, 0, 3, 1, 0, 3])
    }
}
