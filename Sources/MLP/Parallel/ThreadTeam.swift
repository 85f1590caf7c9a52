import CThreads
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// A fixed team of threads that work on one training run together, phase by phase.
///
/// `run(body)` calls `body(t)` once for every member t in 0..<size (member 0 on the calling
/// thread) and returns when all have finished: a barrier after every phase. A training step
/// has about ten phases of 0.03-2 ms each, so the hand-off must cost microseconds, not the tens
/// of microseconds of waking a parked thread: between phases the members spin on a counter
/// (with the CPU's spin-wait hint), and only after `spinsBeforeParking` hints without work
/// (a fraction of a millisecond to a few) do they park on a condition variable, so that an
/// idle team does not hold a core. Give a team no more threads than there are free cores (the
/// number of runs in flight times the team size): a spinning member is wasted on a core that
/// another member needs. The team's threads end when the team is released.
///
/// Splitting a phase among the members never changes a result's bits: each member computes
/// whole rows or whole columns of an output, every element's sums run in the same order as on
/// one thread (see `gemm`), and whatever is a sum over the split (a loss) runs on member 0.
public final class ThreadTeam: @unchecked Sendable {
    /// The number of members, the calling thread included.
    public let size: Int
    /// What the members share; they hold it, not the team, so that releasing the team stops them.
    let core: Core
    private var threads: [pthread_t] = []

    /// A team of `size` members: `size - 1` new threads, which live as long as the team.
    /// `spinsBeforeParking`: spin-wait hints a waiting member issues before it parks.
    public init(size: Int, spinsBeforeParking: Int = 1 << 15) {
        precondition(size >= 1, "ThreadTeam: size \(size) < 1")
        self.size = size
        core = Core(size: size, spinsBeforeParking: spinsBeforeParking)
        for member in 1..<size {
            let context = Unmanaged.passRetained(MemberContext(core: core, member: member)).toOpaque()
            #if canImport(Darwin)
            var thread: pthread_t? = nil
            let status = pthread_create(&thread, nil, { MemberContext.start($0) }, context)
            precondition(status == 0 && thread != nil, "ThreadTeam: pthread_create failed (\(status))")
            threads.append(thread!)
            #else
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { MemberContext.start($0) }, context)
            precondition(status == 0, "ThreadTeam: pthread_create failed (\(status))")
            threads.append(thread)
            #endif
        }
    }

    deinit {
        core.stop()
        for thread in threads { pthread_join(thread, nil) }
    }

    /// `body(t)` for every member t, member 0 on this thread; returns when all have returned.
    /// One phase at a time: `body` must not call `run` on the same team, nor may two threads.
    public func run(_ body: (Int) -> Void) {
        if size == 1 { body(0); return }
        core.run(body)
    }

    /// Member `member`'s part of `0..<count` when it is split among the team in contiguous,
    /// near-equal pieces whose boundaries are multiples of `alignment` (the last piece takes
    /// the remainder; a piece may be empty when `count` is small).
    public func part(_ member: Int, of count: Int, alignment: Int = 1) -> Range<Int> {
        ThreadTeam.part(member, of: count, parts: size, alignment: alignment)
    }

    /// Piece `index` of `0..<count` split into `parts` contiguous pieces as `part(_:of:alignment:)`.
    public static func part(_ index: Int, of count: Int, parts: Int, alignment: Int = 1) -> Range<Int> {
        precondition(parts >= 1 && index >= 0 && index < parts && alignment >= 1 && count >= 0)
        let units = (count + alignment - 1) / alignment
        @inline(__always) func boundary(_ i: Int) -> Int { min(count, (units * i / parts) * alignment) }
        return boundary(index)..<(index == parts - 1 ? count : boundary(index + 1))
    }

    /// The state the caller and the members share, and the hand-off protocol:
    ///
    ///     caller (run)                          member
    ///     job = body; pending = size - 1        wait until generation moves (spin, then park)
    ///     generation += 1 (wake the parked)     job(member); pending -= 1
    ///     body(0); wait until pending == 0
    ///
    /// The release/acquire pairs on `generation` and `pending` order the plain fields (`job`,
    /// `stopping`) between the threads; parking and the increment both hold `mutex`, so no
    /// wake-up is lost.
    final class Core: @unchecked Sendable {
        let size: Int
        let spinsBeforeParking: Int
        /// Incremented to start a phase (or to stop); members wait for it to move.
        private let generation: UnsafeMutablePointer<Int>
        /// Members other than 0 still working on the current phase.
        private let pending: UnsafeMutablePointer<Int>
        /// 1 while a phase runs: a second, concurrent or nested `run` is a bug, caught here.
        private let busy: UnsafeMutablePointer<Int>
        /// The current phase (valid between a `generation` increment and `pending` reaching 0).
        private var job: ((Int) -> Void)?
        private var stopping = false
        private let mutex: UnsafeMutablePointer<pthread_mutex_t>
        private let wake: UnsafeMutablePointer<pthread_cond_t>
        private var sleepers = 0

        init(size: Int, spinsBeforeParking: Int) {
            self.size = size
            self.spinsBeforeParking = max(0, spinsBeforeParking)
            generation = .allocate(capacity: 1); generation.initialize(to: 0)
            pending = .allocate(capacity: 1); pending.initialize(to: 0)
            busy = .allocate(capacity: 1); busy.initialize(to: 0)
            mutex = .allocate(capacity: 1); pthread_mutex_init(mutex, nil)
            wake = .allocate(capacity: 1); pthread_cond_init(wake, nil)
        }

        deinit {
            pthread_cond_destroy(wake); wake.deallocate()
            pthread_mutex_destroy(mutex); mutex.deallocate()
            generation.deallocate(); pending.deallocate(); busy.deallocate()
        }

        func run(_ body: (Int) -> Void) {
            precondition(subliminal_fetch_add(busy, 1) == 0, "ThreadTeam.run: called again before the current phase ended")
            withoutActuallyEscaping(body) { body in
                job = body
                subliminal_store_release(pending, size - 1)
                advance()
                body(0)
                // The members are normally a few microseconds behind; if they are far behind
                // (descheduled: more threads than free cores), give them the core.
                var spins = 0
                while subliminal_load_acquire(pending) != 0 {
                    spins += 1
                    if spins < spinsBeforeParking { subliminal_spin_pause() } else { sched_yield() }
                }
                job = nil
            }
            subliminal_store_release(busy, 0)
        }

        /// Tells the members to end their loops (after the current phase, if any).
        func stop() {
            pthread_mutex_lock(mutex)
            stopping = true
            pthread_mutex_unlock(mutex)
            advance()
        }

        /// Starts the next phase: moves `generation` and wakes the parked members.
        private func advance() {
            pthread_mutex_lock(mutex)
            _ = subliminal_fetch_add(generation, 1)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            pthread_mutex_unlock(mutex)
        }

        /// The loop of members 1..<size: wait for a phase, do its part, report, repeat.
        func memberLoop(_ member: Int) {
            var seen = 0
            while true {
                var spins = 0
                while subliminal_load_acquire(generation) == seen {
                    spins += 1
                    if spins < spinsBeforeParking {
                        subliminal_spin_pause()
                    } else {
                        pthread_mutex_lock(mutex)
                        sleepers += 1
                        while subliminal_load_acquire(generation) == seen { pthread_cond_wait(wake, mutex) }
                        sleepers -= 1
                        pthread_mutex_unlock(mutex)
                    }
                }
                seen = subliminal_load_acquire(generation)
                if stopping { return }
                job!(member)
                _ = subliminal_fetch_add(pending, -1)
            }
        }
    }
}

/// What a member thread starts with: the shared core (retained until the thread ends) and the
/// member's index.
private final class MemberContext {
    let core: ThreadTeam.Core
    let member: Int
    init(core: ThreadTeam.Core, member: Int) { self.core = core; self.member = member }

    static func start(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        let c = Unmanaged<MemberContext>.fromOpaque(context!).takeRetainedValue()
        c.core.memberLoop(c.member)
        return nil
    }
}
