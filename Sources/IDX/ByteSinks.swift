import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential destination of bytes.
protocol ByteSink: AnyObject {
    /// Writes all of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Writes whatever is still buffered. Call once, after the last ``write(_:)``.
    func finish() throws
}

/// Collects the bytes in memory.
final class MemorySink: ByteSink {
    private(set) var bytes: [UInt8] = []

    func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
    func finish() throws {}
}

/// Writes to an open file descriptor, which it does not own.
final class FileSink: ByteSink {
    let path: String
    private let descriptor: Int32

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let request = min(bytes.count - offset, 1 << 30)
            let count = posixWrite(descriptor, bytes.baseAddress! + offset, request)
            if count < 0 {
                if errno == EINTR { continue }
                throw IDXError.systemError(path: path, operation: "write", errno: errno)
            }
            offset += count
        }
    }

    func finish() throws {}
}

/// Compresses what it is given into a gzip stream (one member) and passes it on to another sink.
///
/// The gzip header has no file name and a zero modification time, so the output depends only on
/// the input and the compression level.
final class GzipDeflateSink: ByteSink {
    static let outputChunkSize = 1 << 18

    private let destination: ByteSink
    private let path: String
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer

    /// - Parameter level: 0 (store) to 9 (smallest), or -1 for zlib's default (6).
    init(destination: ByteSink, level: Int, path: String) throws {
        self.destination = destination
        self.path = path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = deflateInit2_(
            stream, Int32(level), Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw IDXError.zlibFailure(path: path, detail: "deflateInit2 returned \(status)")
        }
        output = .allocate(byteCount: Self.outputChunkSize, alignment: 16)
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            // avail_in is 32 bits wide: feed large buffers in pieces.
            let piece = min(bytes.count - offset, 1 << 30)
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: (bytes.baseAddress! + offset).assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = UInt32(piece)
            while stream.pointee.avail_in > 0 {
                _ = try deflateStep(flush: Z_NO_FLUSH)
            }
            offset += piece
        }
    }

    func finish() throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while try deflateStep(flush: Z_FINISH) != Z_STREAM_END {}
        try destination.finish()
    }

    /// Runs deflate once into the output buffer and passes on what it produced.
    private func deflateStep(flush: Int32) throws -> Int32 {
        stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(output.count)
        let status = deflate(stream, flush)
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
            throw IDXError.zlibFailure(path: path, detail: "deflate returned \(status)")
        }
        let produced = output.count - Int(stream.pointee.avail_out)
        if produced > 0 {
            try destination.write(UnsafeRawBufferPointer(rebasing: output[..<produced]))
        }
        return status
    }
}
