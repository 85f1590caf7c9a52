import IDX

import Foundation

/// The result of checking one data file against its known SHA-256.
public struct FileCheck: Sendable, Hashable, Codable {
    /// The outcome of a check.
    public enum Status: String, Sendable, Hashable, Codable {
        /// The file's SHA-256 is the published one.
        case verified
        /// The file itself differs from the published one (e.g. it was recompressed), but its
        /// decompressed content has the SHA-256 of the published content.
        case verifiedContent
        /// Neither the file nor its content has a known SHA-256: the file is damaged or foreign.
        case mismatch
        /// Neither the `.gz` nor the un-gzipped file exists.
        case missing
    }

    /// The file checked.
    public let file: MNISTFile
    /// The name of the file found (`.gz` or not), or the `.gz` name when it is missing.
    public let name: String
    /// The SHA-256 the file should have (of the file, or of its content for ``Status/verifiedContent``).
    public let expectedSHA256: String
    /// The SHA-256 computed (of the file, or of its content for ``Status/verifiedContent``);
    /// `nil` when the file is missing.
    public let actualSHA256: String?
    /// The outcome.
    public let status: Status

    /// Whether the file is the published one, byte for byte or by content.
    public var isVerified: Bool { status == .verified || status == .verifiedContent }
}

/// The published SHA-256 checksums of the data files, and their verification.
///
/// Every file is checked by the SHA-256 of the file first. When that does not match and the
/// file is gzip-compressed, the SHA-256 of its decompressed content is checked too, so that a
/// copy recompressed by a mirror or a distribution is recognized as the same data.
public enum DatasetChecksums {
    /// The SHA-256 of MNIST's four canonical `.gz` files (file name → lower-case hex).
    public static let mnist: [String: String] = [
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    ]

    /// The SHA-256 of the decompressed content of MNIST's four files (un-gzipped file name →
    /// lower-case hex), computed from the canonical `.gz` files above.
    public static let mnistContent: [String: String] = [
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ]

    /// The SHA-256 of the four Fashion-MNIST `.gz` files of Debian's `dataset-fashion-mnist`
    /// package (version 0.0~git20200523.55506a9-1, `/usr/share/datasets/fashion-mnist`).
    ///
    /// Debian recompressed Zalando's files, so Zalando's own `.gz` downloads have other
    /// checksums (Zalando publishes only their MD5s); those are recognized by
    /// ``fashionMNISTContent``.
    public static let fashionMNIST: [String: String] = [
        "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
        "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
        "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
        "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    ]

    /// The SHA-256 of the decompressed content of Fashion-MNIST's four files, computed from
    /// Debian's package. Not checked against a download from Zalando (no network where they
    /// were computed); Debian's recompression leaves the content unchanged.
    public static let fashionMNISTContent: [String: String] = [
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ]

    /// Checks the four MNIST files of `directory` against ``mnist`` (and ``mnistContent``).
    ///
    /// - Returns: one check per file, in the order of ``MNISTFile/allCases``. Missing and
    ///   mismatching files are reported in the result, not thrown.
    /// - Throws: ``DatasetError`` when the directory does not exist or a file cannot be read.
    public static func verify(directory: URL) throws -> [FileCheck] {
        try verify(directory: directory, dataset: .mnist)
    }

    /// Checks the four files of `directory` against the checksums of `dataset`.
    ///
    /// - Returns: one check per file, in the order of ``MNISTFile/allCases``.
    /// - Throws: ``DatasetError`` when the directory does not exist or a file cannot be read.
    public static func verify(directory: URL, dataset: DatasetKind) throws -> [FileCheck] {
        try verify(directory: directory, files: dataset.fileChecksums, contents: dataset.contentChecksums, dataset: dataset.rawValue)
    }

    /// Checks the four files of `directory` against the given tables (keys: `.gz` names for
    /// `files`, un-gzipped names for `contents`).
    public static func verify(
        directory: URL, files: [String: String], contents: [String: String], dataset: String = DatasetKind.mnist.rawValue
    ) throws -> [FileCheck] {
        try DataLocation.checkDirectory(directory, origin: .explicit, dataset: dataset)
        return try MNISTFile.allCases.map { file in
            let expectedContent = contents[file.uncompressedName] ?? ""
            guard let url = try? MNISTDataset.locate(file, in: directory) else {
                return FileCheck(file: file, name: file.compressedName, expectedSHA256: files[file.compressedName] ?? expectedContent,
                                 actualSHA256: nil, status: .missing)
            }
            let name = url.lastPathComponent
            let fileHash = try wrappingIDXErrors { try sha256Hex(ofFileAt: url) }
            // An un-gzipped file is its own content.
            let expectedFile = name == file.compressedName ? files[file.compressedName] ?? "" : expectedContent
            if fileHash == expectedFile {
                return FileCheck(file: file, name: name, expectedSHA256: expectedFile, actualSHA256: fileHash, status: .verified)
            }
            if try wrappingIDXErrors({ try FileContent.isGzip(at: url) }), let contentHash = try? contentSHA256(of: url),
               contentHash == expectedContent {
                return FileCheck(file: file, name: name, expectedSHA256: expectedContent, actualSHA256: contentHash, status: .verifiedContent)
            }
            return FileCheck(file: file, name: name, expectedSHA256: expectedFile, actualSHA256: fileHash, status: .mismatch)
        }
    }

    /// The SHA-256 of the decompressed content of the gzip file at `url`.
    static func contentSHA256(of url: URL) throws -> String {
        var hasher = SHA256()
        try FileContent.forEachChunk(ofFileAt: url, decompressingGzip: true) { hasher.update(bytes: $0) }
        return hasher.finalize().hexString
    }

    private static func wrappingIDXErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IDXError {
            throw DatasetError.unreadableFile(error)
        }
    }
}
