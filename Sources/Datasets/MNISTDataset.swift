import Dispatch
import IDX

import Foundation

/// An MNIST-format data set (MNIST or Fashion-MNIST): a training split and a test split.
///
/// ```swift
/// let directory = try DataLocation.resolve(options.data)   // --data, SUBLIMINAL_DATA or ./data/mnist
/// let mnist = try MNISTDataset.load(from: directory)
/// let inputs = mnist.train.normalizedImages()                // 60,000 × 784 floats in [-1, 1]
/// ```
public struct MNISTDataset: Sendable {
    /// The training split (60,000 examples for MNIST).
    public let train: MNISTSplit
    /// The test split (10,000 examples for MNIST).
    public let test: MNISTSplit
    /// The directory the files were loaded from.
    public let directory: URL

    /// Creates a data set from two splits.
    public init(train: MNISTSplit, test: MNISTSplit, directory: URL) {
        self.train = train
        self.test = test
        self.directory = directory
    }

    /// Loads the four standard files from `directory`.
    ///
    /// Each file is looked for under its standard gzip name (e.g. `train-images-idx3-ubyte.gz`)
    /// and, if that is absent, under its un-gzipped name (`train-images-idx3-ubyte`). Whether a
    /// file is compressed is then decided by its content. The two splits are decoded in parallel.
    ///
    /// - Throws: ``DatasetError``: the directory or a file is missing (the message gives the
    ///   command that fetches the data), a file is damaged, the images are not 28×28 unsigned
    ///   bytes, image and label counts disagree, or a label is outside 0...9.
    public static func load(from directory: URL) throws -> MNISTDataset {
        try DataLocation.checkDirectory(directory, origin: .explicit, dataset: DatasetKind.mnist.rawValue)
        let trainImages = try locate(.trainImages, in: directory)
        let trainLabels = try locate(.trainLabels, in: directory)
        let testImages = try locate(.testImages, in: directory)
        let testLabels = try locate(.testLabels, in: directory)

        let results = ParallelResults<MNISTSplit>(count: 2)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            results.set(index) {
                index == 0
                    ? try MNISTSplit.load(images: trainImages, labels: trainLabels)
                    : try MNISTSplit.load(images: testImages, labels: testLabels)
            }
        }
        return MNISTDataset(train: try results.get(0), test: try results.get(1), directory: directory)
    }

    /// The URL of `file` in `directory`: the `.gz` file if it exists, else the un-gzipped one.
    ///
    /// - Throws: ``DatasetError/missingFile(directory:file:)`` when neither exists.
    public static func locate(_ file: MNISTFile, in directory: URL) throws -> URL {
        for name in [file.compressedName, file.uncompressedName] {
            let url = directory.appendingPathComponent(name, isDirectory: false)
            if FileManager.default.fileExists(atPath: url.fileSystemPath) { return url }
        }
        throw DatasetError.missingFile(directory: directory.fileSystemPath, file: file)
    }
}

/// Results of work done on several threads, each slot written by exactly one of them and read
/// only after all of them have finished (`concurrentPerform` returns after every iteration).
private final class ParallelResults<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result<Value, any Error>?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ index: Int, _ body: () throws -> Value) {
        slots[index] = Result { try body() }
    }

    func get(_ index: Int) throws -> Value {
        try slots[index]!.get()
    }
}
