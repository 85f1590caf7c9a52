import Foundation
import IDX
import Testing

@testable import Datasets

@Suite("Checksums")
struct ChecksumTests {
    @Test("the checksum tables cover the four files with 64 hex digits each")
    func tables() {
        for table in [DatasetChecksums.mnist, DatasetChecksums.fashionMNIST] {
            #expect(Set(table.keys) == Set(MNISTFile.allCases.map(\.compressedName)))
        }
        for table in [DatasetChecksums.mnistContent, DatasetChecksums.fashionMNISTContent] {
            #expect(Set(table.keys) == Set(MNISTFile.allCases.map(\.uncompressedName)))
        }
        let all = [DatasetChecksums.mnist, DatasetChecksums.mnistContent, DatasetChecksums.fashionMNIST, DatasetChecksums.fashionMNISTContent]
            .flatMap(\.values)
        #expect(all.allSatisfy { $0.count == 64 && $0.allSatisfy { "0123456789abcdef".contains($0) } })
        #expect(Set(all).count == 16)
        #expect(DatasetKind.mnist.fileChecksums == DatasetChecksums.mnist)
        #expect(DatasetKind.fashionMNIST.contentChecksums == DatasetChecksums.fashionMNISTContent)
    }

    /// Tables of the synthetic files' real checksums, computed here.
    func tables(for directory: TemporaryDirectory) throws -> (files: [String: String], contents: [String: String]) {
        var files: [String: String] = [:]
        var contents: [String: String] = [:]
        for file in MNISTFile.allCases {
            let url = directory.file(file.compressedName)
            files[file.compressedName] = try sha256Hex(ofFileAt: url)
            contents[file.uncompressedName] = try DatasetChecksums.contentSHA256(of: url)
        }
        return (files, contents)
    }

    @Test("verification reports verified, recompressed, damaged and missing files")
    func verification() throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST().write(to: directory.url)
        let (files, contents) = try tables(for: directory)
        var checks = try DatasetChecksums.verify(directory: directory.url, files: files, contents: contents)
        #expect(checks.map(\.status) == [.verified, .verified, .verified, .verified])
        #expect(checks.allSatisfy { $0.isVerified })

        // Recompressed at another level: the file differs, the content does not.
        let labels = try IDXReader.read(contentsOf: directory.file("train-labels-idx1-ubyte.gz"))
        try IDXWriter.write(labels, to: directory.file("train-labels-idx1-ubyte.gz"), compressed: true, compressionLevel: 0)
        // Damaged: one label changed.
        try IDXWriter.write(IDXArray(shape: [3], values: [0, 1, 3] as [UInt8]), to: directory.file("t10k-labels-idx1-ubyte.gz"), compressed: true)
        // Missing.
        try directory.remove("t10k-images-idx3-ubyte.gz")

        checks = try DatasetChecksums.verify(directory: directory.url, files: files, contents: contents)
        #expect(checks.map(\.file) == MNISTFile.allCases)
        #expect(checks.map(\.status) == [.verified, .verifiedContent, .missing, .mismatch])
        #expect(checks[1].actualSHA256 == contents["train-labels-idx1-ubyte"])
        #expect(checks[2].actualSHA256 == nil && checks[2].name == "t10k-images-idx3-ubyte.gz")
        #expect(checks[3].expectedSHA256 == files["t10k-labels-idx1-ubyte.gz"] && checks[3].actualSHA256 != checks[3].expectedSHA256)
        #expect(!checks[3].isVerified && !checks[2].isVerified && checks[1].isVerified)
    }

    @Test("un-gzipped files are checked against the content checksums")
    func uncompressedFiles() throws {
        let compressed = try TemporaryDirectory()
        try SyntheticMNIST().write(to: compressed.url)
        let (files, contents) = try tables(for: compressed)
        let raw = try TemporaryDirectory()
        try SyntheticMNIST(compressed: false).write(to: raw.url)
        let checks = try DatasetChecksums.verify(directory: raw.url, files: files, contents: contents)
        #expect(checks.map(\.status) == [.verified, .verified, .verified, .verified])
        #expect(checks.map(\.name) == MNISTFile.allCases.map(\.uncompressedName))
    }

    @Test("a truncated gzip file is a mismatch, not an error")
    func truncatedFile() throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST().write(to: directory.url)
        let (files, contents) = try tables(for: directory)
        let url = directory.file("train-images-idx3-ubyte.gz")
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count / 2).write(to: url)
        let checks = try DatasetChecksums.verify(directory: directory.url, files: files, contents: contents)
        #expect(checks.map(\.status) == [.mismatch, .verified, .verified, .verified])
    }

    @Test("synthetic files do not pass as MNIST")
    func foreignFiles() throws {
        let directory = try TemporaryDirectory()
        try SyntheticMNIST().write(to: directory.url)
        #expect(try DatasetChecksums.verify(directory: directory.url).allSatisfy { $0.status == .mismatch })
        #expect(try DatasetChecksums.verify(directory: directory.url, dataset: .fashionMNIST).allSatisfy { $0.status == .mismatch })
        #expect(throws: DatasetError.self) { try DatasetChecksums.verify(directory: directory.file("nope")) }
    }
}
