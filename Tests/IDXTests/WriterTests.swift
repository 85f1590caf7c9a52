import Foundation
import Testing

@testable import IDX

@Suite("Atomic writes")
struct WriterTests {
    static let array = try! IDXArray(shape: [2, 2], values: [1, 2, 3, 4] as [UInt8])

    @Test("a write leaves exactly the destination file, readable by others")
    func noLeftovers() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("labels-idx1-ubyte.gz")
        try IDXWriter.write(Self.array, to: url, compressed: true)
        #expect(try directory.contents() == ["labels-idx1-ubyte.gz"])
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
    }

    @Test("a write replaces an existing file")
    func replaces() throws {
        let directory = try TemporaryDirectory()
        let url = try directory.write(Array(repeating: 0xAA, count: 10_000), to: "a.idx")
        try IDXWriter.write(Self.array, to: url, compressed: false)
        #expect(try IDXReader.read(contentsOf: url) == Self.array)
        #expect(try directory.contents() == ["a.idx"])
    }

    @Test("a failed write leaves the destination as it was and no temporary file")
    func failureKeepsOldFile() throws {
        let directory = try TemporaryDirectory()
        let url = directory.file("a.idx")
        try IDXWriter.write(Self.array, to: url, compressed: false)
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try writeFileAtomically(path: url.path) { sink in
                try [1, 2, 3].withUnsafeBytes { try sink.write($0) }
                throw Interrupted()
            }
        }
        #expect(try IDXReader.read(contentsOf: url) == Self.array)
        #expect(try directory.contents() == ["a.idx"])
    }

    @Test("writing into a missing directory or over a directory fails cleanly")
    func unwritable() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.file("no-such-dir/a.idx")
        let error = idxError { try IDXWriter.write(Self.array, to: missing, compressed: false) }
        guard case .systemError(let path, _, let code)? = error else {
            Issue.record("expected a system error, got \(String(describing: error))")
            return
        }
        #expect(path == missing.path && code == ENOENT)
        #expect(error?.description.contains("No such file or directory") == true)

        let subdirectory = directory.file("sub")
        try FileManager.default.createDirectory(at: subdirectory, withIntermediateDirectories: false)
        #expect(throws: IDXError.self) { try IDXWriter.write(Self.array, to: subdirectory, compressed: true) }
        #expect(try directory.contents() == ["sub"])
    }
}
