import Foundation
import IDX
import Testing

@testable import Datasets

/// A fresh temporary directory, removed when the value is deinitialized.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("DatasetsTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    var path: String { url.path }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func remove(_ name: String) throws { try FileManager.default.removeItem(at: file(name)) }
}

/// The real MNIST files, when the shared data directory sits beside the repository
/// (`<repository>/../shared/data/mnist`, as on the developers' machines and in CI).
enum RealMNIST {
    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // DatasetsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the repository
        .appendingPathComponent("../shared/data/mnist", isDirectory: true)
        .standardizedFileURL

    static let isAvailable = MNISTFile.allCases.allSatisfy {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent($0.compressedName).path(percentEncoded: false))
    }

    /// Loaded once and shared by the tests that need it.
    static let dataset: Result<MNISTDataset, any Error> = Result { try MNISTDataset.load(from: directory) }
}

/// Writes a small synthetic MNIST-format data set with the IDX writer.
struct SyntheticMNIST {
    var trainCount = 5
    var testCount = 3
    var compressed = true
    var rows = 28
    var cols = 28

    /// Pixel `i` of image `n` is `(n * 31 + i) % 256`; label `n` is `n % 10`.
    static func images(count: Int, rows: Int = 28, cols: Int = 28) -> [UInt8] {
        (0..<count * rows * cols).map { UInt8(($0 / (rows * cols) * 31 + $0 % (rows * cols)) % 256) }
    }

    static func labels(count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % 10) } }

    /// Writes the four files into `directory`, under the `.gz` names when compressed and the
    /// un-gzipped names otherwise.
    func write(to directory: URL) throws {
        for (file, count) in [(MNISTFile.trainImages, trainCount), (.trainLabels, trainCount), (.testImages, testCount), (.testLabels, testCount)] {
            let array = file == .trainImages || file == .testImages
                ? try IDXArray(shape: [count, rows, cols], values: Self.images(count: count, rows: rows, cols: cols))
                : try IDXArray(shape: [count], values: Self.labels(count: count))
            try write(array, as: file, to: directory)
        }
    }

    /// Replaces one file.
    func write(_ array: IDXArray, as file: MNISTFile, to directory: URL) throws {
        let name = compressed ? file.compressedName : file.uncompressedName
        try IDXWriter.write(array, to: directory.appendingPathComponent(name), compressed: compressed)
    }
}

/// The error `body` throws, as a `DatasetError`; records an issue when it throws nothing or
/// something else.
func datasetError(_ body: () throws -> Any, sourceLocation: SourceLocation = #_sourceLocation) -> DatasetError? {
    do {
        let value = try body()
        Issue.record("expected a DatasetError, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as DatasetError {
        return error
    } catch {
        Issue.record("expected a DatasetError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
