import IDX

/// An error locating, loading or checking an MNIST-format data set.
///
/// The ``description`` is one line that says what is wrong and what to do; for missing data it
/// gives the exact command that fetches it.
public enum DatasetError: Error, Sendable, Hashable {
    /// The data directory does not exist. `origin` says where its path came from.
    case directoryNotFound(path: String, origin: DataLocation.Origin, dataset: String)
    /// The data path exists but is not a directory.
    case notADirectory(path: String, origin: DataLocation.Origin)
    /// `--data` was given an empty path.
    case emptyPath(origin: DataLocation.Origin)
    /// One of the four files is in neither its `.gz` nor its un-gzipped form.
    case missingFile(directory: String, file: MNISTFile)
    /// A file could not be read or is not a valid IDX file.
    case unreadableFile(IDXError)
    /// An image file does not hold unsigned bytes of shape `[count, 28, 28]`.
    case wrongImageFormat(path: String, type: IDXElementType, shape: [Int])
    /// A label file does not hold unsigned bytes of shape `[count]`.
    case wrongLabelFormat(path: String, type: IDXElementType, shape: [Int])
    /// The image and label files of a split disagree on the number of examples.
    case countMismatch(imagesPath: String, imageCount: Int, labelsPath: String, labelCount: Int)
    /// A label is not a digit class in 0...9.
    case labelOutOfRange(path: String, index: Int, value: UInt8)
    /// The arrays given to ``MNISTSplit/init(images:labels:rows:cols:)`` do not fit together.
    case inconsistentSplit(reason: String)
}

extension DatasetError: CustomStringConvertible {
    /// A one-line explanation that says what to do.
    public var description: String {
        switch self {
        case .directoryNotFound(let path, let origin, let dataset):
            let kind = DatasetKind(rawValue: dataset)
            let name = kind?.displayName ?? dataset
            let fetch = kind?.fetchCommand ?? DatasetKind.mnist.fetchCommand
            switch origin {
            case .option:
                return "--data \(path): no such directory; give the directory that holds the four \(name) files"
            case .environment:
                return "SUBLIMINAL_DATA=\(path): no such directory; set it to the directory that holds the four \(name) files, or unset it to use ./\(kind?.defaultDirectory ?? "data/\(dataset)")"
            case .defaultLocation, .explicit:
                return "\(name) data not found at \(path); fetch it with `\(fetch)` (run from the repository root), or point --data DIR or SUBLIMINAL_DATA=DIR at a copy"
            }
        case .notADirectory(let path, let origin):
            return "\(origin.label)\(path): not a directory; give the directory that holds the four data files"
        case .emptyPath(let origin):
            return "\(origin.label)an empty path; give the directory that holds the four data files"
        case .missingFile(let directory, let file):
            return "\(directory): missing \(file.compressedName) (or \(file.uncompressedName)); fetch the data with `\(DatasetKind.mnist.fetchCommand)` (add --fashion for Fashion-MNIST), or point --data DIR or SUBLIMINAL_DATA=DIR at a complete copy"
        case .unreadableFile(let error):
            return "\(error); `\(DatasetKind.mnist.fetchCommand)` (with --fashion for Fashion-MNIST) fetches verified files"
        case .wrongImageFormat(let path, let type, let shape):
            return "\(path): expected MNIST images, unsigned bytes of shape [count, 28, 28], found \(type.specificationName)s of shape \(shape)"
        case .wrongLabelFormat(let path, let type, let shape):
            return "\(path): expected MNIST labels, unsigned bytes of shape [count], found \(type.specificationName)s of shape \(shape)"
        case .countMismatch(let imagesPath, let imageCount, let labelsPath, let labelCount):
            return "\(imagesPath) holds \(imageCount) images but \(labelsPath) holds \(labelCount) labels; the files do not belong together"
        case .labelOutOfRange(let path, let index, let value):
            return "\(path): label \(index) is \(value), outside the classes 0...9; this is not an MNIST-format label file"
        case .inconsistentSplit(let reason):
            return "inconsistent MNIST split: \(reason)"
        }
    }
}
