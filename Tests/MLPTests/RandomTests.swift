import Testing
@testable import MLP

@Suite struct PhiloxTests {
    /// Known-answer vectors from the Random123 distribution (kat_vectors, philox4x32_10).
    @Test func knownAnswers() {
        #expect(Philox4x32.block(counter: .zero, key: .zero) == SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8))
        #expect(Philox4x32.block(counter: SIMD4(repeating: .max), key: SIMD2(repeating: .max))
                == SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd))
        #expect(Philox4x32.block(counter: SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), key: SIMD2(0xa409_3822, 0x299f_31d0))
                == SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1))
    }

    @Test func streamsAreAddressedByCoordinates() {
        var a = RandomStream(seed: 7, run: 3, purpose: .noiseImages)
        var b = RandomStream(seed: 7, run: 3, purpose: .noiseImages)
        var c = RandomStream(seed: 7, run: 4, purpose: .noiseImages)
        var d = RandomStream(seed: 7, run: 3, purpose: .initialization)
        var e = RandomStream(seed: 8, run: 3, purpose: .noiseImages)
        let xa = (0..<100).map { _ in a.nextUInt32() }
        #expect(xa == (0..<100).map { _ in b.nextUInt32() })
        #expect(xa != (0..<100).map { _ in c.nextUInt32() })
        #expect(xa != (0..<100).map { _ in d.nextUInt32() })
        #expect(xa != (0..<100).map { _ in e.nextUInt32() })
    }

    @Test func uniformNoiseStatistics() {
        var s = RandomStream(seed: 1, run: 0, purpose: .noiseImages)
        let n = 400_000
        var sum = 0.0, sq = 0.0, lo: Float = 1, hi: Float = -1
        for _ in 0..<n {
            let x = s.nextSignedUnitFloat()
            lo = min(lo, x); hi = max(hi, x)
            sum += Double(x); sq += Double(x) * Double(x)
        }
        let mean = sum / Double(n), variance = sq / Double(n) - mean * mean
        #expect(lo >= -1 && hi < 1)
        #expect(lo < -0.999 && hi > 0.999)
        // U[-1,1): mean 0 (sd of the mean 0.577/√n ≈ 9e-4), variance 1/3.
        #expect(abs(mean) < 5 * 0.5774 / Double(n).squareRoot())
        #expect(abs(variance - 1.0 / 3) < 0.003)
    }

    @Test func normalStatistics() {
        var s = RandomStream(seed: 2, run: 5, purpose: .initialization)
        let n = 200_000
        var m1 = 0.0, m2 = 0.0, m4 = 0.0
        for _ in 0..<n { let x = s.nextNormal(); m1 += x; m2 += x * x; m4 += x * x * x * x }
        m1 /= Double(n); m2 /= Double(n); m4 /= Double(n)
        #expect(abs(m1) < 5 / Double(n).squareRoot())
        #expect(abs(m2 - 1) < 5 * (2.0 / Double(n)).squareRoot())
        #expect(abs(m4 - 3) < 0.1)
    }

    @Test func boundedIntegersAndPermutations() {
        var s = RandomStream(seed: 3, run: 0, purpose: .teacherShuffle)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[s.nextInt(below: 7)] += 1 }
        for c in counts { #expect(abs(c - 10_000) < 500) }
        let p = s.permutation(1000)
        #expect(Set(p).count == 1000 && p.min() == 0 && p.max() == 999)
        #expect(p != (0..<1000).map { Int32($0) })
        var one = RandomStream(seed: 3, run: 0, purpose: .teacherShuffle)
        #expect(one.permutation(1) == [0] && one.permutation(0) == [])
    }
}

@Suite struct InitializationTests {
    @Test func weightStatisticsMatchProtocol() {
        let arch = Architecture.paper()
        let p = Parameters.initialized(arch, seed: 0, run: 0)
        for (l, o) in zip(arch.layers, arch.offsets) {
            let n = l.inFeatures * l.outFeatures
            var s = 0.0, sq = 0.0
            for i in 0..<n { let w = Double(p.values[o.weight + i]); s += w; sq += w * w }
            let mean = s / Double(n), std = (sq / Double(n) - mean * mean).squareRoot()
            let expected = 1 / Double(l.inFeatures).squareRoot()
            #expect(abs(mean) < 5 * expected / Double(n).squareRoot(), "layer mean \(mean)")
            // The sample std of n normals has relative sd ≈ 1/√(2n).
            #expect(abs(std / expected - 1) < 5 / (2 * Double(n)).squareRoot(), "layer std \(std) vs \(expected)")
            for j in 0..<l.outFeatures { #expect(p.values[o.bias + j] == 0) }
        }
    }

    @Test func runInitializationIsIndependentOfOtherRuns() {
        let arch = Architecture(inputs: 20, hidden: [8], outputs: 5)
        let alone = Parameters.initialized(arch, seed: 11, run: 6)
        let among = Parallel.map(10, threads: 2) { Parameters.initialized(arch, seed: 11, run: $0) }
        #expect(among[6].bitwiseEqual(alone))
        #expect(!among[5].bitwiseEqual(alone))
        #expect(!Parameters.initialized(arch, seed: 12, run: 6).bitwiseEqual(alone))
    }
}

@Suite struct VectorizedPhiloxTests {
    /// The 16-lane generator must reproduce the scalar stream bit for bit, from any starting
    /// position (mid-block included) and for any length (with scalar head and tail).
    @Test(arguments: [(0, 0), (0, 1), (0, 64), (1, 63), (3, 200), (2, 1000), (5, 4097)])
    func fillMatchesScalarStream(_ c: (skip: Int, count: Int)) {
        var scalar = RandomStream(seed: 0xDEAD_BEEF_1234, run: 9, purpose: .noiseImages, substream: 2)
        var vector = scalar
        for _ in 0..<c.skip { _ = scalar.nextUInt32(); _ = vector.nextUInt32() }
        let expected = (0..<c.count).map { _ in scalar.nextSignedUnitFloat() }
        var got = [Float](repeating: .nan, count: c.count + 1)
        got.withUnsafeMutableBufferPointer { vector.fillSignedUnitFloats($0.baseAddress!, count: c.count) }
        #expect(Array(got[0..<c.count]).map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(got[c.count].isNaN, "wrote past the end")
        // Both streams continue identically afterwards.
        #expect(scalar.nextUInt32() == vector.nextUInt32())
    }
}
