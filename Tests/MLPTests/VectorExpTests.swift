import Testing
import Foundation
@testable import MLP

/// The losses' softmax runs eight rows in vector lanes with `exp8`, which must give libm's
/// `exp` bit for bit; otherwise vectorizing would change every trained network.
@Suite struct VectorExpTests {
    /// Arguments drawn from a fixed stream: the softmax's range (x − max ∈ [−60, 0]), the whole
    /// main path of the algorithm (2^-54 ≤ |x| < 512, every binade), and its edges.
    static func arguments(count: Int) -> [Double] {
        var rng = RandomStream(seed: 7, run: 0, purpose: .inputs)
        var xs: [Double] = []
        xs.reserveCapacity(count + VectorExp.checkArguments().count)
        for i in 0..<count {
            let u = Double(rng.nextSignedUnitFloat()), v = Double(rng.nextSignedUnitFloat())
            switch i % 4 {
            case 0: xs.append(-30 * (u + 1) + v * 1e-9)                 // softmax arguments
            case 1: xs.append(u * pow(2, 9 * v))                        // |x| < 512, dense near 0
            case 2: xs.append(u * pow(2, -54 + 63 * (v + 1) / 2))       // every binade 2^-54 ... 2^9
            default:                                                    // raw bit patterns, both signs
                xs.append(Double(bitPattern: UInt64(rng.nextUInt32()) << 32 | UInt64(rng.nextUInt32())))
            }
        }
        xs += VectorExp.checkArguments()
        while xs.count % 8 != 0 { xs.append(0) }
        return xs
    }

    @Test func exp8IsLibmExpBitForBit() {
        #if SUBLIMINAL_FMA && canImport(Glibc)
        #expect(VectorExp.matchesLibm)
        #expect(VectorExp.mismatches(in: Self.arguments(count: 2_000_000)) == 0)
        #else
        // Without FMA (or glibc) the losses never use exp8: libm's exp lane by lane.
        #expect(!VectorExp.matchesLibm)
        #endif
    }

    /// `Loss.softmaxBlock` (eight rows in lanes when the vector exp is exact, row by row
    /// otherwise) against `Loss.softmax` row by row, bit for bit: for every block size, the
    /// subsets the objectives use, gathered rows, ties, signed zeros and logits far enough
    /// apart (> 512) to send lanes through libm.
    @Test(arguments: [0..<10, 10..<13, 0..<13, 4..<5])
    func softmaxBlockIsRowByRowSoftmax(subset: Range<Int>) {
        var rng = RandomStream(seed: 11, run: subset.lowerBound, purpose: .inputs)
        let rows = 64, cols = 13
        var values = (0..<(rows * cols)).map { i -> Float in
            let u = rng.nextSignedUnitFloat()
            switch (i / cols) % 8 {
            case 0: return 0                       // all tied
            case 1: return i % 2 == 0 ? 0 : -0.0   // signed zeros
            case 2: return 700 * u                 // differences beyond exp's main path
            case 3: return Float(Int(4 * u))       // ties among a few values
            default: return 20 * u
            }
        }
        values[5 * cols + subset.lowerBound] = -.infinity
        let z = Matrix(rows: rows, cols: cols, values: values)
        let order = (0..<rows).map { Int32(($0 * 37) % rows) }
        let w = subset.count
        order.withUnsafeBufferPointer { idx in
            for view in [z.view, MatrixView(z.view.base, rows: rows, cols: cols, ld: cols, rowIndex: idx.baseAddress!)] {
                for count in 1...8 {
                    var p = [Double](repeating: .nan, count: 8 * w), lse = [Double](repeating: .nan, count: 8)
                    var first = 0
                    while first + count <= rows {
                        p.withUnsafeMutableBufferPointer { pb in
                            lse.withUnsafeMutableBufferPointer { lb in
                                Loss.softmaxBlock(view, from: first, count: count, subset, p: pb.baseAddress!, lse: lb.baseAddress!)
                            }
                        }
                        for r in 0..<count {
                            var q = [Double](repeating: 0, count: w)
                            let want = q.withUnsafeMutableBufferPointer { Loss.softmax(view.row(first + r), subset, into: $0.baseAddress!) }
                            #expect(lse[r].bitPattern == want.bitPattern, "row \(first + r), block of \(count)")
                            for o in 0..<w {
                                #expect(p[r * w + o].bitPattern == q[o].bitPattern, "row \(first + r), logit \(o), block of \(count)")
                            }
                        }
                        first += count
                    }
                }
            }
        }
    }
}
