import Foundation
import IDX
import Testing

@testable import Datasets

@Suite("Loading MNIST-format files")
struct MNISTLoadingTests {
    @Test("a synthetic data set loads with its images and labels", arguments: [true, false])
    func loadsSynthetic(compressed: Bool) throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST(compressed: compressed).write(to: directory.url)
        let dataset = try MNISTDataset.load(from: directory.url)
        #expect(dataset.directory == directory.url)
        #expect(dataset.train.count == 5 && dataset.test.count == 3)
        #expect(dataset.train.images == SyntheticMNIST.images(count: 5))
        #expect(dataset.train.labels == [0, 1, 2, 3, 4])
        #expect(dataset.test.labels == [0, 1, 2])
        #expect(Array(dataset.train.image(at: 1)) == Array(SyntheticMNIST.images(count: 2)[784...]))
        #expect(dataset.train.classCounts() == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0])
    }

    @Test("the .gz file is preferred when both names exist")
    func prefersCompressed() throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST().write(to: directory.url)
        // A broken un-gzipped twin must not be read.
        try Data("junk".utf8).write(to: directory.file(MNISTFile.trainImages.uncompressedName))
        #expect(try MNISTDataset.locate(.trainImages, in: directory.url).lastPathComponent == "train-images-idx3-ubyte.gz")
        #expect(try MNISTDataset.load(from: directory.url).train.count == 5)
    }

    @Test("image and label counts that disagree are rejected")
    func countMismatch() throws {
        let directory = try TemporaryDirectory()
        let synthetic = SyntheticMNIST()
        try synthetic.write(to: directory.url)
        try synthetic.write(IDXArray(shape: [4], values: SyntheticMNIST.labels(count: 4)), as: .trainLabels, to: directory.url)
        let error = datasetError { try MNISTDataset.load(from: directory.url) }
        #expect(error == .countMismatch(
            imagesPath: directory.file("train-images-idx3-ubyte.gz").path, imageCount: 5,
            labelsPath: directory.file("train-labels-idx1-ubyte.gz").path, labelCount: 4))
        #expect(error?.description.contains("holds 5 images but") == true)
    }

    @Test("labels outside 0...9 are rejected", arguments: [10, 255] as [UInt8])
    func labelOutOfRange(value: UInt8) throws {
        let directory = try TemporaryDirectory()
        let synthetic = SyntheticMNIST()
        try synthetic.write(to: directory.url)
        try synthetic.write(IDXArray(shape: [3], values: [1, 9, value]), as: .testLabels, to: directory.url)
        #expect(datasetError { try MNISTDataset.load(from: directory.url) }
            == .labelOutOfRange(path: directory.file("t10k-labels-idx1-ubyte.gz").path, index: 2, value: value))
    }

    @Test("images that are not 28×28 unsigned bytes of rank 3 are rejected")
    func wrongImageFormats() throws {
        let directory = try TemporaryDirectory()
        let synthetic = SyntheticMNIST()
        try synthetic.write(to: directory.url)
        let path = directory.file("t10k-images-idx3-ubyte.gz").path
        let cases: [IDXArray] = [
            try IDXArray(shape: [3, 27, 28], values: [UInt8](repeating: 0, count: 3 * 27 * 28)),
            try IDXArray(shape: [3, 784], values: [UInt8](repeating: 0, count: 3 * 784)),
            try IDXArray(shape: [3, 28, 28, 1], values: [UInt8](repeating: 0, count: 3 * 784)),
            try IDXArray(shape: [3, 28, 28], values: [Float](repeating: 0, count: 3 * 784)),
        ]
        for array in cases {
            try synthetic.write(array, as: .testImages, to: directory.url)
            #expect(datasetError { try MNISTDataset.load(from: directory.url) }
                == .wrongImageFormat(path: path, type: array.type, shape: array.shape))
        }
        try synthetic.write(IDXArray(shape: [3, 28, 28], values: SyntheticMNIST.images(count: 3)), as: .testImages, to: directory.url)
        try synthetic.write(IDXArray(shape: [3, 1], values: [1, 2, 3] as [UInt8]), as: .testLabels, to: directory.url)
        #expect(datasetError { try MNISTDataset.load(from: directory.url) }
            == .wrongLabelFormat(path: directory.file("t10k-labels-idx1-ubyte.gz").path, type: .uint8, shape: [3, 1]))
    }

    @Test("a missing file names the fetch command and the --data / SUBLIMINAL_DATA options")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST().write(to: directory.url)
        try directory.remove("t10k-labels-idx1-ubyte.gz")
        let error = datasetError { try MNISTDataset.load(from: directory.url) }
        #expect(error == .missingFile(directory: directory.path, file: .testLabels))
        let message = error?.description ?? ""
        #expect(message.contains("t10k-labels-idx1-ubyte.gz") && message.contains("bash data-scripts/fetch-data.sh"))
        #expect(message.contains("--data DIR") && message.contains("SUBLIMINAL_DATA"))
    }

    @Test("a missing directory names the fetch command")
    func missingDirectory() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("mnist")
        let error = datasetError { try MNISTDataset.load(from: missing) }
        #expect(error == .directoryNotFound(path: missing.path, origin: .explicit, dataset: "mnist"))
        #expect(error?.description.contains("`bash data-scripts/fetch-data.sh`") == true)
    }

    @Test("a damaged file is reported with its path and the fix")
    func damagedFile() throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST().write(to: directory.url)
        let url = directory.file("train-images-idx3-ubyte.gz")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 5).write(to: url)
        let error = datasetError { try MNISTDataset.load(from: directory.url) }
        #expect(error == .unreadableFile(.truncatedCompressedData(path: url.path)))
        #expect(error?.description.hasPrefix(url.path + ": the gzip stream ends early") == true)
        #expect(error?.description.contains("bash data-scripts/fetch-data.sh") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test("MNISTSplit's initializer checks its arrays")
    func splitInitializer() throws {
        let split = try MNISTSplit(images: [0, 255, 128, 1, 2, 3], labels: [3, 9], rows: 1, cols: 3)
        #expect(split.count == 2 && split.pixelsPerImage == 3 && Array(split.image(at: 1)) == [1, 2, 3])
        #expect(throws: DatasetError.self) { try MNISTSplit(images: [0, 1, 2], labels: [3, 9], rows: 1, cols: 3) }
        #expect(throws: DatasetError.self) { try MNISTSplit(images: [], labels: [], rows: 0, cols: 3) }
        #expect(datasetError { try MNISTSplit(images: [0, 1], labels: [1, 10], rows: 1, cols: 1) }
            == .labelOutOfRange(path: "labels", index: 1, value: 10))
    }
}

@Suite("Pixel normalization")
struct NormalizationTests {
    @Test("every pixel value maps to Float((Float(p) / 255 - 0.5) / 0.5) exactly")
    func formula() throws {
        let pixels = (0...255).map(UInt8.init)
        let split = try MNISTSplit(images: pixels, labels: [0], rows: 16, cols: 16)
        let normalized = split.normalizedImages()
        for pixel in 0...255 {
            let expected: Float = (Float(pixel) / Float(255) - Float(0.5)) / Float(0.5)
            #expect(normalized[pixel].bitPattern == expected.bitPattern, "pixel \(pixel)")
            #expect(PixelNormalization.normalize(UInt8(pixel)) == expected)
        }
        #expect(normalized[0] == -1 && normalized[255] == 1)
        #expect(normalized.allSatisfy { (-1...1).contains($0) })
        // Monotonic, and 128 lands just above zero (128/255 > 0.5).
        #expect(zip(normalized, normalized.dropFirst()).allSatisfy { $0 < $1 })
        #expect(normalized[127] < 0 && normalized[128] > 0)
    }

    @Test("normalization keeps the layout of the images")
    func layout() throws {
        let images = SyntheticMNIST.images(count: 3)
        let split = try MNISTSplit(images: images, labels: [1, 2, 3])
        #expect(split.normalizedImages() == images.map { PixelNormalization.table[Int($0)] })
    }
}
