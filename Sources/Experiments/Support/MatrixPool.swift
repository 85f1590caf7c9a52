import Foundation
import MLP

/// Recycles large matrices between runs: a fresh 60,000 × 784 noise set is 188 MB, and
/// having the kernel zero 188 MB of new pages for every run costs more than generating it.
public final class MatrixPool: @unchecked Sendable {
    public static let shared = MatrixPool()
    private var free: [Matrix] = []
    private let lock = NSLock()

    /// A matrix of this shape with unspecified contents.
    public func acquire(rows: Int, cols: Int) -> Matrix {
        lock.lock()
        defer { lock.unlock() }
        if let i = free.firstIndex(where: { $0.rows == rows && $0.cols == cols }) { return free.remove(at: i) }
        return Matrix(rows: rows, cols: cols)
    }

    /// Returns a matrix for reuse; the pool keeps at most `limit` of them.
    public func release(_ m: Matrix, limit: Int = 4) {
        lock.lock()
        defer { lock.unlock() }
        if free.count < limit { free.append(m) }
    }
}
