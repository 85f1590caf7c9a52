import IDX

import Foundation

/// One split (training or test) of an MNIST-format data set: grey-scale images and their labels.
public struct MNISTSplit: Sendable {
    /// The pixels of all images, `count * rows * cols` bytes, image after image, each row-major
    /// (0 is the background, 255 the ink, for MNIST).
    public let images: [UInt8]
    /// The class of each image, in 0...9.
    public let labels: [UInt8]
    /// The number of examples.
    public let count: Int
    /// The height of each image in pixels (28 for MNIST).
    public let rows: Int
    /// The width of each image in pixels (28 for MNIST).
    public let cols: Int

    /// The number of pixels of one image, `rows * cols`.
    @inlinable
    public var pixelsPerImage: Int { rows * cols }

    /// The number of classes of MNIST-format labels.
    public static let classCount = 10

    /// Creates a split from its arrays.
    ///
    /// - Throws: ``DatasetError/inconsistentSplit(reason:)`` when `images` does not hold
    ///   `labels.count` images of `rows * cols` pixels, ``DatasetError/labelOutOfRange(path:index:value:)``
    ///   when a label is not in 0...9.
    public init(images: [UInt8], labels: [UInt8], rows: Int = 28, cols: Int = 28) throws {
        guard rows > 0, cols > 0 else {
            throw DatasetError.inconsistentSplit(reason: "images must be at least 1×1 pixels, not \(rows)×\(cols)")
        }
        let (pixels, overflow) = labels.count.multipliedReportingOverflow(by: rows * cols)
        guard !overflow, images.count == pixels else {
            throw DatasetError.inconsistentSplit(
                reason: "\(labels.count) labels need \(labels.count) × \(rows) × \(cols) pixels, but there are \(images.count)")
        }
        try Self.checkLabels(labels, path: "labels")
        self.init(unchecked: images, labels: labels, rows: rows, cols: cols)
    }

    init(unchecked images: [UInt8], labels: [UInt8], rows: Int, cols: Int) {
        self.images = images
        self.labels = labels
        self.count = labels.count
        self.rows = rows
        self.cols = cols
    }

    /// All images normalized for the network: `(p / 255 - 0.5) / 0.5` as `Float`, in [-1, 1]
    /// (see ``PixelNormalization``), in the layout of ``images``.
    public func normalizedImages() -> [Float] {
        PixelNormalization.normalize(images)
    }

    /// The pixels of image `index`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        precondition((0..<count).contains(index), "image index \(index) out of range 0..<\(count)")
        return images[index * pixelsPerImage ..< (index + 1) * pixelsPerImage]
    }

    /// The number of examples of each class 0...9.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: Self.classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    // MARK: - Loading

    /// Loads a split from an image file and a label file (IDX, raw or gzip).
    ///
    /// - Throws: ``DatasetError``.
    public static func load(images imagesURL: URL, labels labelsURL: URL) throws -> MNISTSplit {
        let imageArray = try readIDX(imagesURL)
        let labelArray = try readIDX(labelsURL)
        let imagesPath = imagesURL.fileSystemPath
        let labelsPath = labelsURL.fileSystemPath

        guard let pixels = imageArray.asUInt8(), imageArray.rank == 3,
              imageArray.shape[1] == 28, imageArray.shape[2] == 28
        else {
            throw DatasetError.wrongImageFormat(path: imagesPath, type: imageArray.type, shape: imageArray.shape)
        }
        guard let labels = labelArray.asUInt8(), labelArray.rank == 1 else {
            throw DatasetError.wrongLabelFormat(path: labelsPath, type: labelArray.type, shape: labelArray.shape)
        }
        guard imageArray.shape[0] == labels.count else {
            throw DatasetError.countMismatch(
                imagesPath: imagesPath, imageCount: imageArray.shape[0], labelsPath: labelsPath, labelCount: labels.count)
        }
        try checkLabels(labels, path: labelsPath)
        return MNISTSplit(unchecked: pixels, labels: labels, rows: 28, cols: 28)
    }

    private static func readIDX(_ url: URL) throws -> IDXArray {
        do {
            return try IDXReader.read(contentsOf: url)
        } catch let error as IDXError {
            throw DatasetError.unreadableFile(error)
        }
    }

    private static func checkLabels(_ labels: [UInt8], path: String) throws {
        if let index = labels.firstIndex(where: { $0 >= classCount }) {
            throw DatasetError.labelOutOfRange(path: path, index: index, value: labels[index])
        }
    }
}
