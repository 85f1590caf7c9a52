import Testing
@testable import MLP
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ThreadTeamTests {
    /// The parts tile 0..<count in order, each boundary but the last a multiple of the
    /// alignment, for every small count, size and alignment.
    @Test func partsTileTheRangeAtAlignedBoundaries() {
        for parts in 1...5 {
            for alignment in [1, 12, 16, 32] {
                for count in 0...200 {
                    var next = 0
                    for i in 0..<parts {
                        let r = ThreadTeam.part(i, of: count, parts: parts, alignment: alignment)
                        #expect(r.lowerBound == next, "parts \(parts) alignment \(alignment) count \(count): piece \(i) = \(r)")
                        #expect(r.lowerBound % alignment == 0 || r.isEmpty)
                        next = r.upperBound
                    }
                    #expect(next == count)
                }
            }
        }
        // Near-equal: 1024 rows in 12-row strips on two threads.
        #expect(ThreadTeam.part(0, of: 1024, parts: 2, alignment: 12) == 0..<516)
        #expect(ThreadTeam.part(1, of: 1024, parts: 2, alignment: 12) == 516..<1024)
    }

    /// Every phase runs each member exactly once, `run` returns only when all are done, and a
    /// team whose members have parked (idle for longer than their spinning) wakes for the next.
    @Test(arguments: [1 << 15, 0])
    func everyMemberRunsEachPhaseOnce(spinsBeforeParking: Int) {
        for size in 1...3 {
            // With 0 spins a member parks before every phase: the wake-up path, thousands of times.
            let team = ThreadTeam(size: size, spinsBeforeParking: spinsBeforeParking)
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: size)
            counts.initialize(repeating: 0, count: size)
            defer { counts.deallocate() }
            for phase in 1...2000 {
                team.run { t in counts[t] += 1 }
                for t in 0..<size { #expect(counts[t] == phase, "size \(size), phase \(phase), member \(t)") }
                if phase % 500 == 0 { usleep(20_000) }  // long enough for the members to park
            }
        }
    }

    /// Releasing a team ends its threads: they hold only the shared core, which is freed once
    /// the last of them has returned (the team's deinit joins them).
    @Test func releasingATeamEndsItsThreads() {
        weak var core: ThreadTeam.Core?
        do {
            let team = ThreadTeam(size: 3)
            core = team.core
            team.run { _ in }
            #expect(core != nil)
        }
        #expect(core == nil, "a member thread still holds the team's core")
        // A team released before it ever ran, with its members parked or not yet started.
        weak var idle: ThreadTeam.Core?
        do { idle = ThreadTeam(size: 2, spinsBeforeParking: 0).core }
        #expect(idle == nil)
    }
}
