#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reading or writing an IDX file.
///
/// Every case that concerns a file carries its path, and the ``description`` is a single line
/// that names the file, says what is wrong and, where it can, what to do about it.
public enum IDXError: Error, Sendable, Hashable {
    // MARK: File system

    /// The file does not exist.
    case fileNotFound(path: String)
    /// The path names a directory, a device or something else that is not a regular file.
    case notARegularFile(path: String)
    /// A system call failed; `operation` says what was being done (e.g. `"open"`, `"read"`) and
    /// `errno` is the error number it set.
    case systemError(path: String, operation: String, errno: Int32)

    // MARK: Compression

    /// The gzip stream is damaged: a bad header, invalid deflate data or a checksum mismatch.
    case corruptCompressedData(path: String, detail: String)
    /// The gzip stream ends before its end marker: the file was cut short.
    case truncatedCompressedData(path: String)
    /// Bytes that are not another gzip member follow the last complete gzip member.
    case trailingGarbage(path: String, byteCount: Int)
    /// zlib could not be initialized or ran out of memory.
    case zlibFailure(path: String, detail: String)

    // MARK: IDX content

    /// The data does not start with the two zero bytes of an IDX magic number; `prefix` holds
    /// the first bytes found.
    case badMagic(path: String, prefix: [UInt8])
    /// The type code of the magic number is not one of the codes of ``IDXElementType``.
    case unknownElementType(path: String, code: UInt8)
    /// The magic number declares zero dimensions.
    case invalidRank(path: String)
    /// A dimension of the header has size zero.
    case zeroDimension(path: String, axis: Int, shape: [Int])
    /// The dimensions multiply to more bytes than a 64-bit address space holds.
    case sizeOverflow(path: String, shape: [Int])
    /// The header describes a payload larger than ``IDXReadLimits/maximumPayloadByteCount``.
    case exceedsLimit(path: String, payloadByteCount: Int, limit: Int)
    /// The data ends before the header, or the payload it announces, is complete:
    /// `actualByteCount` bytes of (uncompressed) IDX data were found where the header requires
    /// `expectedByteCount`.
    case truncated(path: String, expectedByteCount: Int, actualByteCount: Int)
    /// More (uncompressed) bytes follow the payload that the header describes. When `isExact`
    /// is false the reader stopped counting and `extraByteCount` is a lower bound.
    case trailingData(path: String, extraByteCount: Int, isExact: Bool)

    // MARK: Arrays

    /// A shape cannot describe an IDX array (see ``IDXHeader/init(type:shape:)``).
    case invalidShape([Int], reason: String)
    /// The number of values does not match the product of the shape.
    case countMismatch(shape: [Int], expected: Int, actual: Int)
}

extension IDXError: CustomStringConvertible {
    /// A one-line explanation that names the file and says what to do.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file"
        case .notARegularFile(let path):
            return "\(path): not a regular file (expected an IDX file, raw or gzip-compressed)"
        case .systemError(let path, let operation, let code):
            return "\(path): cannot \(operation): \(systemMessage(code))"
        case .corruptCompressedData(let path, let detail):
            return "\(path): corrupt gzip data (\(detail)); the file is damaged, replace it with a good copy"
        case .truncatedCompressedData(let path):
            return "\(path): the gzip stream ends early; the file is incomplete (an interrupted download or copy?), replace it with a complete copy"
        case .trailingGarbage(let path, let count):
            return "\(path): \(count) \(bytes(count)) after the end of the gzip data are not another gzip member; the file is damaged or not a plain gzip file"
        case .zlibFailure(let path, let detail):
            return "\(path): zlib failed: \(detail)"
        case .badMagic(let path, let prefix):
            let found = prefix.map(hexByte).joined(separator: " ")
            return "\(path): not an IDX file (it starts with \(found); an IDX file starts with two zero bytes, a type code and a rank)"
        case .unknownElementType(let path, let code):
            let known = IDXElementType.allCases.map { "\(hexByte($0.code)) \($0.specificationName)" }.joined(separator: ", ")
            return "\(path): unknown IDX element type code \(hexByte(code)) (known codes: \(known))"
        case .invalidRank(let path):
            return "\(path): the IDX header declares 0 dimensions; an IDX array has 1 to 255"
        case .zeroDimension(let path, let axis, let shape):
            return "\(path): dimension \(axis) of the IDX header \(shape) has size 0; every dimension must be at least 1"
        case .sizeOverflow(let path, let shape):
            return "\(path): the IDX header \(shape) describes more data than can be addressed; the header is corrupt"
        case .exceedsLimit(let path, let size, let limit):
            return "\(path): the IDX header describes \(size) bytes of data, more than the limit of \(limit) bytes (raise IDXReadLimits.maximumPayloadByteCount if the file is genuine)"
        case .truncated(let path, let expected, let actual):
            return "\(path): the IDX data ends after \(actual) \(bytes(actual)), but its header requires \(expected); the file is incomplete or its header is wrong"
        case .trailingData(let path, let extra, let isExact):
            let amount = isExact ? "\(extra) \(bytes(extra))" : "more than \(extra) bytes"
            return "\(path): \(amount) of data follow the payload that the IDX header describes; the header is wrong or the file has junk at its end"
        case .invalidShape(let shape, let reason):
            return "invalid IDX shape \(shape): \(reason)"
        case .countMismatch(let shape, let expected, let actual):
            return "an IDX array of shape \(shape) needs \(expected) values, not \(actual)"
        }
    }
}

private func bytes(_ count: Int) -> String { count == 1 ? "byte" : "bytes" }

/// The C library's message for an `errno` value.
func systemMessage(_ code: Int32) -> String {
    guard let message = strerror(code) else { return "error \(code)" }
    return String(cString: message)
}
