#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates or replaces the file at `path` atomically.
///
/// `body` writes a temporary file in the same directory (named `.NAME.tmp-XXXXXX`), which is
/// then renamed over `path`: other processes see either the old file or the complete new one,
/// never a partial file. When `body` or any step throws, the temporary file is removed and
/// `path` is left untouched. The new file gets mode 0644. (No `fsync`: the rename is atomic,
/// but a power loss right after it may still lose the data.)
func writeFileAtomically(path: String, _ body: (FileSink) throws -> Void) throws {
    let (directory, name) = splitPath(path)
    var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else {
        throw IDXError.systemError(path: path, operation: "create a temporary file in \(directory)", errno: errno)
    }
    let temporaryPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    var isOpen = true
    var committed = false
    defer {
        if isOpen { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }
    try body(FileSink(descriptor: descriptor, path: path))
    guard fchmod(descriptor, 0o644) == 0 else {
        throw IDXError.systemError(path: path, operation: "set the permissions of \(temporaryPath)", errno: errno)
    }
    isOpen = false
    guard close(descriptor) == 0 else {
        throw IDXError.systemError(path: path, operation: "write \(temporaryPath)", errno: errno)
    }
    guard rename(temporaryPath, path) == 0 else {
        throw IDXError.systemError(path: path, operation: "rename \(temporaryPath) to it", errno: errno)
    }
    committed = true
}

/// Splits a path into its directory (`.` when there is none) and its last component.
private func splitPath(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
}
