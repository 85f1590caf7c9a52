import Testing
@testable import Experiments

/// The bench's bookkeeping across rounds (the timings themselves belong in `subliminal bench`,
/// never in tests).
struct BenchmarkTests {
    func result(_ name: String, threads: Int, seconds: Double) -> BenchmarkResult {
        BenchmarkResult(name: name, shape: "", threads: threads, seconds: seconds, gflops: 1 / seconds)
    }

    @Test func roundsKeepEachFiguresBestInFirstSeenOrder() {
        var best = BestResults()
        // Round 1, then round 2 with one figure faster, one slower, and a new thread count.
        best.keep(result("a", threads: 1, seconds: 2.0))
        best.keep(result("b", threads: 1, seconds: 3.0))
        best.keep(result("a", threads: 2, seconds: 5.0))
        best.keep(result("a", threads: 1, seconds: 1.5))
        best.keep(result("b", threads: 1, seconds: 3.5))
        best.keep(result("c", threads: 1, seconds: 9.0))
        best.keep(result("a", threads: 2, seconds: 4.0))
        #expect(best.results.map(\.name) == ["a", "b", "a", "c"])
        #expect(best.results.map(\.threads) == [1, 1, 2, 1])
        #expect(best.results.map(\.seconds) == [1.5, 3.0, 4.0, 9.0])
    }

    @Test func reportRecordsItsRoundsAndPercentagesOfTheBestPeak() {
        // A tiny suite: the FMA peak only (a filter no measurement name contains), two rounds.
        let bench = Benchmark(minimumSeconds: 0.001, repetitions: 1)
        let report = BenchmarkReport.run(bench, threadCounts: [1], rounds: 2, filter: "no such measurement") { _ in }
        #expect(report.rounds == 2)
        #expect(report.fmaPeak.count == 1)
        #expect(report.fmaPeak[0].percentOfPeak == 100)
        #expect(report.sgemm.isEmpty && report.training.isEmpty && report.teacherStepPhases.isEmpty && report.microKernel.isEmpty)
    }

    /// `bench --filter` checks its text against these names: every example its help gives
    /// selects something, a typo selects nothing, and every measurement is named.
    @Test func filterableNamesCoverEveryMeasurement() {
        let bench = Benchmark(minimumSeconds: 0.001, repetitions: 1)
        let names = BenchmarkReport.filterableNames(bench)
        for example in ["micro-kernel", "sgemm", "teacher", "one run", "layer1", "phase"] {
            #expect(names.contains { $0.contains(example) }, "'\(example)' selects nothing")
        }
        #expect(!names.contains { $0.contains("no such measurement") })
        #expect(names.count == bench.microKernelCases().count + bench.gemmCases().count + Benchmark.StepKind.allCases.count + 2)
        #expect(names.contains("teacher step (CE on logits 0-9), one run") && names.contains("sgemm square 2048³"))
    }

    /// The micro-kernel rows: three, each a measured share of the peak.
    @Test func reportMeasuresTheMicroKernelAlone() {
        let bench = Benchmark(minimumSeconds: 0.001, repetitions: 1)
        let report = BenchmarkReport.run(bench, threadCounts: [1], rounds: 1, filter: "micro-kernel") { _ in }
        #expect(report.microKernel.count == 3)
        #expect(report.microKernel.allSatisfy { ($0.percentOfPeak ?? 0) > 1 && ($0.gflops ?? 0) > 0 })
        #expect(report.sgemm.isEmpty && report.training.isEmpty)
    }
}
