import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The decompressed content of a gzip stream, inflated in chunks as it is read.
///
/// The compressed bytes are pulled from the source 256 KiB at a time and inflated straight into
/// the caller's buffer, so neither the whole compressed file nor an intermediate copy of the
/// output is ever held.
///
/// A gzip file may hold several members one after the other (RFC 1952, section 2.2); their
/// contents are concatenated, as `gzip -d` does. Anything after the last member that does not
/// start with the gzip magic number `1f 8b` is rejected with ``IDXError/trailingGarbage(path:byteCount:)``.
/// Each member's CRC-32 and length are checked when its end is reached.
final class GzipInflateStream: ByteStream {
    /// The largest expansion factor of deflate: one 258-byte match per 2 bits of input.
    static let maximumExpansion = 1032
    static let inputChunkSize = 1 << 18

    let path: String
    private let source: ByteStream
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var memberEnded = false
    private var finished = false

    /// Starts inflating the gzip data of `source`, which must begin with a gzip header.
    init(source: ByteStream) throws {
        self.path = source.path
        self.source = source
        // zlib keeps a pointer back to the z_stream, so it must not move: allocate it.
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: a gzip wrapper (not zlib, not raw deflate) and the largest window.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            throw IDXError.zlibFailure(path: source.path, detail: "inflateInit2 returned \(status)")
        }
        input = .allocate(byteCount: Self.inputChunkSize, alignment: 16)
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// At most `maximumExpansion` times the compressed bytes not yet inflated, plus the little
    /// that zlib may hold back when an output buffer fills in the middle of a match.
    var remainingUpperBound: Int {
        if finished { return 0 }
        let compressed = source.remainingUpperBound + Int(stream.pointee.avail_in)
        let (bound, overflow) = compressed.multipliedReportingOverflow(by: Self.maximumExpansion)
        if overflow || bound > Int.max - (1 << 16) { return Int.max }
        return bound + (1 << 16)
    }

    var remainingIsExact: Bool { finished }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !finished, !buffer.isEmpty else { return 0 }
        let capacity = min(buffer.count, Int(UInt32.max))
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(capacity)
        while stream.pointee.avail_out > 0 {
            if memberEnded {
                guard try startNextMember() else {
                    finished = true
                    break
                }
            }
            if stream.pointee.avail_in == 0 {
                let count = try source.read(into: input)
                guard count > 0 else { throw IDXError.truncatedCompressedData(path: path) }
                stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = UInt32(count)
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR:
                // No progress was possible. With input and output space left that cannot happen;
                // without input the loop reads more.
                if stream.pointee.avail_in > 0 {
                    throw IDXError.zlibFailure(path: path, detail: "inflate made no progress")
                }
            case Z_NEED_DICT:
                throw IDXError.corruptCompressedData(path: path, detail: "the stream asks for a preset dictionary")
            case Z_DATA_ERROR:
                throw IDXError.corruptCompressedData(path: path, detail: zlibMessage() ?? "invalid data")
            case Z_MEM_ERROR:
                throw IDXError.zlibFailure(path: path, detail: "out of memory")
            default:
                throw IDXError.zlibFailure(path: path, detail: "inflate returned \(status)")
            }
        }
        return capacity - Int(stream.pointee.avail_out)
    }

    /// After the end of a member: returns false at the end of the input, resets the inflater
    /// when another gzip member follows, and throws when something else follows.
    private func startNextMember() throws -> Bool {
        // Two bytes decide: the gzip magic number is 1f 8b.
        while stream.pointee.avail_in < 2 {
            let kept = Int(stream.pointee.avail_in)
            if kept > 0 { input.baseAddress!.copyMemory(from: stream.pointee.next_in, byteCount: kept) }
            let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: input[kept...]))
            stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(kept + count)
            if count == 0 {
                if kept == 0 { return false }
                throw IDXError.trailingGarbage(path: path, byteCount: kept)
            }
        }
        let next = stream.pointee.next_in!
        guard next[0] == 0x1F, next[1] == 0x8B else {
            let count = Int(stream.pointee.avail_in) + source.remainingUpperBound
            throw IDXError.trailingGarbage(path: path, byteCount: count)
        }
        guard inflateReset(stream) == Z_OK else {
            throw IDXError.zlibFailure(path: path, detail: "inflateReset failed")
        }
        memberEnded = false
        return true
    }

    private func zlibMessage() -> String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}
