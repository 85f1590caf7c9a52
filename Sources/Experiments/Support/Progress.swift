import Foundation

/// A thread-safe progress line on stderr: live (carriage return) on a terminal, a plain line
/// every `plainInterval` seconds otherwise, nothing when quiet.
public final class ProgressReporter: @unchecked Sendable {
    public let total: Int
    private var done = 0
    private var label: String
    private let start = monotonicSeconds()
    private var lastPrint = -Double.infinity
    private let lock = NSLock()
    private let quiet: Bool
    private let isTerminal: Bool
    private let plainInterval: Double
    private let title: String

    public init(title: String, total: Int, quiet: Bool, plainInterval: Double = 15) {
        self.title = title
        self.total = max(total, 1)
        self.quiet = quiet
        self.plainInterval = plainInterval
        isTerminal = isatty(STDERR_FILENO) != 0
        label = ""
    }

    /// Records `units` more units of work done, under the description `label`.
    public func advance(_ units: Int = 1, label: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        done += units
        if let label { self.label = label }
        let now = monotonicSeconds()
        if now - lastPrint >= (isTerminal ? 0.25 : plainInterval) { emit(now) }
    }

    public func setLabel(_ label: String) {
        lock.lock()
        self.label = label
        lock.unlock()
    }

    /// Ends the live line.
    public func finish(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !quiet else { return }
        let line = "\(title): \(message) (\(Self.duration(monotonicSeconds() - start)))"
        write(isTerminal ? "\r\u{1B}[K" + line + "\n" : line + "\n")
    }

    /// A line of its own, above the live line.
    public func log(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !quiet else { return }
        write(isTerminal ? "\r\u{1B}[K\(title): \(message)\n" : "\(title): \(message)\n")
        lastPrint = -Double.infinity
    }

    private func emit(_ now: Double) {
        lastPrint = now
        guard !quiet else { return }
        let elapsed = now - start
        let fraction = Double(done) / Double(total)
        let eta = done > 0 ? elapsed / fraction - elapsed : .nan
        let pct = Int((100 * fraction).rounded(.down))
        let line = "\(title): \(pct)% \(label) | elapsed \(Self.duration(elapsed)), ETA \(eta.isFinite ? Self.duration(eta) : "--")"
        write(isTerminal ? "\r\u{1B}[K" + line : line + "\n")
    }

    private func write(_ s: String) { FileHandle.standardError.write(s.data(using: .utf8)!) }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m" : t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
    }
}
