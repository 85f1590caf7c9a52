import Foundation
import Testing

@testable import Datasets

/// Checks against the real MNIST files. They are skipped, with the reason shown, when the
/// shared data directory is not beside the repository (`../shared/data/mnist`); fetch a copy
/// with `bash data-scripts/fetch-data.sh` and point SUBLIMINAL_DATA at it to use
/// `subliminal data verify` instead.
@Suite("Real MNIST", .enabled(if: RealMNIST.isAvailable, "the MNIST files are not in ../shared/data/mnist"))
struct RealMNISTTests {
    @Test("60,000 training and 10,000 test examples of 28×28 pixels")
    func counts() throws {
        let mnist = try RealMNIST.dataset.get()
        #expect(mnist.train.count == 60_000 && mnist.train.labels.count == 60_000)
        #expect(mnist.test.count == 10_000 && mnist.test.labels.count == 10_000)
        for split in [mnist.train, mnist.test] {
            #expect(split.rows == 28 && split.cols == 28 && split.pixelsPerImage == 784)
            #expect(split.images.count == split.count * 784)
        }
    }

    @Test("the published class counts and first labels")
    func labels() throws {
        let mnist = try RealMNIST.dataset.get()
        #expect(mnist.train.classCounts() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(mnist.test.classCounts() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(Array(mnist.train.labels.prefix(5)) == [5, 0, 4, 1, 9])
        #expect(Array(mnist.test.labels.prefix(3)) == [7, 2, 1])
    }

    @Test("normalized pixels lie in [-1, 1] and reach both ends")
    func normalization() throws {
        let mnist = try RealMNIST.dataset.get()
        for split in [mnist.train, mnist.test] {
            let values = split.normalizedImages()
            #expect(values.count == split.images.count)
            let (low, high) = values.withUnsafeBufferPointer { buffer in
                var low = Float.infinity, high = -Float.infinity
                for value in buffer {
                    low = min(low, value)
                    high = max(high, value)
                }
                return (low, high)
            }
            #expect(low == -1 && high == 1)
            // Spot checks against the formula, across the whole array.
            for index in stride(from: 0, to: values.count, by: 7_919) {
                let pixel = Float(split.images[index])
                #expect(values[index] == (pixel / 255 - 0.5) / 0.5)
            }
        }
    }

    @Test("the files have the canonical SHA-256 checksums")
    func checksums() throws {
        let checks = try DatasetChecksums.verify(directory: RealMNIST.directory)
        #expect(checks.map(\.status) == [.verified, .verified, .verified, .verified])
        #expect(checks.map(\.name) == MNISTFile.allCases.map(\.compressedName))
        for check in checks {
            #expect(check.actualSHA256 == DatasetChecksums.mnist[check.name])
        }
        // The content checksums were computed from these files (the small ones are checked
        // here; hashing 55 MB in a debug build would take seconds).
        for file in [MNISTFile.trainLabels, .testLabels] {
            let url = RealMNIST.directory.appendingPathComponent(file.compressedName)
            #expect(try DatasetChecksums.contentSHA256(of: url) == DatasetChecksums.mnistContent[file.uncompressedName])
        }
    }
}
