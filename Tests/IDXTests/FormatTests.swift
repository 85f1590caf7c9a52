import Foundation
import Testing

@testable import IDX

/// The bytes on disk, checked against the specification by hand, so that a reader and a writer
/// that agree on a wrong format cannot pass.
@Suite("Format")
struct FormatTests {
    @Test("type codes and widths follow the IDX specification")
    func typeCodes() {
        let expected: [(IDXElementType, UInt8, Int)] = [
            (.uint8, 0x08, 1), (.int8, 0x09, 1), (.int16, 0x0B, 2), (.int32, 0x0C, 4), (.float32, 0x0D, 4), (.float64, 0x0E, 8),
        ]
        #expect(IDXElementType.allCases.count == expected.count)
        for (type, code, width) in expected {
            #expect(type.code == code && type.byteWidth == width)
            #expect(IDXElementType(rawValue: code) == type)
        }
        #expect(IDXElementType.uint8.description == "unsigned byte (0x08)")
    }

    @Test("the writer stores the header and the payload big-endian")
    func writerLayout() throws {
        let shortArray = try IDXArray(shape: [2], values: [1, -2] as [Int16])
        #expect(try IDXWriter.encode(shortArray, compressed: false) == [0, 0, 0x0B, 1, 0, 0, 0, 2, 0x00, 0x01, 0xFF, 0xFE])

        let intArray = try IDXArray(shape: [1, 1], values: [0x0102_0304] as [Int32])
        #expect(try IDXWriter.encode(intArray, compressed: false) == [0, 0, 0x0C, 2, 0, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4])

        let floatArray = try IDXArray(shape: [1], values: [1.0] as [Float])
        #expect(try IDXWriter.encode(floatArray, compressed: false) == [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0x80, 0, 0])

        let doubleArray = try IDXArray(shape: [1], values: [-2.0] as [Double])
        #expect(try IDXWriter.encode(doubleArray, compressed: false) == [0, 0, 0x0E, 1, 0, 0, 0, 1, 0xC0, 0, 0, 0, 0, 0, 0, 0])

        let byteArray = try IDXArray(shape: [258, 1], values: [Int8](repeating: -1, count: 258))
        let bytes = try IDXWriter.encode(byteArray, compressed: false)
        #expect(Array(bytes.prefix(12)) == [0, 0, 0x09, 2, 0, 0, 1, 2, 0, 0, 0, 1])
        #expect(bytes.count == 12 + 258 && bytes.dropFirst(12).allSatisfy { $0 == 0xFF })
    }

    @Test("the reader decodes hand-made files")
    func readerDecodesHandMadeBytes() throws {
        let shorts = try IDXReader.decode(headerBytes(code: 0x0B, shape: [3]) + [0x00, 0x01, 0xFF, 0xFE, 0x80, 0x00])
        #expect(shorts.asInt16() == [1, -2, .min])

        let floats = try IDXReader.decode(headerBytes(code: 0x0D, shape: [2, 1]) + [0xC0, 0x49, 0x0F, 0xDA, 0x7F, 0x80, 0, 0])
        #expect(floats.shape == [2, 1])
        #expect(floats.asFloat() == [-Float.pi, .infinity])

        let doubles = try IDXReader.decode(headerBytes(code: 0x0E, shape: [1]) + [0x3F, 0xF8, 0, 0, 0, 0, 0, 0])
        #expect(doubles.asDouble() == [1.5])

        let ints = try IDXReader.decode(headerBytes(code: 0x0C, shape: [1, 1, 1]) + [0xFF, 0xFF, 0xFF, 0xFE])
        #expect(ints.asInt32() == [-2] && ints.rank == 3)

        let signedBytes = try IDXReader.decode(headerBytes(code: 0x09, shape: [2]) + [0x80, 0x7F])
        #expect(signedBytes.asInt8() == [-128, 127])

        let labels = try IDXReader.decode(headerBytes(code: 0x08, shape: [4]) + [5, 0, 4, 1])
        #expect(labels.asUInt8() == [5, 0, 4, 1] && labels.type == .uint8 && labels.count == 4)
    }

    @Test("rank 255 is the largest and works")
    func maximumRank() throws {
        let shape = [Int](repeating: 1, count: 254) + [3]
        let array = try IDXArray(shape: shape, values: [1, 2, 3] as [UInt8])
        for compressed in [false, true] {
            #expect(try IDXReader.decode(IDXWriter.encode(array, compressed: compressed)) == array)
        }
    }

    @Test("gzip output is deterministic and has a plain gzip header")
    func gzipHeader() throws {
        let array = try IDXArray(shape: [3], values: [1, 2, 3] as [UInt8])
        let first = try IDXWriter.encode(array, compressed: true)
        #expect(first == (try IDXWriter.encode(array, compressed: true)))
        // Magic, deflate method, no flags (no file name), zero modification time.
        #expect(Array(first.prefix(8)) == [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0])
        var content: [UInt8] = []
        let directory = try TemporaryDirectory()
        let url = try directory.write(first, to: "a.gz")
        try FileContent.forEachChunk(ofFileAt: url, decompressingGzip: true) { content += $0 }
        #expect(content == (try IDXWriter.encode(array, compressed: false)))
        #expect(try FileContent.isGzip(at: url))
    }

    @Test("compression is detected from the content, not the name")
    func detectionByContent() throws {
        let array = try IDXArray(shape: [2, 2], values: [1, 2, 3, 4] as [Int16])
        let directory = try TemporaryDirectory()
        let rawNamedGz = directory.file("raw.gz")
        try IDXWriter.write(array, to: rawNamedGz, compressed: false)
        #expect(try IDXReader.read(contentsOf: rawNamedGz) == array)
        #expect(try !FileContent.isGzip(at: rawNamedGz))
        let gzipNamedRaw = directory.file("gzip-ubyte")
        try IDXWriter.write(array, to: gzipNamedRaw, compressed: true)
        #expect(try IDXReader.read(contentsOf: gzipNamedRaw) == array)
    }

    @Test("concatenated gzip members are read as one stream")
    func concatenatedMembers() throws {
        let array = try IDXArray(shape: [10, 10], values: (0..<100).map { Int32($0 * 1_000) })
        let raw = try IDXWriter.encode(array, compressed: false)
        for split in [1, 4, 12, 100, raw.count - 1] {
            let members = try gzip(Array(raw[..<split])) + gzip(Array(raw[split...]))
            #expect(try IDXReader.decode(members) == array, "split at \(split)")
        }
        // Three members, one of them empty.
        let three = try gzip(Array(raw[..<50])) + gzip([]) + gzip(Array(raw[50...]))
        #expect(try IDXReader.decode(three) == array)
    }

    static let systemGzip = ["/usr/bin/gzip", "/bin/gzip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Interoperability with the reference tool: `gzip` stores the file name in its header
    /// (the FNAME flag), as in the real MNIST files.
    @Test("files made by gzip(1) are read, and gzip(1) reads ours", .enabled(if: systemGzip != nil, "needs gzip(1)"))
    func systemGzipInterop() throws {
        let gzipPath = try #require(Self.systemGzip)
        var generator = SeededGenerator(seed: 3)
        let array = try randomArray(type: .float32, shape: [40, 30], using: &generator)
        let directory = try TemporaryDirectory()
        let raw = directory.file("data-idx2-float")
        try IDXWriter.write(array, to: raw, compressed: false)
        try run(gzipPath, ["-k", "-9", raw.path])
        let theirs = directory.file("data-idx2-float.gz")
        #expect(try FileContent.isGzip(at: theirs))
        #expect(try IDXReader.read(contentsOf: theirs) == array)

        let ours = directory.file("ours.gz")
        try IDXWriter.write(array, to: ours, compressed: true)
        try run(gzipPath, ["-t", ours.path])
    }

    private func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(executable) \(arguments)")
    }
}

@Suite("Arrays")
struct ArrayTests {
    @Test("initializers check the shape against the values")
    func validation() {
        #expect(throws: IDXError.countMismatch(shape: [2, 3], expected: 6, actual: 5)) {
            try IDXArray(shape: [2, 3], values: [UInt8](repeating: 0, count: 5))
        }
        #expect(throws: IDXError.self) { try IDXArray(shape: [], values: [] as [UInt8]) }
        #expect(throws: IDXError.self) { try IDXArray(shape: [0], values: [] as [UInt8]) }
        #expect(throws: IDXError.self) { try IDXArray(shape: [-1, -1], values: [1] as [UInt8]) }
        #expect(throws: IDXError.self) { try IDXArray(shape: [Int(UInt32.max) + 1], values: [1] as [UInt8]) }
        #expect(throws: IDXError.self) { try IDXArray(shape: [Int](repeating: 1, count: 256), values: [1] as [UInt8]) }
        #expect(throws: IDXError.self) { try IDXHeader(type: .float64, shape: [1 << 31, 1 << 31, 4]) }
        #expect(throws: Never.self) { try IDXHeader(type: .uint8, shape: [Int](repeating: 1, count: 255)) }
    }

    @Test("typed accessors return values only for their own type")
    func accessors() throws {
        let array = try IDXArray(shape: [2], values: [1.5, -1] as [Float])
        #expect(array.asFloat() == [1.5, -1])
        #expect(array.values(as: Float.self) == [1.5, -1])
        #expect(array.asDouble() == nil && array.asUInt8() == nil && array.asInt8() == nil)
        #expect(array.asInt16() == nil && array.asInt32() == nil)
        #expect(array.doubleValues() == [1.5, -1])
        #expect(try IDXArray(shape: [2], values: [-3, 7] as [Int16]).doubleValues() == [-3, 7])
        #expect(array.description == "IDXArray(float (0x0D), shape [2])")
    }

    @Test("equality is bitwise")
    func equality() throws {
        let nan = try IDXArray(shape: [1], values: [Float.nan])
        #expect(nan == (try IDXArray(shape: [1], values: [Float.nan])))
        #expect(try IDXArray(shape: [1], values: [Float(0)]) != IDXArray(shape: [1], values: [Float(-0.0)]))
        #expect(try IDXArray(shape: [2, 1], values: [1, 2] as [UInt8]) != IDXArray(shape: [1, 2], values: [1, 2] as [UInt8]))
        #expect(try IDXArray(shape: [1], values: [1] as [UInt8]) != IDXArray(shape: [1], values: [1] as [Int8]))
    }
}
