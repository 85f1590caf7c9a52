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
