#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Bounds that protect the reader from hostile or corrupt headers.
///
/// A header can claim any size up to 255 dimensions of 2³² − 1 elements each. The reader never
/// allocates on the header's word alone more than the data can hold:
///
/// - For a raw file, the payload size is checked against the file size before anything is
///   allocated.
/// - For a gzip file, whose decompressed size is unknown until the end, the payload buffer is
///   allocated at once only when it is at most ``trustedAllocationByteCount`` and at most what
///   the compressed bytes can expand to (deflate expands at most 1032-fold). Otherwise the
///   payload is collected in chunks as the stream yields it, so memory grows only with data that
///   actually exists, and is copied into place at the end.
///
/// In both cases a header that describes more than ``maximumPayloadByteCount`` bytes is refused
/// outright.
public struct IDXReadLimits: Sendable, Hashable {
    /// The largest payload, in bytes, the reader accepts. The default is 16 GiB.
    public var maximumPayloadByteCount: Int
    /// The largest buffer, in bytes, allocated for a gzip payload before the stream has proved
    /// that the data exists. The default is 64 MiB, more than MNIST's largest file (47 MB).
    public var trustedAllocationByteCount: Int

    /// Creates limits; the defaults suit any IDX data set that fits in memory.
    public init(maximumPayloadByteCount: Int = 16 << 30, trustedAllocationByteCount: Int = 64 << 20) {
        self.maximumPayloadByteCount = maximumPayloadByteCount
        self.trustedAllocationByteCount = trustedAllocationByteCount
    }

    /// The default limits.
    public static let `default` = IDXReadLimits()
}

/// Reads IDX arrays from files or memory, raw or gzip-compressed.
///
/// Compression is recognized from the content (the gzip magic number `1f 8b`), never from the
/// file name. Gzip data is inflated in chunks directly into the array's storage. Reading is
/// strict: whatever is wrong with the data (a damaged or truncated gzip stream, a bad magic
/// number, an unknown type code, a zero dimension, a payload shorter or longer than the header
/// says, bytes after the gzip stream) ends in an ``IDXError`` that names the file.
///
/// A gzip file may consist of several concatenated members (as `cat a.gz b.gz` makes); their
/// contents are joined before decoding, like `gzip -d` does. Anything else after the last
/// member is an error.
public enum IDXReader {
    /// Reads the IDX array in the file at `url`.
    ///
    /// - Throws: ``IDXError``.
    public static func read(contentsOf url: URL, limits: IDXReadLimits = .default) throws -> IDXArray {
        let file = try FileByteStream(path: try filePath(url))
        return try decodeArray(from: try content(of: file), limits: limits)
    }

    /// Reads only the header of the IDX file at `url`, decompressing no more than needed.
    ///
    /// The payload is neither read nor checked.
    ///
    /// - Throws: ``IDXError``.
    public static func readHeader(contentsOf url: URL) throws -> IDXHeader {
        let file = try FileByteStream(path: try filePath(url))
        return try decodeHeader(from: try content(of: file))
    }

    /// Decodes an IDX array from the bytes of an IDX file, raw or gzip-compressed.
    ///
    /// - Parameter name: what error messages call the data, in place of a path.
    /// - Throws: ``IDXError``.
    public static func decode(
        _ bytes: [UInt8], name: String = "<memory>", limits: IDXReadLimits = .default
    ) throws -> IDXArray {
        try decodeArray(from: try content(of: MemoryByteStream(bytes, name: name)), limits: limits)
    }

    // MARK: - Decoding

    /// The content of `source`: decompressed if it starts with the gzip magic number.
    static func content(of source: RewindableByteStream) throws -> ByteStream {
        var magic: (UInt8, UInt8) = (0, 0)
        let count = try withUnsafeMutableBytes(of: &magic) { try source.readFully(into: $0) }
        try source.rewind()
        if count == 2 && magic == (0x1F, 0x8B) { return try GzipInflateStream(source: source) }
        return source
    }

    /// Reads and checks the header at the start of `stream`.
    static func decodeHeader(from stream: ByteStream) throws -> IDXHeader {
        var prefix: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let count = try withUnsafeMutableBytes(of: &prefix) { try stream.readFully(into: $0) }
        // Report what is wrong with the bytes that are there before complaining that some are missing.
        if count >= 2 && (prefix.0 != 0 || prefix.1 != 0) {
            let found = withUnsafeBytes(of: prefix) { Array($0.prefix(count)) }
            throw IDXError.badMagic(path: stream.path, prefix: found)
        }
        if count >= 3 && IDXElementType(rawValue: prefix.2) == nil {
            throw IDXError.unknownElementType(path: stream.path, code: prefix.2)
        }
        guard count == 4 else {
            throw IDXError.truncated(path: stream.path, expectedByteCount: 4, actualByteCount: count)
        }
        let rank = Int(prefix.3)
        guard rank > 0 else { throw IDXError.invalidRank(path: stream.path) }
        let dimensions = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * rank, alignment: 4)
        defer { dimensions.deallocate() }
        let read = try stream.readFully(into: dimensions)
        guard read == dimensions.count else {
            throw IDXError.truncated(path: stream.path, expectedByteCount: 4 + 4 * rank, actualByteCount: 4 + read)
        }
        return try IDXHeader.decode(typeCode: prefix.2, dimensions: UnsafeRawBufferPointer(dimensions), path: stream.path)
    }

    /// Reads a whole IDX array from `stream` and checks that nothing follows it.
    static func decodeArray(from stream: ByteStream, limits: IDXReadLimits) throws -> IDXArray {
        let header = try decodeHeader(from: stream)
        let path = stream.path
        let payloadSize = header.payloadByteCount
        let expectedTotal = header.byteCount + payloadSize
        guard payloadSize <= limits.maximumPayloadByteCount else {
            throw IDXError.exceedsLimit(path: path, payloadByteCount: payloadSize, limit: limits.maximumPayloadByteCount)
        }
        if stream.remainingIsExact {
            let remaining = stream.remainingUpperBound
            if remaining < payloadSize {
                throw IDXError.truncated(path: path, expectedByteCount: expectedTotal, actualByteCount: header.byteCount + remaining)
            }
            if remaining > payloadSize {
                throw IDXError.trailingData(path: path, extraByteCount: remaining - payloadSize, isExact: true)
            }
        }
        let trusted = stream.remainingIsExact
            ? Int.max
            : min(limits.trustedAllocationByteCount, stream.remainingUpperBound)

        let width = header.type.byteWidth
        let elements: IDXArray.Elements
        if payloadSize <= trusted {
            elements = try IDXArray.Elements.make(type: header.type, count: header.elementCount) { storage in
                let read = try stream.readFully(into: storage)
                guard read == payloadSize else {
                    throw IDXError.truncated(path: path, expectedByteCount: expectedTotal, actualByteCount: header.byteCount + read)
                }
                convertBigEndian(storage, elementWidth: width)
            }
        } else {
            let chunks = try PayloadChunks(from: stream, header: header, chunkSize: max(limits.trustedAllocationByteCount, 1 << 12))
            elements = try IDXArray.Elements.make(type: header.type, count: header.elementCount) { storage in
                chunks.copy(into: storage)
                convertBigEndian(storage, elementWidth: width)
            }
        }

        // The payload must end the data. Count what follows (up to a bound, to stay fast on a
        // decompression bomb); draining also makes zlib check the CRC of the last member.
        let drainLimit = 64 << 20
        let extra = try stream.drain(limit: drainLimit)
        if extra > 0 {
            throw IDXError.trailingData(path: path, extraByteCount: min(extra, drainLimit), isExact: extra <= drainLimit)
        }
        return IDXArray(unchecked: header.shape, elements: elements)
    }
}

/// A payload collected in chunks as a stream yields it, for gzip payloads too large to allocate
/// on the header's word: memory grows only with data that exists.
private final class PayloadChunks {
    private var chunks: [UnsafeMutableRawBufferPointer] = []

    /// Reads `header.payloadByteCount` bytes from `stream` in chunks of at most `chunkSize`
    /// bytes (and at most what the stream can still yield), allocating each only when the
    /// previous one is full.
    ///
    /// - Throws: ``IDXError/truncated(path:expectedByteCount:actualByteCount:)`` when the stream
    ///   ends early, and the errors of the stream.
    init(from stream: ByteStream, header: IDXHeader, chunkSize: Int) throws {
        let size = header.payloadByteCount
        var total = 0
        while total < size {
            // Never more than the stream can still yield, so a tiny file cannot make us
            // allocate a large chunk.
            let plausible = max(1 << 12, stream.remainingUpperBound)
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: min(chunkSize, size - total, plausible), alignment: 16)
            chunks.append(chunk)
            let read = try stream.readFully(into: chunk)
            total += read
            guard read == chunk.count else {
                throw IDXError.truncated(
                    path: stream.path, expectedByteCount: header.byteCount + size,
                    actualByteCount: header.byteCount + total)
            }
        }
    }

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// Copies the chunks, in order, to the start of `storage`.
    func copy(into storage: UnsafeMutableRawBufferPointer) {
        var offset = 0
        for chunk in chunks {
            (storage.baseAddress! + offset).copyMemory(from: chunk.baseAddress!, byteCount: chunk.count)
            offset += chunk.count
        }
    }
}

/// The file-system path of a file URL.
func filePath(_ url: URL) throws -> String {
    guard url.isFileURL else { throw IDXError.notARegularFile(path: url.absoluteString) }
    let path = url.path(percentEncoded: false)
    // A directory URL ends in a slash; messages read better without it.
    return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
}
