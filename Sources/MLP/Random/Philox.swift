/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11).
///
/// A counter-based generator: block `counter` under `key` is a pure function of both, so any
/// stream can be regenerated from its coordinates alone, in any order, on any thread.
public enum Philox4x32 {
    @usableFromInline static let m0: UInt32 = 0xD251_1F53
    @usableFromInline static let m1: UInt32 = 0xCD9E_8D57
    @usableFromInline static let w0: UInt32 = 0x9E37_79B9
    @usableFromInline static let w1: UInt32 = 0xBB67_AE85

    /// The 4 × 32 random bits of block `counter` under `key`.
    @inlinable
    public static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 { k &+= SIMD2(w0, w1) }
            let p0 = UInt64(m0) &* UInt64(c[0])
            let p1 = UInt64(m1) &* UInt64(c[2])
            c = SIMD4(
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c[1] ^ k[0],
                UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c[3] ^ k[1],
                UInt32(truncatingIfNeeded: p0))
        }
        return c
    }
}

/// What a random stream is used for. Part of the stream's coordinates, so that two purposes
/// never share random numbers.
public enum RandomPurpose: UInt32, Sendable {
    case initialization = 1
    case noiseImages = 2
    case teacherShuffle = 3
    case studentShuffle = 4
    case perturbation = 5
    case derangement = 6
    case batchSelection = 7
    case inputs = 8
    /// The σ-scaled perturbation of a same-init student's starting point (`sweep`'s init-noise).
    case initNoise = 9
    /// Non-uniform student inputs: Gaussian noise, and the selection and pixel permutations of
    /// real images (`sweep`'s inputs).
    case studentInputs = 10
    /// The shuffles of the students of generation 2, 3, … of a distillation chain.
    case chainShuffle = 11
}

/// A deterministic random stream addressed by `(seed, run, purpose, substream)`.
///
/// The stream's `i`-th block is Philox(counter = (i, substream, run, purpose), key = seed). Run r's
/// initialization, noise and shuffles therefore never depend on which other runs were executed,
/// on how many threads ran them, or on the order they ran in.
public struct RandomStream: Sendable {
    public let seed: UInt64
    public let run: UInt32
    public let purpose: RandomPurpose
    public let substream: UInt32
    @usableFromInline var blockIndex: UInt32 = 0
    @usableFromInline var buffer: SIMD4<UInt32> = .zero
    @usableFromInline var used: Int = 4

    public init(seed: UInt64, run: Int, purpose: RandomPurpose, substream: Int = 0) {
        precondition(run >= 0 && run <= Int(UInt32.max) && substream >= 0 && substream <= Int(UInt32.max))
        self.seed = seed
        self.run = UInt32(run)
        self.purpose = purpose
        self.substream = UInt32(substream)
    }

    /// The next 32 random bits.
    @inlinable
    public mutating func nextUInt32() -> UInt32 {
        if used == 4 {
            let key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
            buffer = Philox4x32.block(counter: SIMD4(blockIndex, substream, run, purpose.rawValue), key: key)
            precondition(blockIndex != .max, "RandomStream exhausted (2^34 values)")
            blockIndex &+= 1
            used = 0
        }
        defer { used &+= 1 }
        return buffer[used]
    }

    /// Uniform on [0, 1) with 24 random bits: every value is exactly representable in Float32.
    @inlinable
    public mutating func nextUnitFloat() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// Uniform on [-1, 1): 2u − 1 is exact in Float32 for 24-bit u.
    @inlinable
    public mutating func nextSignedUnitFloat() -> Float {
        nextUnitFloat() * 2 - 1
    }

    /// Uniform on (0, 1] with 53 random bits.
    @inlinable
    public mutating func nextOpenUnitDouble() -> Double {
        let hi = UInt64(nextUInt32() >> 5), lo = UInt64(nextUInt32() >> 6)   // 27 + 26 bits
        return (Double(hi << 26 | lo) + 1) * 0x1p-53
    }

    /// A standard normal deviate (Box–Muller in Double, one deviate per call, no cached state
    /// beyond the stream position).
    @inlinable
    public mutating func nextNormal() -> Double {
        let u1 = nextOpenUnitDouble(), u2 = nextOpenUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<bound (Lemire's nearly divisionless method, unbiased).
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= Int(UInt32.max))
        let b = UInt32(bound)
        var m = UInt64(nextUInt32()) &* UInt64(b)
        if UInt32(truncatingIfNeeded: m) < b {
            let threshold = (0 &- b) % b
            while UInt32(truncatingIfNeeded: m) < threshold { m = UInt64(nextUInt32()) &* UInt64(b) }
        }
        return Int(m >> 32)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int32] {
        var p = (0..<n).map { Int32($0) }
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                p.swapAt(i, nextInt(below: i + 1))
            }
        }
        return p
    }
}

// Elementary functions without Foundation, so the engine stays dependency-free.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
