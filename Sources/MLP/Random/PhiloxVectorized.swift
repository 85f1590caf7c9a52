extension Philox4x32 {
    /// Sixteen consecutive blocks (counters c0 + 0…15, the other counter words shared) at once,
    /// lane by lane identical to `block(counter:key:)`: words[w][lane] is word w of block c0+lane.
    @inlinable
    public static func blocks16(c0: UInt32, c1: UInt32, c2: UInt32, c3: UInt32, key: SIMD2<UInt32>)
        -> (SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>, SIMD16<UInt32>) {
        let lanes = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        var x0 = SIMD16<UInt32>(repeating: c0) &+ lanes
        var x1 = SIMD16<UInt32>(repeating: c1), x2 = SIMD16<UInt32>(repeating: c2), x3 = SIMD16<UInt32>(repeating: c3)
        var k0 = key[0], k1 = key[1]
        for round in 0..<10 {
            if round > 0 { k0 &+= w0; k1 &+= w1 }
            let (hi0, lo0) = mulHiLo(x0, m0), (hi1, lo1) = mulHiLo(x2, m1)
            let y0 = hi1 ^ x1 ^ SIMD16(repeating: k0)
            let y2 = hi0 ^ x3 ^ SIMD16(repeating: k1)
            x0 = y0; x1 = lo1; x2 = y2; x3 = lo0
        }
        return (x0, x1, x2, x3)
    }
}

extension Philox4x32 {
    /// The high and low 32 bits of x · m in every lane. The lanes are taken in pairs as 64-bit
    /// lanes, whose even (low) and odd (high) halves are multiplied by two 32 × 32 → 64-bit
    /// lane multiplies (vpmuludq) and recombined with shifts and masks: no lane permutes,
    /// where widening sixteen 32-bit lanes to 64 bits and narrowing them back takes a dozen.
    @inlinable @inline(__always)
    static func mulHiLo(_ x: SIMD16<UInt32>, _ m: UInt32) -> (hi: SIMD16<UInt32>, lo: SIMD16<UInt32>) {
        let low: UInt64 = 0xFFFF_FFFF
        let pairs = unsafeBitCast(x, to: SIMD8<UInt64>.self)
        let even = (pairs & low) &* UInt64(m)   // lanes 0, 2, 4, …: full 64-bit products
        let odd = (pairs &>> 32) &* UInt64(m)    // lanes 1, 3, 5, …
        let hi = (even &>> 32) | (odd & ~low)
        let lo = (even & low) | (odd &<< 32)
        return (unsafeBitCast(hi, to: SIMD16<UInt32>.self), unsafeBitCast(lo, to: SIMD16<UInt32>.self))
    }
}

extension RandomStream {
    /// Fills `out[0..<count]` with the next `count` values of `nextSignedUnitFloat()`, bit for
    /// bit, sixteen Philox blocks at a time. Noise sets are 47 million values per run: the
    /// vectorized generator makes them cost a few percent of what the scalar one does.
    public mutating func fillSignedUnitFloats(_ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        // Drain the current block first so that the rest starts on a block boundary.
        while i < count && used < 4 { out[i] = nextSignedUnitFloat(); i += 1 }
        let key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        while count - i >= 64 {
            precondition(blockIndex <= UInt32.max - 16, "RandomStream exhausted (2^34 values)")
            let (w0, w1, w2, w3) = Philox4x32.blocks16(c0: blockIndex, c1: substream, c2: run, c3: purpose.rawValue, key: key)
            blockIndex &+= 16
            let scale: Float = 0x1p-24
            let f0 = SIMD16<Float>(w0 &>> 8) * scale * 2 - 1, f1 = SIMD16<Float>(w1 &>> 8) * scale * 2 - 1
            let f2 = SIMD16<Float>(w2 &>> 8) * scale * 2 - 1, f3 = SIMD16<Float>(w3 &>> 8) * scale * 2 - 1
            // Value l of block w goes to out[4l + w]: a 4 × 16 → 16 × 4 transpose, done in
            // registers. Seen as one 64-element vector, the element at index w·16 + l must move
            // to 4l + w, a rotation of its 6-bit index left by 2 (= right by 4); one round of
            // pairwise deinterleaving rotates every index right by 1, so four rounds do it.
            // (Measured: 42 ms per 47-million-value noise set, most of it the Philox rounds.)
            var v = (f0, f1, f2, f3)
            for _ in 0..<4 {
                let (e0, o0) = deinterleave(v.0, v.1), (e1, o1) = deinterleave(v.2, v.3)
                v = (e0, e1, o0, o1)
            }
            let o = UnsafeMutableRawPointer(out + i)
            o.storeBytes(of: v.0, as: SIMD16<Float>.self)
            (o + 64).storeBytes(of: v.1, as: SIMD16<Float>.self)
            (o + 128).storeBytes(of: v.2, as: SIMD16<Float>.self)
            (o + 192).storeBytes(of: v.3, as: SIMD16<Float>.self)
            i += 64
        }
        while i < count { out[i] = nextSignedUnitFloat(); i += 1 }
    }
}
