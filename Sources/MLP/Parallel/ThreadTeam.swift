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
/// (with the CPU's spin-wait hint), and only after about a millisecond without work do they
/// park on a condition variable, so that an idle team does not hold a core.
///
/// Splitting a phase among the members never changes a result's bits: each member computes
/// whole rows or whole columns of an output, every element's sums run in the same order as on
/// one thread (see `gemm`), and whatever is a sum over the split (a loss) runs on member 0.
public final class ThreadTeam: @unchecked Sendable {
    /// The number of members, the calling thread included.
    public let size: Int
    /// Incremented by `run` to start a phase; members wait for it to move.
    private let generation: UnsafeMutablePointer<Int>
    /// Members other than 0 still working on the current phase.
    private let pending: UnsafeMutablePointer<Int>
    /// The current phase (valid between a `generation` increment and `pending` reaching 0).
    private var job: ((Int) -> Void)?
    private var stopping = false
    // Parking: a member that found no work for a while sleeps on `wake`; `run` signals it.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var sleepers = 0
    private var threads: [pthread_t] = []

    /// Spin-wait hints a waiting member issues before it parks (about a millisecond).
    static let spinsBeforeParking = 1 << 15

    /// A team of `size` members: `size - 1` new threads, which live as long as the team.
    public init(size: Int) {
        precondition(size >= 1, "ThreadTeam: size \(size) < 1")
        self.size = size
        generation = .allocate(capacity: 1); generation.initialize(to: 0)
        pending = .allocate(capacity: 1); pending.initialize(to: 0)
        mutex = .allocate(capacity: 1); pthread_mutex_init(mutex, nil)
        wake = .allocate(capacity: 1); pthread_cond_init(wake, nil)
        for member in 1..<size {
            let context = Unmanaged.passRetained(MemberContext(team: self, member: member)).toOpaque()
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
        pthread_mutex_lock(mutex)
        stopping = true
        _ = subliminal_fetch_add(generation, 1)
        pthread_cond_broadcast(wake)
        pthread_mutex_unlock(mutex)
        for thread in threads { pthread_join(thread, nil) }
        pthread_cond_destroy(wake); wake.deallocate()
        pthread_mutex_destroy(mutex); mutex.deallocate()
        generation.deallocate()
        pending.deallocate()
    }

    /// `body(t)` for every member t, member 0 on this thread; returns when all have returned.
    /// Not reentrant: `body` must not call `run` on the same team.
    public func run(_ body: (Int) -> Void) {
        if size == 1 { body(0); return }
        withoutActuallyEscaping(body) { body in
            job = body
            subliminal_store_release(pending, size - 1)
            pthread_mutex_lock(mutex)
            _ = subliminal_fetch_add(generation, 1)
            if sleepers > 0 { pthread_cond_broadcast(wake) }
            pthread_mutex_unlock(mutex)
            body(0)
            while subliminal_load_acquire(pending) != 0 { subliminal_spin_pause() }
            job = nil
        }
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

    /// The loop of members 1..<size: wait for a phase, do its part, report, repeat.
    fileprivate func memberLoop(_ member: Int) {
        var seen = 0
        while true {
            var spins = 0
            while subliminal_load_acquire(generation) == seen {
                spins += 1
                if spins < Self.spinsBeforeParking {
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

/// What a member thread starts with. The team is held unretained: it joins its threads in
/// `deinit`, so it outlives them.
private final class MemberContext {
    unowned(unsafe) let team: ThreadTeam
    let member: Int
    init(team: ThreadTeam, member: Int) { self.team = team; self.member = member }

    static func start(_ context: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
        let c = Unmanaged<MemberContext>.fromOpaque(context!).takeRetainedValue()
        c.team.memberLoop(c.member)
        return nil
    }
}
