import Foundation
import Testing

@testable import IDX

@Suite("Round trips")
struct RoundTripTests {
    /// Every element type, rank 1 to 4, raw and gzip, through files and through memory, with
    /// random contents that include each type's extreme values.
    @Test("write then read gives the same array", arguments: IDXElementType.allCases, 1...4)
    func roundTrip(type: IDXElementType, rank: Int) throws {
        var generator = SeededGenerator(seed: UInt64(type.code) << 8 | UInt64(rank))
        let directory = try TemporaryDirectory()
        for trial in 0..<3 {
            // Rank 1 gets long vectors (room for every special value); higher ranks get small
            // random dimensions, sometimes of size 1.
            let shape = (0..<rank).map { _ in rank == 1 ? Int.random(in: 1...400, using: &generator) : Int.random(in: 1...7, using: &generator) }
            let array = try randomArray(type: type, shape: shape, using: &generator)
            for compressed in [false, true] {
                let url = directory.file("array-\(trial)-\(compressed).idx")
                try IDXWriter.write(array, to: url, compressed: compressed)
                let read = try IDXReader.read(contentsOf: url)
                #expect(read == array, "file, compressed: \(compressed), shape \(shape)")
                #expect(read.shape == shape && read.type == type)

                let decoded = try IDXReader.decode(IDXWriter.encode(array, compressed: compressed))
                #expect(decoded == array, "memory, compressed: \(compressed), shape \(shape)")
            }
        }
    }

    @Test("the special floating-point values survive bit for bit", arguments: [false, true])
    func specialFloats(compressed: Bool) throws {
        let floats = try IDXArray(shape: [SpecialValues.float32.count], values: SpecialValues.float32)
        let readFloats = try #require(IDXReader.decode(IDXWriter.encode(floats, compressed: compressed)).asFloat())
        #expect(readFloats.map(\.bitPattern) == SpecialValues.float32.map(\.bitPattern))

        let doubles = try IDXArray(shape: [SpecialValues.float64.count], values: SpecialValues.float64)
        let readDoubles = try #require(IDXReader.decode(IDXWriter.encode(doubles, compressed: compressed)).asDouble())
        #expect(readDoubles.map(\.bitPattern) == SpecialValues.float64.map(\.bitPattern))
    }

    /// Larger than the reader's and the writer's internal buffers (64 KiB conversion blocks,
    /// 256 KiB compressed chunks), so that every chunk boundary is crossed.
    @Test("arrays larger than the I/O buffers", arguments: [IDXElementType.uint8, .int16, .float64])
    func largeArrays(type: IDXElementType) throws {
        var generator = SeededGenerator(seed: 99)
        let array = try randomArray(type: type, shape: [301, 1_001], using: &generator)
        let directory = try TemporaryDirectory()
        for compressed in [false, true] {
            let url = directory.file("large.idx")
            try IDXWriter.write(array, to: url, compressed: compressed, compressionLevel: 1)
            #expect(try IDXReader.read(contentsOf: url) == array)
        }
    }

    /// A gzip payload above the trusted allocation is collected chunk by chunk, and must come
    /// out the same as when it is read in one go.
    @Test("gzip payloads above the trusted allocation are read in chunks")
    func chunkedPayload() throws {
        var generator = SeededGenerator(seed: 7)
        let array = try randomArray(type: .int32, shape: [97, 103], using: &generator)
        let bytes = try IDXWriter.encode(array, compressed: true)
        for trusted in [0, 1, 4_096, 5_000, 39_964, 1 << 20] {
            let limits = IDXReadLimits(trustedAllocationByteCount: trusted)
            #expect(try IDXReader.decode(bytes, limits: limits) == array, "trusted allocation \(trusted)")
        }
    }

    @Test("gzip at every compression level", arguments: 0...9)
    func compressionLevels(level: Int) throws {
        var generator = SeededGenerator(seed: UInt64(level))
        let array = try randomArray(type: .uint8, shape: [50, 50], using: &generator)
        #expect(try IDXReader.decode(IDXWriter.encode(array, compressed: true, compressionLevel: level)) == array)
    }

    @Test("readHeader reads only the header")
    func readHeader() throws {
        let directory = try TemporaryDirectory()
        let array = try IDXArray(shape: [4, 3, 2], values: [Double](repeating: 1, count: 24))
        for compressed in [false, true] {
            let url = directory.file("header-\(compressed)")
            try IDXWriter.write(array, to: url, compressed: compressed)
            let header = try IDXReader.readHeader(contentsOf: url)
            #expect(header == array.header)
            #expect(header.type == .float64 && header.shape == [4, 3, 2] && header.elementCount == 24)
            #expect(header.payloadByteCount == 192 && header.byteCount == 16)
        }
        // The payload is not checked: a bare header is enough.
        let bare = try directory.write(headerBytes(code: 0x08, shape: [1 << 31]), to: "bare")
        #expect(try IDXReader.readHeader(contentsOf: bare).shape == [1 << 31])
    }
}
