import Foundation
import Testing

@testable import IDX

/// A small, fast, seeded generator (SplitMix64), so that "random" tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A fresh temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("IDXTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `bytes` to a file of the directory and returns its URL.
    func write(_ bytes: [UInt8], to name: String) throws -> URL {
        let file = file(name)
        try Data(bytes).write(to: file)
        return file
    }

    /// The names of the files in the directory.
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }
}

/// The error `body` throws, as an `IDXError`; records an issue when it throws nothing or
/// something else.
func idxError(_ body: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation) -> IDXError? {
    do {
        let value = try body()
        Issue.record("expected an IDXError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as IDXError {
        return error
    } catch {
        Issue.record("expected an IDXError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// `bytes` compressed into one gzip member, with the writer's own deflater.
func gzip(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
    let memory = MemorySink()
    let sink = try GzipDeflateSink(destination: memory, level: level, path: "<test>")
    try bytes.withUnsafeBytes { try sink.write($0) }
    try sink.finish()
    return memory.bytes
}

/// An IDX header, encoded by hand (independently of `IDXHeader.encoded`).
func headerBytes(code: UInt8, shape: [UInt32]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, code, UInt8(shape.count)]
    for dimension in shape {
        bytes += [UInt8(dimension >> 24), UInt8((dimension >> 16) & 0xFF), UInt8((dimension >> 8) & 0xFF), UInt8(dimension & 0xFF)]
    }
    return bytes
}

/// Values that exercise the edges of each type, placed first in random arrays.
enum SpecialValues {
    static let uint8: [UInt8] = [0, 255, 1, 128, 127]
    static let int8: [Int8] = [.min, .max, 0, -1, 1]
    static let int16: [Int16] = [.min, .max, 0, -1, 0x0102]
    static let int32: [Int32] = [.min, .max, 0, -1, 0x0102_0304]
    static let float32: [Float] = [
        .nan, -.nan, .signalingNaN, .infinity, -.infinity, -0.0, 0.0, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude, 1.5, -2.25,
        Float(bitPattern: 0x7FC0_1234),
    ]
    static let float64: [Double] = [
        .nan, -.nan, .signalingNaN, .infinity, -.infinity, -0.0, 0.0, .greatestFiniteMagnitude,
        -.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude, 1.5, -2.25,
        Double(bitPattern: 0x7FF8_0000_DEAD_BEEF),
    ]
}

/// Random values of type `T` (every bit pattern is possible), with `specials` first.
func randomValues<T: FixedWidthInteger>(
    _: T.Type, count: Int, specials: [T], using generator: inout SeededGenerator
) -> [T] {
    (0..<count).map { index in index < specials.count ? specials[index] : T.random(in: .min ... .max, using: &generator) }
}

/// A random array of `type` and `shape`, including each type's extreme values (NaN, infinities,
/// negative zero, integer minima and maxima) when it has room for them.
func randomArray(type: IDXElementType, shape: [Int], using generator: inout SeededGenerator) throws -> IDXArray {
    let count = shape.reduce(1, *)
    switch type {
    case .uint8:
        return try IDXArray(shape: shape, values: randomValues(UInt8.self, count: count, specials: SpecialValues.uint8, using: &generator))
    case .int8:
        return try IDXArray(shape: shape, values: randomValues(Int8.self, count: count, specials: SpecialValues.int8, using: &generator))
    case .int16:
        return try IDXArray(shape: shape, values: randomValues(Int16.self, count: count, specials: SpecialValues.int16, using: &generator))
    case .int32:
        return try IDXArray(shape: shape, values: randomValues(Int32.self, count: count, specials: SpecialValues.int32, using: &generator))
    case .float32:
        let bits = randomValues(UInt32.self, count: count, specials: SpecialValues.float32.map(\.bitPattern), using: &generator)
        return try IDXArray(shape: shape, values: bits.map(Float.init(bitPattern:)))
    case .float64:
        let bits = randomValues(UInt64.self, count: count, specials: SpecialValues.float64.map(\.bitPattern), using: &generator)
        return try IDXArray(shape: shape, values: bits.map(Double.init(bitPattern:)))
    }
}
