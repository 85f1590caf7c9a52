import Foundation

/// Writes `data` to `url` atomically: a temporary file in the same directory, flushed, then
/// renamed over the target. A crash or Ctrl-C leaves the old file or the new one, never half.
public func writeAtomically(_ data: Data, to url: URL) throws {
    let dir = url.deletingLastPathComponent()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial")
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
        throw FileError(message: "cannot create \(tmp.path): check that \(dir.path) is writable")
    }
    do {
        let handle = try FileHandle(forWritingTo: tmp)
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        if rename(tmp.path, url.path) != 0 {
            throw FileError(message: "cannot rename \(tmp.path) to \(url.path): \(String(cString: strerror(errno)))")
        }
    } catch {
        try? FileManager.default.removeItem(at: tmp)
        throw error
    }
}

public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

public struct FileError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// An append-only log of JSON lines. Each record is written with one `write(2)` on a file
/// opened with O_APPEND, so a record is either wholly in the file or not at all, even when the
/// process is killed; a torn last line (a crash mid-write on some filesystems) is dropped on read.
public final class JSONLinesLog: @unchecked Sendable {
    public let url: URL
    private let fd: Int32
    private let lock = NSLock()

    /// Opens (creating) the log; `truncate` starts it empty. Otherwise a torn last line (a crash
    /// mid-write) is cut off first, so that the next record starts on a line of its own.
    public init(url: URL, truncate: Bool) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !truncate, let data = FileManager.default.contents(atPath: url.path), let last = data.last, last != 0x0A {
            let keep = data.lastIndex(of: 0x0A).map { $0 + 1 } ?? data.startIndex
            guard truncateFile(url.path, keep - data.startIndex) == 0 else {
                throw FileError(message: "cannot repair the torn last line of \(url.path): \(String(cString: strerror(errno)))")
            }
        }
        let flags = O_WRONLY | O_CREAT | O_APPEND | (truncate ? O_TRUNC : 0)
        fd = open(url.path, flags, 0o644)
        guard fd >= 0 else { throw FileError(message: "cannot open \(url.path) for writing: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    public func append<T: Encodable>(_ record: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(record)
        data.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw FileError(message: "cannot append to \(url.path): \(String(cString: strerror(errno)))") }
        fsync(fd)
    }

    /// The complete lines of an existing log (a torn last line is dropped), or [] if absent.
    public static func readLines(_ url: URL) throws -> [Data] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let data = try Data(contentsOf: url)
        var lines: [Data] = []
        var start = data.startIndex
        for i in data.indices where data[i] == 0x0A {
            if i > start { lines.append(data[start..<i]) }
            start = i + 1
        }
        return lines
    }
}

/// truncate(2), out of the way of parameters named `truncate`.
private func truncateFile(_ path: String, _ length: Int) -> Int32 { truncate(path, off_t(length)) }
