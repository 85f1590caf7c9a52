import MLP

/// The full output of `subliminal bench`.
public struct BenchmarkReport: Codable, Sendable {
    public var machine: MachineInfo
    public var kernel: String
    public var architecture: String
    public var batch: Int
    public var trainingFLOPsPerSample: Int
    public var forwardFLOPsPerSample: Int
    public var backwardFLOPsPerSample: Int
    public var fmaPeak: [BenchmarkResult]
    /// The micro-kernel alone: operands in L1, B from L2, and merging into an L3-resident C.
    public var microKernel: [BenchmarkResult]
    public var sgemm: [BenchmarkResult]
    public var training: [BenchmarkResult]
    /// The teacher step split into its phases, in execution order: on 1 thread, and as one run
    /// shared by a team of each larger thread count.
    public var teacherStepPhases: [BenchmarkResult]
    /// Samples per second one core could reach if every FLOP ran at the measured peak.
    public var rooflineSamplesPerSecondPerCore: Double

    /// How many times the whole suite was measured; each figure is the best of these rounds.
    public var rounds: Int

    /// The names `run` matches its `filter` against, one per measurement or group of them, in
    /// its order (the FMA peak, `fma_peak`, is not among them: it always runs).
    public static func filterableNames(_ bench: Benchmark) -> [String] {
        bench.microKernelCases().map(\.name) + bench.gemmCases().map(\.resultName)
            + Benchmark.StepKind.allCases.map(\.rawValue) + [oneRunName, Benchmark.phasePrefix]
    }
    static let oneRunName = Benchmark.stepName(.teacher, oneRun: true)

    /// Runs every measurement in order: peak first (it is the yardstick), then the micro-kernel
    /// alone, SGEMM, the training steps and the step's phases, and all of that `rounds` times over, keeping each figure's best round. On a shared host
    /// the load of the neighbours comes and goes over seconds to minutes: the repetitions inside
    /// one measurement all fall in the same spell, while interleaved rounds give every figure a
    /// chance at a quiet one. Percentages are of the best FMA peak measured.
    /// `filter`: when not nil, only the measurements whose name contains it (the FMA peak, the
    /// yardstick, always runs).
    public static func run(_ bench: Benchmark, threadCounts: [Int], rounds: Int = 1, filter: String? = nil,
                           progress: (String) -> Void) -> BenchmarkReport {
        precondition(rounds >= 1, "BenchmarkReport.run: rounds must be at least 1")
        func selected(_ name: String) -> Bool { filter.map { name.contains($0) } ?? true }
        let arch = bench.architecture
        var peaks = BestResults(), kernels = BestResults(), gemms = BestResults(), steps = BestResults(), phases = BestResults()
        for round in 1...rounds {
            let tag = rounds > 1 ? "round \(round)/\(rounds): " : ""
            for t in threadCounts {
                progress(tag + "FMA peak, \(t) thread(s)")
                peaks.keep(bench.fmaPeak(threads: t))
            }
            // Percentages are recomputed from the best peaks at the end; these are provisional.
            let peak1 = peaks.results.first { $0.threads == 1 }?.gflops ?? 1
            for k in bench.microKernelCases() where selected(k.name) {
                progress(tag + k.name)
                kernels.keep(bench.microKernel(name: k.name, panels: k.panels, cRows: k.cRows, peakGFLOPS: peak1))
            }
            for c in bench.gemmCases() where selected(c.resultName) {
                progress(tag + "SGEMM \(c.name)")
                gemms.keep(bench.gemm(c, peakGFLOPS: peak1))
            }
            for kind in Benchmark.StepKind.allCases where selected(kind.rawValue) {
                for t in threadCounts {
                    progress(tag + "\(kind.rawValue), \(t) thread(s)")
                    steps.keep(bench.trainingStep(kind, threads: t, peakGFLOPS: peak1 * Double(t)))
                }
            }
            // One run on a team of threads: the latency a single run gains from more cores.
            for t in threadCounts where t > 1 && selected(oneRunName) {
                progress(tag + "\(oneRunName), \(t) threads")
                steps.keep(bench.trainingStep(.teacher, threads: t, oneRun: true, peakGFLOPS: peak1 * Double(t)))
            }
            if selected(Benchmark.phasePrefix) {
                // On one thread, then as one run shared by a team of each larger thread count.
                for t in threadCounts {
                    progress(tag + "teacher step phases, \(t == 1 ? "1 thread" : "one run on \(t) threads")")
                    for r in bench.teacherStepPhases(threads: t, peakGFLOPS: peak1 * Double(t)) { phases.keep(r) }
                }
            }
        }
        let peak1 = peaks.results.first { $0.threads == 1 }?.gflops ?? peaks.results[0].gflops! / Double(peaks.results[0].threads)
        func peak(_ t: Int) -> Double { peaks.results.first { $0.threads == t }?.gflops ?? peak1 * Double(t) }
        func rescaled(_ list: [BenchmarkResult]) -> [BenchmarkResult] {
            list.map { r in
                var r = r
                // g / peak first: the peak itself is then exactly 100% (100·g/g can round to 100.00000000000001).
                if let g = r.gflops { r.percentOfPeak = 100 * (g / peak(r.threads)) }
                return r
            }
        }
        return BenchmarkReport(
            machine: MachineInfo.current(), kernel: GEMMTiling.description, architecture: arch.description, batch: bench.batch,
            trainingFLOPsPerSample: arch.trainingFLOPsPerSample, forwardFLOPsPerSample: arch.forwardFLOPs,
            backwardFLOPsPerSample: arch.backwardFLOPs, fmaPeak: rescaled(peaks.results), microKernel: rescaled(kernels.results),
            sgemm: rescaled(gemms.results),
            training: rescaled(steps.results), teacherStepPhases: rescaled(phases.results),
            rooflineSamplesPerSecondPerCore: peak1 * 1e9 / Double(arch.trainingFLOPsPerSample), rounds: rounds)
    }

    /// A fixed-width table for the terminal.
    public var table: String {
        var lines: [String] = []
        lines.append("machine: \(machine.cpuModel), \(machine.cores) cores; kernel: \(kernel); best of \(rounds) round(s)")
        lines.append("model \(architecture), batch \(batch): \(fmt(Double(trainingFLOPsPerSample) / 1e6, 3)) MFLOP per training sample (forward \(fmt(Double(forwardFLOPsPerSample) / 1e6, 3)), backward \(fmt(Double(backwardFLOPsPerSample) / 1e6, 3))); roofline \(fmt(rooflineSamplesPerSecondPerCore / 1e3, 1))k samples/s per core")
        lines.append("")
        let header = pad("measurement", 52) + pad("threads", 8, right: true) + pad("ms", 10, right: true) + pad("GFLOP/s", 10, right: true) + pad("% peak", 8, right: true) + pad("samples/s", 12, right: true)
        lines.append(header)
        lines.append(String(repeating: "-", count: header.count))
        for r in fmaPeak + microKernel + sgemm + training + teacherStepPhases {
            lines.append(pad(r.name, 52) + pad("\(r.threads)", 8, right: true) + pad(fmt(r.seconds * 1e3, 3), 10, right: true)
                         + pad(r.gflops.map { fmt($0, 1) } ?? "", 10, right: true) + pad(r.percentOfPeak.map { fmt($0, 1) } ?? "", 8, right: true)
                         + pad(r.samplesPerSecond.map { fmt($0 / 1e3, 1) + "k" } ?? "", 12, right: true))
        }
        return lines.joined(separator: "\n")
    }
}

func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let n = s.count
    if n >= width { return s + (right ? "" : " ") }
    let fill = String(repeating: " ", count: width - n)
    return right ? fill + s : s + fill
}

/// Fixed-point formatting without Foundation's locale machinery.
public func fmt(_ x: Double, _ digits: Int) -> String {
    if !x.isFinite { return "\(x)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    let ip = Int(r / scale), fp = Int(r - Double(ip) * scale)
    var s = (x < 0 && r != 0 ? "-" : "") + "\(ip)"
    if digits > 0 {
        let f = String(fp)
        s += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return s
}

/// The best (least disturbed: fewest seconds) result per measurement across rounds, in the
/// order the measurements were first made.
struct BestResults {
    private(set) var results: [BenchmarkResult] = []

    mutating func keep(_ r: BenchmarkResult) {
        if let i = results.firstIndex(where: { $0.name == r.name && $0.threads == r.threads }) {
            if r.seconds < results[i].seconds { results[i] = r }
        } else {
            results.append(r)
        }
    }
}
