#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writes IDX arrays to files or memory, raw or gzip-compressed.
///
/// The header and the payload are written big-endian, as the format requires. Files are
/// written atomically: the data goes to a temporary file in the destination's directory, which
/// is then renamed over the destination, so no reader ever sees a partial file and a failed
/// write leaves the destination as it was. Gzip output is deterministic (no file name, zero
/// modification time in the gzip header) and readable by `gzip -d`.
public enum IDXWriter {
    /// Writes `array` to the file at `url`, replacing any file there.
    ///
    /// - Parameters:
    ///   - compressed: whether to gzip the file. The name is not changed or checked: by
    ///     convention, compressed files end in `.gz`.
    ///   - compressionLevel: the gzip level, 1 (fastest) to 9 (smallest), or 0 to store.
    /// - Throws: ``IDXError/systemError(path:operation:errno:)`` when the file cannot be
    ///   written (e.g. the directory does not exist).
    public static func write(
        _ array: IDXArray, to url: URL, compressed: Bool, compressionLevel: Int = 6
    ) throws {
        precondition((0...9).contains(compressionLevel), "the gzip compression level must be in 0...9")
        let path = try filePath(url)
        try writeFileAtomically(path: path) { file in
            let sink: ByteSink = compressed
                ? try GzipDeflateSink(destination: file, level: compressionLevel, path: path)
                : file
            try encode(array, into: sink)
        }
    }

    /// The bytes of the IDX file of `array`, raw or gzip-compressed.
    ///
    /// - Parameter compressionLevel: the gzip level, 1 (fastest) to 9 (smallest), or 0 to store.
    public static func encode(_ array: IDXArray, compressed: Bool, compressionLevel: Int = 6) throws -> [UInt8] {
        precondition((0...9).contains(compressionLevel), "the gzip compression level must be in 0...9")
        let memory = MemorySink()
        let sink: ByteSink = compressed
            ? try GzipDeflateSink(destination: memory, level: compressionLevel, path: "<memory>")
            : memory
        try encode(array, into: sink)
        return memory.bytes
    }

    /// Writes the header and the big-endian payload of `array` to `sink`, then finishes it.
    static func encode(_ array: IDXArray, into sink: ByteSink) throws {
        try array.header.encoded.withUnsafeBytes { try sink.write($0) }
        let width = array.type.byteWidth
        try array.elements.withUnsafeBytes { payload in
            #if _endian(little)
            if width > 1 {
                // Convert a block at a time in a scratch buffer.
                let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
                defer { block.deallocate() }
                var offset = 0
                while offset < payload.count {
                    let count = min(block.count, payload.count - offset)
                    let piece = UnsafeMutableRawBufferPointer(rebasing: block[..<count])
                    piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: payload[offset..<offset + count]))
                    convertBigEndian(piece, elementWidth: width)
                    try sink.write(UnsafeRawBufferPointer(piece))
                    offset += count
                }
                return
            }
            #endif
            try sink.write(payload)
        }
        try sink.finish()
    }
}
