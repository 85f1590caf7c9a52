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
    public var sgemm: [BenchmarkResult]
    public var training: [BenchmarkResult]
    /// The teacher step (1 thread) split into its phases, in execution order.
    public var teacherStepPhases: [BenchmarkResult]
    /// Samples per second one core could reach if every FLOP ran at the measured peak.
    public var rooflineSamplesPerSecondPerCore: Double

    /// Runs every measurement in order: peak first (it is the yardstick), then SGEMM, then steps.
    /// `filter`: when not nil, only the SGEMM and training measurements whose name contains it
    /// (the FMA peak, the yardstick, always runs).
    public static func run(_ bench: Benchmark, threadCounts: [Int], filter: String? = nil, progress: (String) -> Void) -> BenchmarkReport {
        func selected(_ name: String) -> Bool { filter.map { name.contains($0) } ?? true }
        let arch = bench.architecture
        var peaks: [BenchmarkResult] = []
        for t in threadCounts {
            progress("FMA peak, \(t) thread(s)")
            var r = bench.fmaPeak(threads: t)
            r.percentOfPeak = 100
            peaks.append(r)
        }
        let peak1 = peaks.first { $0.threads == 1 }?.gflops ?? peaks[0].gflops! / Double(peaks[0].threads)
        func peak(_ t: Int) -> Double { peaks.first { $0.threads == t }?.gflops ?? peak1 * Double(t) }
        var gemms: [BenchmarkResult] = []
        for c in bench.gemmCases() where selected("sgemm " + c.name) {
            progress("SGEMM \(c.name)")
            gemms.append(bench.gemm(c, peakGFLOPS: peak1))
        }
        var steps: [BenchmarkResult] = []
        for kind in Benchmark.StepKind.allCases where selected(kind.rawValue) {
            for t in threadCounts {
                progress("\(kind.rawValue), \(t) thread(s)")
                steps.append(bench.trainingStep(kind, threads: t, peakGFLOPS: peak(t)))
            }
        }
        var phases: [BenchmarkResult] = []
        if selected("teacher step phase") {
            progress("teacher step phases, 1 thread")
            phases = bench.teacherStepPhases(peakGFLOPS: peak1)
        }
        return BenchmarkReport(
            machine: MachineInfo.current(), kernel: GEMMTiling.description, architecture: arch.description, batch: bench.batch,
            trainingFLOPsPerSample: arch.trainingFLOPsPerSample, forwardFLOPsPerSample: arch.forwardFLOPs,
            backwardFLOPsPerSample: arch.backwardFLOPs, fmaPeak: peaks, sgemm: gemms, training: steps, teacherStepPhases: phases,
            rooflineSamplesPerSecondPerCore: peak1 * 1e9 / Double(arch.trainingFLOPsPerSample))
    }

    /// A fixed-width table for the terminal.
    public var table: String {
        var lines: [String] = []
        lines.append("machine: \(machine.cpuModel), \(machine.cores) cores; kernel: \(kernel)")
        lines.append("model \(architecture), batch \(batch): \(fmt(Double(trainingFLOPsPerSample) / 1e6, 3)) MFLOP per training sample (forward \(fmt(Double(forwardFLOPsPerSample) / 1e6, 3)), backward \(fmt(Double(backwardFLOPsPerSample) / 1e6, 3))); roofline \(fmt(rooflineSamplesPerSecondPerCore / 1e3, 1))k samples/s per core")
        lines.append("")
        let header = pad("measurement", 52) + pad("threads", 8, right: true) + pad("ms", 10, right: true) + pad("GFLOP/s", 10, right: true) + pad("% peak", 8, right: true) + pad("samples/s", 12, right: true)
        lines.append(header)
        lines.append(String(repeating: "-", count: header.count))
        for r in fmaPeak + sgemm + training + teacherStepPhases {
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
