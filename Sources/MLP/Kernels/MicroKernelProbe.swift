/// The register-tiled micro-kernel run on its own, for the benchmark: where a GEMM's time goes
/// between the kernel's arithmetic and the memory around it.
///
/// Each call computes one MR × NR tile over `kc` steps, reading A through MR row pointers into
/// one L1-resident strip (as the forward pass reads a minibatch), and B from `panels` packed
/// panels in turn: with 1 panel B stays in L1; with 8 panels of kc = 196 (a 200 KB block, the
/// size of layer 1's packed Wᵀ block) it streams from L2. With `cRows` > 0, every tile is then
/// merged into C (`cRows` × 256, added to, its tiles visited strip by strip as `gemm` visits
/// them and prefetched as `gemm` prefetches them): with 1,024 rows, C is layer 1's output, 1 MB,
/// which does not stay in L2.
public final class MicroKernelProbe: @unchecked Sendable {
    public let kc: Int, panels: Int, cRows: Int
    private let a: UnsafeMutablePointer<Float>
    private let b: UnsafeMutablePointer<Float>
    private let c: UnsafeMutablePointer<Float>
    private let rows: UnsafeMutablePointer<UnsafePointer<Float>>
    private let tile: UnsafeMutablePointer<Float>
    private var call = 0
    /// A checksum of the tiles, so that no call can be optimized away.
    public private(set) var checksum: Float = 0

    static let cCols = 256

    public init(kc: Int, panels: Int, cRows: Int) {
        precondition(kc >= 1 && panels >= 1 && cRows >= 0 && cRows % GEMMTiling.mr == 0,
                     "MicroKernelProbe: kc \(kc), panels \(panels), C rows \(cRows) (a multiple of MR)")
        self.kc = kc; self.panels = panels; self.cRows = cRows
        let mr = GEMMTiling.mr, nr = GEMMTiling.nr
        func buffer(_ n: Int, _ value: Float) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(1, n) * 4, alignment: 64).bindMemory(to: Float.self, capacity: max(1, n))
            p.initialize(repeating: value, count: max(1, n))
            return p
        }
        a = buffer(mr * kc, 0.5)
        b = buffer(nr * kc * panels, 0.25)
        c = buffer(cRows * Self.cCols, 0)
        tile = buffer((mr + 1) * nr, 0)
        rows = .allocate(capacity: mr)
        for r in 0..<mr { rows[r] = UnsafePointer(a + r * kc) }
    }

    deinit {
        a.deallocate(); b.deallocate(); c.deallocate(); tile.deallocate(); rows.deallocate()
    }

    /// C's values (row-major, `cRows` × 256), for tests.
    var cValues: [Float] { Array(UnsafeBufferPointer(start: c, count: cRows * Self.cCols)) }

    /// Floating-point operations per call (2 · MR · NR · kc).
    public var flopsPerCall: Double { 2 * Double(GEMMTiling.mr * GEMMTiling.nr * kc) }

    /// `calls` tiles.
    public func run(calls: Int) {
        let mr = GEMMTiling.mr, nr = GEMMTiling.nr, kc = kc
        let panelsPerRow = Self.cCols / nr, strips = max(1, cRows / mr)
        for _ in 0..<calls {
            let jp = call % panels
            let row = ((call / panelsPerRow) % strips) * mr, col = (call % panelsPerRow) * nr
            if cRows > 0 { prefetchTile(c, ldc: Self.cCols, row: row, col: col, rows: mr, cols: nr) }
            runMicroKernel(kc: kc, rows: UnsafePointer(rows), b: b + jp * nr * kc, tile: tile)
            if cRows > 0 {
                mergeTile(tile, into: c, ldc: Self.cCols, row: row, col: col, rows: mr, cols: nr, accumulate: true, epilogue: .none)
            } else {
                checksum += tile[call % (mr * nr)]
            }
            call += 1
        }
    }
}
