#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential source of bytes: a file or a memory buffer, raw or decompressed.
protocol ByteStream: AnyObject {
    /// The path (or name) of the data, for error messages.
    var path: String { get }

    /// Reads at most `buffer.count` bytes into the start of `buffer` and returns how many were
    /// read. Returns 0 only at the end of the data (or when `buffer` is empty).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int

    /// An upper bound on the number of bytes still to come.
    var remainingUpperBound: Int { get }

    /// Whether ``remainingUpperBound`` is the exact number of bytes still to come.
    var remainingIsExact: Bool { get }
}

/// A byte stream that can start over from its first byte.
protocol RewindableByteStream: ByteStream {
    /// Moves back to the first byte.
    func rewind() throws
}

extension ByteStream {
    /// Reads until `buffer` is full or the data ends, and returns the number of bytes read.
    func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if count == 0 { break }
            filled += count
        }
        return filled
    }

    /// Reads and discards the rest of the data, up to `limit` bytes, and returns how many bytes
    /// there were (at most `limit`, plus what the last read returned).
    func drain(limit: Int) throws -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        var total = 0
        while total <= limit {
            let count = try read(into: scratch)
            if count == 0 { break }
            total += count
        }
        return total
    }
}

/// The bytes of an array in memory.
final class MemoryByteStream: RewindableByteStream {
    let path: String
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.path = name
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    var remainingUpperBound: Int { bytes.count - offset }
    var remainingIsExact: Bool { true }

    func rewind() throws { offset = 0 }
}

/// The bytes of a regular file, read with POSIX calls.
final class FileByteStream: RewindableByteStream {
    let path: String
    /// The size of the file when it was opened.
    let size: Int
    private let descriptor: Int32
    private var offset = 0

    /// Opens the regular file at `path` for reading.
    ///
    /// - Throws: ``IDXError/fileNotFound(path:)``, ``IDXError/notARegularFile(path:)`` or
    ///   ``IDXError/systemError(path:operation:errno:)``.
    init(path: String) throws {
        self.path = path
        var descriptor: Int32
        repeat { descriptor = open(path, O_RDONLY | O_CLOEXEC) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw IDXError.fileNotFound(path: path) }
            throw IDXError.systemError(path: path, operation: "open", errno: code)
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw IDXError.systemError(path: path, operation: "stat", errno: code)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw IDXError.notARegularFile(path: path)
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !buffer.isEmpty else { return 0 }
        // Linux transfers at most about 2 GiB per call; ask for less.
        let request = min(buffer.count, 1 << 30)
        while true {
            let count = posixRead(descriptor, buffer.baseAddress, request)
            if count >= 0 {
                offset += count
                return count
            }
            if errno != EINTR { throw IDXError.systemError(path: path, operation: "read", errno: errno) }
        }
    }

    var remainingUpperBound: Int { max(0, size - offset) }
    var remainingIsExact: Bool { true }

    func rewind() throws {
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw IDXError.systemError(path: path, operation: "seek", errno: errno)
        }
        offset = 0
    }
}

/// `read(2)`, named so that it does not clash with the `read(into:)` methods.
func posixRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.read(descriptor, buffer, count)
    #else
    return Darwin.read(descriptor, buffer, count)
    #endif
}

/// `write(2)`, named so that it does not clash with the `write(_:)` methods.
func posixWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(descriptor, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(descriptor, buffer, count)
    #else
    return Darwin.write(descriptor, buffer, count)
    #endif
}
