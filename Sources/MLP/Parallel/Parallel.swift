import CThreads
import Dispatch

/// Runs independent jobs on a fixed number of threads.
///
/// Jobs are handed out dynamically (whichever thread is free takes the next index), so the
/// assignment of jobs to threads varies from run to run; results stay deterministic because
/// every job's randomness comes from its own coordinates and its result lands in its own slot.
public enum Parallel {
    /// The number of CPUs this process may use: its CPU affinity mask where the system has one
    /// (a container or `taskset` may allow fewer than are online), else the online CPUs.
    public static var availableCores: Int {
        #if canImport(Glibc)
        let allowed = Int(subliminal_allowed_cpus())
        if allowed > 0 { return allowed }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return max(1, ProcessInfo_activeProcessorCount())
        #endif
    }

    /// The threads each of `jobs` jobs run on `threads` threads may have as a ``ThreadTeam``: 1
    /// while there are at least as many jobs as threads; otherwise the spare threads shared out,
    /// never beyond the CPUs this process may use (a team's members spin between phases, and
    /// on a shared core they would wait for each other).
    public static func threadsPerJob(jobs: Int, threads: Int) -> Int {
        max(1, min(threads, availableCores) / max(1, jobs))
    }

    /// `body(i)` for every i in 0..<count on up to `threads` threads; returns the results in
    /// index order.
    public static func map<T: Sendable>(_ count: Int, threads: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let results = ResultSlots<T>(count: count)
        forEach(count, threads: threads) { i in results.set(i, body(i)) }
        return results.values()
    }

    /// `body(i)` for every i in 0..<count on up to `threads` threads.
    public static func forEach(_ count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let next = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.increment()
                if i >= count { break }
                body(i)
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
private func ProcessInfo_activeProcessorCount() -> Int { ProcessInfo.processInfo.activeProcessorCount }
#endif

/// A lock-protected counter (jobs are coarse: contention is irrelevant).
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLockLite()
    func increment() -> Int { lock.withLock { defer { value += 1 }; return value } }
}

final class ResultSlots<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLockLite()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.withLock { slots[i] = v } }
    func values() -> [T] { lock.withLock { slots.map { $0! } } }
}

/// A minimal mutex over pthread (the engine does not depend on Foundation).
final class NSLockLite: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
