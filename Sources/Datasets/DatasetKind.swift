/// The MNIST-format data sets the project knows: same file names, same IDX layout
/// (28×28 unsigned-byte images, labels 0...9), different pictures.
public enum DatasetKind: String, CaseIterable, Sendable, Codable {
    /// LeCun, Cortes and Burges' handwritten digits.
    case mnist = "mnist"
    /// Zalando's Fashion-MNIST: ten classes of clothing in MNIST's format.
    case fashionMNIST = "fashion-mnist"

    /// The usual name, e.g. `"Fashion-MNIST"`.
    public var displayName: String {
        switch self {
        case .mnist: return "MNIST"
        case .fashionMNIST: return "Fashion-MNIST"
        }
    }

    /// The directory, relative to the repository root, where `data-scripts/fetch-data.sh` puts
    /// the files (e.g. `data/mnist`).
    public var defaultDirectory: String { "data/\(rawValue)" }

    /// The command, run from the repository root, that fetches and verifies the files.
    public var fetchCommand: String {
        switch self {
        case .mnist: return "bash data-scripts/fetch-data.sh"
        case .fashionMNIST: return "bash data-scripts/fetch-data.sh --fashion"
        }
    }

    /// The SHA-256 of each file as published (keys: the `.gz` file names).
    public var fileChecksums: [String: String] {
        switch self {
        case .mnist: return DatasetChecksums.mnist
        case .fashionMNIST: return DatasetChecksums.fashionMNIST
        }
    }

    /// The SHA-256 of each file's decompressed content (keys: the un-gzipped file names).
    public var contentChecksums: [String: String] {
        switch self {
        case .mnist: return DatasetChecksums.mnistContent
        case .fashionMNIST: return DatasetChecksums.fashionMNISTContent
        }
    }
}

/// One of the four files of an MNIST-format data set.
public enum MNISTFile: String, CaseIterable, Sendable, Codable {
    case trainImages = "train-images-idx3-ubyte"
    case trainLabels = "train-labels-idx1-ubyte"
    case testImages = "t10k-images-idx3-ubyte"
    case testLabels = "t10k-labels-idx1-ubyte"

    /// The standard name of the gzip-compressed file, e.g. `train-images-idx3-ubyte.gz`.
    public var compressedName: String { rawValue + ".gz" }

    /// The name of the decompressed file, e.g. `train-images-idx3-ubyte`.
    public var uncompressedName: String { rawValue }
}
