#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Streams the bytes of a file, optionally decompressing it when it is gzip-compressed.
///
/// This is the reader's own I/O, offered for tools that hash or copy data files without
/// holding them in memory.
public enum FileContent {
    /// Whether the file at `url` starts with the gzip magic number `1f 8b`.
    ///
    /// - Throws: ``IDXError`` when the file cannot be opened.
    public static func isGzip(at url: URL) throws -> Bool {
        let file = try FileByteStream(path: try filePath(url))
        var magic: (UInt8, UInt8) = (0, 0)
        let count = try withUnsafeMutableBytes(of: &magic) { try file.readFully(into: $0) }
        return count == 2 && magic == (0x1F, 0x8B)
    }

    /// Calls `body` with successive chunks of the file at `url`, in order.
    ///
    /// - Parameters:
    ///   - decompressingGzip: when true and the file starts with the gzip magic number, the
    ///     chunks are its decompressed content (all members), checked as ``IDXReader`` checks it.
    ///   - body: receives each chunk; the buffer is only valid during the call.
    /// - Throws: ``IDXError``, or what `body` throws.
    public static func forEachChunk(
        ofFileAt url: URL, decompressingGzip: Bool,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let file = try FileByteStream(path: try filePath(url))
        let stream = decompressingGzip ? try IDXReader.content(of: file) : file
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try stream.readFully(into: buffer)
            if count == 0 { break }
            try body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }
}
