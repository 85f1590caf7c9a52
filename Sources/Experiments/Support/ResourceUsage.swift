#if canImport(Glibc)
import Glibc
#endif

/// Peak resident memory of this process so far, in bytes (getrusage's ru_maxrss).
public func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    #if os(Linux)
    return Int(usage.ru_maxrss) * 1024   // kilobytes on Linux
    #else
    return Int(usage.ru_maxrss)          // bytes on macOS
    #endif
}
