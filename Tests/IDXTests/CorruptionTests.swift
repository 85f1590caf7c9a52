import Foundation
import Testing

@testable import IDX

/// Bad input of every kind ends in the expected `IDXError`, never a crash, a hang or a huge
/// allocation.
@Suite("Corrupt input")
struct CorruptionTests {
    /// A small int16 array: a 12-byte header (rank 2) and a 12-byte payload.
    static let array = try! IDXArray(shape: [3, 2], values: [1, -2, 300, -400, .max, .min] as [Int16])

    @Test("every truncation of a raw file is reported with the sizes")
    func rawTruncation() throws {
        let bytes = try IDXWriter.encode(Self.array, compressed: false)
        #expect(bytes.count == 24)
        let directory = try TemporaryDirectory()
        for length in 0..<bytes.count {
            let expectedTotal = length < 4 ? 4 : (length < 12 ? 12 : 24)
            let expected = IDXError.truncated(path: "cut", expectedByteCount: expectedTotal, actualByteCount: length)
            #expect(idxError { try IDXReader.decode(Array(bytes[..<length]), name: "cut") } == expected, "length \(length)")

            let url = try directory.write(Array(bytes[..<length]), to: "cut-\(length)")
            let fromFile = IDXError.truncated(path: url.path, expectedByteCount: expectedTotal, actualByteCount: length)
            #expect(idxError { try IDXReader.read(contentsOf: url) } == fromFile, "file of length \(length)")
        }
    }

    @Test("every truncation of a gzip file is reported as an incomplete gzip stream")
    func gzipTruncation() throws {
        let bytes = try IDXWriter.encode(Self.array, compressed: true)
        let directory = try TemporaryDirectory()
        for length in 0..<bytes.count {
            // Fewer than 2 bytes cannot be recognized as gzip: they are read as a raw file that
            // ends inside the magic number.
            let expected = length < 2
                ? IDXError.truncated(path: "cut", expectedByteCount: 4, actualByteCount: length)
                : IDXError.truncatedCompressedData(path: "cut")
            #expect(idxError { try IDXReader.decode(Array(bytes[..<length]), name: "cut") } == expected, "length \(length)")
        }
        // And through a file, at a few points (header, deflate data, trailer).
        for length in [2, 5, 10, bytes.count / 2, bytes.count - 8, bytes.count - 1] {
            let url = try directory.write(Array(bytes[..<length]), to: "cut-\(length).gz")
            #expect(idxError { try IDXReader.read(contentsOf: url) } == .truncatedCompressedData(path: url.path))
        }
    }

    /// Flipping random bits anywhere never crashes. In a raw file, a flip in the payload gives
    /// a valid array with that byte changed; in a gzip file, any successful read must return
    /// the original array (the CRC protects the content).
    @Test("random byte flips give an error or a correct array", arguments: [false, true])
    func byteFlips(compressed: Bool) throws {
        var generator = SeededGenerator(seed: compressed ? 1 : 2)
        let original = try randomArray(type: .int32, shape: [5, 4, 3], using: &generator)
        let bytes = try IDXWriter.encode(original, compressed: compressed)
        let headerSize = original.header.byteCount
        var errors = 0
        for _ in 0..<300 {
            var flipped = bytes
            let offset = Int.random(in: 0..<bytes.count, using: &generator)
            flipped[offset] ^= UInt8.random(in: 1...255, using: &generator)
            do {
                let array = try IDXReader.decode(flipped, name: "flipped")
                if compressed {
                    #expect(array == original, "flip at \(offset) went unnoticed")
                } else {
                    #expect(offset >= headerSize, "header flip at \(offset) accepted")
                    #expect(try IDXWriter.encode(array, compressed: false) == flipped)
                }
            } catch is IDXError {
                errors += 1
                if !compressed { #expect(offset < headerSize, "payload flip at \(offset) rejected") }
            }
        }
        #expect(errors > 0)
    }

    @Test("a wrong magic number is rejected")
    func badMagic() throws {
        #expect(idxError { try IDXReader.decode([1, 2, 8, 1, 0, 0, 0, 1, 7], name: "m") } == .badMagic(path: "m", prefix: [1, 2, 8, 1]))
        #expect(idxError { try IDXReader.decode([0, 1, 8, 1, 0, 0, 0, 1, 7], name: "m") } == .badMagic(path: "m", prefix: [0, 1, 8, 1]))
        #expect(idxError { try IDXReader.decode(Array("hi".utf8), name: "m") } == .badMagic(path: "m", prefix: Array("hi".utf8)))
        // A gzip file whose content is not IDX.
        let text = try gzip(Array("hello, world\n".utf8))
        #expect(idxError { try IDXReader.decode(text, name: "t.gz") } == .badMagic(path: "t.gz", prefix: Array("hell".utf8)))
    }

    @Test("an unknown type code is rejected", arguments: [0x00, 0x07, 0x0A, 0x0F, 0xFF] as [UInt8])
    func unknownType(code: UInt8) throws {
        let bytes = headerBytes(code: code, shape: [1]) + [0, 0, 0, 0, 0, 0, 0, 0]
        #expect(idxError { try IDXReader.decode(bytes, name: "u") } == .unknownElementType(path: "u", code: code))
        #expect(idxError { try IDXReader.decode(try gzip(bytes), name: "u") } == .unknownElementType(path: "u", code: code))
        #expect(IDXError.unknownElementType(path: "u", code: code).description.contains("0x0D float"))
    }

    @Test("zero dimensions and rank 0 are rejected")
    func zeroDimensions() throws {
        #expect(idxError { try IDXReader.decode([0, 0, 8, 0, 1, 2, 3], name: "z") } == .invalidRank(path: "z"))
        let zero = headerBytes(code: 0x08, shape: [3, 0, 2])
        #expect(idxError { try IDXReader.decode(zero, name: "z") } == .zeroDimension(path: "z", axis: 1, shape: [3, 0, 2]))
        #expect(idxError { try IDXReader.decode(try gzip(zero), name: "z") } == .zeroDimension(path: "z", axis: 1, shape: [3, 0, 2]))
        // A zero dimension after ones that overflow is still reported as the zero.
        let both = headerBytes(code: 0x0E, shape: [.max, .max, .max, 0])
        #expect(idxError { try IDXReader.decode(both, name: "z") } == .zeroDimension(path: "z", axis: 3, shape: [4_294_967_295, 4_294_967_295, 4_294_967_295, 0]))
    }

    @Test("data after the payload is rejected")
    func trailingData() throws {
        let bytes = try IDXWriter.encode(Self.array, compressed: false)
        #expect(idxError { try IDXReader.decode(bytes + [9, 9, 9], name: "t") } == .trailingData(path: "t", extraByteCount: 3, isExact: true))
        // In the compressed content...
        #expect(idxError { try IDXReader.decode(try gzip(bytes + [9]), name: "t") } == .trailingData(path: "t", extraByteCount: 1, isExact: true))
        // ...or in a second gzip member.
        #expect(idxError { try IDXReader.decode(try gzip(bytes) + gzip([1, 2]), name: "t") } == .trailingData(path: "t", extraByteCount: 2, isExact: true))
    }

    @Test("bytes after the gzip stream that are not a gzip member are rejected")
    func trailingGarbage() throws {
        let compressed = try IDXWriter.encode(Self.array, compressed: true)
        #expect(idxError { try IDXReader.decode(compressed + [0], name: "g") } == .trailingGarbage(path: "g", byteCount: 1))
        #expect(idxError { try IDXReader.decode(compressed + [0x1F], name: "g") } == .trailingGarbage(path: "g", byteCount: 1))
        #expect(idxError { try IDXReader.decode(compressed + [UInt8](repeating: 0, count: 512), name: "g") } == .trailingGarbage(path: "g", byteCount: 512))
        // A second "member" that starts right but is cut short is an incomplete stream.
        #expect(idxError { try IDXReader.decode(compressed + [0x1F, 0x8B], name: "g") } == .truncatedCompressedData(path: "g"))
    }

    @Test("damaged deflate data, CRC and length are reported as corrupt")
    func corruptDeflate() throws {
        let compressed = try IDXWriter.encode(Self.array, compressed: true)
        let count = compressed.count
        // Byte 3 is FLG: reserved bits must be zero.
        var badFlags = compressed
        badFlags[3] = 0xE0
        // Byte 10 starts the deflate data: block type 3 is invalid.
        var badBlock = compressed
        badBlock[10] = 0xFF
        var badCRC = compressed
        badCRC[count - 8] ^= 0x01
        var badLength = compressed
        badLength[count - 4] ^= 0x01
        for (name, bytes) in [("flags", badFlags), ("block", badBlock), ("crc", badCRC), ("length", badLength)] {
            let error = idxError { try IDXReader.decode(bytes, name: name) }
            guard case .corruptCompressedData(let path, let detail)? = error else {
                Issue.record("\(name): expected corrupt gzip data, got \(String(describing: error))")
                continue
            }
            #expect(path == name && !detail.isEmpty)
        }
    }

    @Test("missing files, directories and non-file URLs are reported")
    func missingFiles() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("nope.gz")
        #expect(idxError { try IDXReader.read(contentsOf: missing) } == .fileNotFound(path: missing.path))
        #expect(idxError { try IDXReader.read(contentsOf: directory.file("no/such/dir")) } == .fileNotFound(path: directory.file("no/such/dir").path))
        #expect(idxError { try IDXReader.read(contentsOf: directory.url) } == .notARegularFile(path: directory.url.path))
        let web = try #require(URL(string: "https://example.com/train-images-idx3-ubyte.gz"))
        #expect(idxError { try IDXReader.read(contentsOf: web) } == .notARegularFile(path: web.absoluteString))
        #expect(idxError { try sha256OfMissing(missing) } == .fileNotFound(path: missing.path))
    }

    private func sha256OfMissing(_ url: URL) throws -> Int {
        var total = 0
        try FileContent.forEachChunk(ofFileAt: url, decompressingGzip: false) { total += $0.count }
        return total
    }

    @Test("every error description is one line that names the file")
    func descriptions() {
        let errors: [IDXError] = [
            .fileNotFound(path: "/d/f"), .notARegularFile(path: "/d/f"), .systemError(path: "/d/f", operation: "read", errno: EIO),
            .corruptCompressedData(path: "/d/f", detail: "invalid block type"), .truncatedCompressedData(path: "/d/f"),
            .trailingGarbage(path: "/d/f", byteCount: 2), .zlibFailure(path: "/d/f", detail: "x"),
            .badMagic(path: "/d/f", prefix: [1, 2]), .unknownElementType(path: "/d/f", code: 3), .invalidRank(path: "/d/f"),
            .zeroDimension(path: "/d/f", axis: 0, shape: [0]), .sizeOverflow(path: "/d/f", shape: [1]),
            .exceedsLimit(path: "/d/f", payloadByteCount: 2, limit: 1),
            .truncated(path: "/d/f", expectedByteCount: 2, actualByteCount: 1),
            .trailingData(path: "/d/f", extraByteCount: 1, isExact: true),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("/d/f: "), "\(error)")
            #expect(!error.description.contains("\n"))
        }
        #expect(IDXError.systemError(path: "/d/f", operation: "read", errno: EIO).description == "/d/f: cannot read: Input/output error")
        #expect(IDXError.trailingData(path: "p", extraByteCount: 5, isExact: false).description.contains("more than 5 bytes"))
    }
}

/// Headers that claim far more data than the file holds must be refused before anything of
/// that size is allocated. The claims below are so large (up to 2⁶² bytes) that an attempt to
/// allocate them would crash the test process.
@Suite("Hostile headers")
struct HostileHeaderTests {
    static let unlimited = IDXReadLimits(maximumPayloadByteCount: .max)

    @Test("a raw header claiming 2^31 items is checked against the file size")
    func rawClaim() throws {
        let bytes = headerBytes(code: 0x08, shape: [1 << 31]) + [UInt8](repeating: 7, count: 10)
        #expect(idxError { try IDXReader.decode(bytes, name: "h") } == .truncated(path: "h", expectedByteCount: 8 + (1 << 31), actualByteCount: 18))
        let huge = headerBytes(code: 0x08, shape: [1 << 31, 1 << 31]) + [1, 2, 3]
        #expect(idxError { try IDXReader.decode(huge, name: "h", limits: Self.unlimited) } == .truncated(path: "h", expectedByteCount: 12 + (1 << 62), actualByteCount: 15))
    }

    @Test("a gzip header claiming 2^31 items fails without allocating them", arguments: [IDXElementType.uint8, .float64])
    func gzipClaim(type: IDXElementType) throws {
        let content = headerBytes(code: type.code, shape: [1 << 31]) + [UInt8](repeating: 0, count: 16)
        let expected = IDXError.truncated(path: "h", expectedByteCount: 8 + (1 << 31) * type.byteWidth, actualByteCount: 24)
        #expect(idxError { try IDXReader.decode(try gzip(content), name: "h") } == expected)
    }

    @Test("a gzip header claiming 2^62 bytes fails without allocating them")
    func gzipHugeClaim() throws {
        // A stream that really expands (a megabyte of zeros) but far less than claimed.
        let content = headerBytes(code: 0x08, shape: [1 << 31, 1 << 31]) + [UInt8](repeating: 0, count: 1 << 20)
        let expected = IDXError.truncated(path: "h", expectedByteCount: 12 + (1 << 62), actualByteCount: 12 + (1 << 20))
        #expect(idxError { try IDXReader.decode(try gzip(content, level: 9), name: "h", limits: Self.unlimited) } == expected)
    }

    @Test("sizes that overflow are rejected")
    func overflow() throws {
        let shape: [UInt32] = [.max, .max, .max]
        let bytes = headerBytes(code: 0x08, shape: shape) + [1]
        #expect(idxError { try IDXReader.decode(bytes, name: "o", limits: Self.unlimited) } == .sizeOverflow(path: "o", shape: shape.map(Int.init)))
        // Element count fits, byte count does not.
        let doubles = headerBytes(code: 0x0E, shape: [1 << 31, 1 << 31]) + [1]
        #expect(idxError { try IDXReader.decode(doubles, name: "o", limits: Self.unlimited) } == .sizeOverflow(path: "o", shape: [1 << 31, 1 << 31]))
    }

    @Test("payloads above the limit are refused up front")
    func limit() throws {
        let bytes = headerBytes(code: 0x0D, shape: [1 << 20, 1 << 20]) + [1]
        #expect(idxError { try IDXReader.decode(bytes, name: "l") } == .exceedsLimit(path: "l", payloadByteCount: 1 << 42, limit: 16 << 30))
        let small = IDXReadLimits(maximumPayloadByteCount: 8)
        let nine = try IDXWriter.encode(IDXArray(shape: [9], values: [UInt8](repeating: 1, count: 9)), compressed: true)
        #expect(idxError { try IDXReader.decode(nine, name: "l", limits: small) } == .exceedsLimit(path: "l", payloadByteCount: 9, limit: 8))
    }

    /// A small gzip file that inflates to far more than its header says is stopped after a
    /// bounded amount of work and reported as trailing data.
    @Test("a decompression bomb after the payload is cut short")
    func bomb() throws {
        let content = headerBytes(code: 0x08, shape: [1]) + [UInt8](repeating: 0, count: (64 << 20) + 2)
        let error = idxError { try IDXReader.decode(try gzip(content, level: 9), name: "b") }
        guard case .trailingData(_, let extra, let isExact)? = error else {
            Issue.record("expected trailing data, got \(String(describing: error))")
            return
        }
        #expect(extra == 64 << 20 && !isExact)
    }
}
