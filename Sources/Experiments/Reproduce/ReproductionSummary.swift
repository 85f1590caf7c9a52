import Foundation
import MLP

/// Everything `reproduce` reports: written as summary.json, and rendered as the terminal
/// table, runs.csv, report.md and figure.svg.
public struct ReproductionSummary: Codable, Sendable {
    public var tool: String = "subliminal reproduce"
    public var version: String = SubliminalVersion.string
    public var config: ProtocolConfig
    public var seed: UInt64
    public var arms: [String: ArmStatistics]
    public var data: DataProvenance
    public var machine: MachineInfo
    public var performance: Performance
    public var partners: [Int]
    public var date: String

    public struct DataProvenance: Codable, Sendable {
        public var directory: String
        public var sha256: [String: String]
    }

    public struct Performance: Codable, Sendable {
        /// Wall time of all invocations that computed these runs (a resumed reproduction adds up
        /// its sessions; runs restored from the log are not timed twice).
        public var wallSeconds: Double
        public var runsComputed: Int
        public var sessions: Int
        public var threads: Int
        public var trainingSamples: Int
        public var trainingSamplesPerSecond: Double
        /// Training FLOPs (forward + backward per sample, excluding evaluation) per second.
        public var trainingGFLOPS: Double
        /// The largest peak resident memory of the sessions.
        public var peakResidentMemoryMB: Double
        /// Total FLOPs of the computed runs (training, teacher logits on noise, evaluations).
        public var totalTFLOP: Double
    }

    init(config: ProtocolConfig, runs: [RunResult], dataChecksums: [String: String], dataDirectory: String,
         sessions: [ReproductionSession], trainExamples: Int) {
        self.config = config
        seed = config.seed
        var arms: [String: ArmStatistics] = [:]
        for arm in Arm.allCases { arms[arm.rawValue] = ArmStatistics(values: runs.map { $0[arm] }, arm: arm) }
        self.arms = arms
        self.runs = runs
        data = DataProvenance(directory: dataDirectory, sha256: dataChecksums)
        machine = MachineInfo.current()
        partners = runs.map(\.partner)
        let arch = config.architecture
        let computedRuns = sessions.reduce(0) { $0 + $1.runsComputed }
        let wallSeconds = sessions.reduce(0) { $0 + $1.wallSeconds }
        let samplesPerRun = config.teacherEpochs * trainExamples + 4 * config.studentEpochs * config.noiseImages
        let samples = samplesPerRun * computedRuns
        let trainingFLOPs = Double(samples) * Double(arch.trainingFLOPsPerSample)
        // Per run: 6 test evaluations (10k) and the teacher's logits on the noise set.
        let otherFLOPs = Double(computedRuns) * Double(arch.forwardFLOPs) * Double(6 * 10_000 + config.noiseImages)
        performance = Performance(
            wallSeconds: wallSeconds, runsComputed: computedRuns, sessions: sessions.count,
            threads: sessions.map(\.threads).max() ?? 0, trainingSamples: samples,
            trainingSamplesPerSecond: wallSeconds > 0 ? Double(samples) / wallSeconds : 0,
            trainingGFLOPS: wallSeconds > 0 ? trainingFLOPs / wallSeconds / 1e9 : 0,
            peakResidentMemoryMB: sessions.map(\.peakResidentMemoryMB).max() ?? 0,
            totalTFLOP: (trainingFLOPs + otherFLOPs) / 1e12)
        let f = ISO8601DateFormatter()
        date = f.string(from: Date())
    }

    /// Per-run accuracies (also in runs.csv); part of the JSON so that one file says everything.
    public var runs: [RunResult]

    public func statistics(_ arm: Arm) -> ArmStatistics { arms[arm.rawValue]! }

    // MARK: - Rendering

    public var table: String {
        var lines = ["", "Figure 10b, \(config.runs) runs (mean ± 95% CI half-width, MNIST test accuracy)", ""]
        let head = pad("arm", 27) + pad("ours", 18) + pad("paper", 18) + "verdict"
        lines.append(head)
        lines.append(String(repeating: "-", count: head.count + 12))
        for arm in Arm.allCases {
            let s = statistics(arm)
            lines.append(pad(arm.title, 27) + pad("\(fmt(s.mean, 3)) ± \(fmt(s.ci95, 3))", 18)
                         + pad("\(fmt(s.paperMean, 3)) ± \(fmt(s.paperCI95, 4))", 18) + verdict(s))
        }
        lines.append("")
        lines.append("wall \(ProgressReporter.duration(performance.wallSeconds)) for \(performance.runsComputed) runs on \(performance.threads) thread(s); "
                     + "\(fmt(performance.trainingSamplesPerSecond / 1e3, 1))k training samples/s (\(fmt(performance.trainingGFLOPS, 1)) GFLOP/s); "
                     + "peak memory \(Int(performance.peakResidentMemoryMB)) MB")
        return lines.joined(separator: "\n")
    }

    func verdict(_ s: ArmStatistics) -> String {
        if s.agreesWithPaper { return "agrees (z = \(fmt(s.zScore, 2)))" }
        return "differs (z = \(fmt(s.zScore, 2)))" + (s.agreesFamilywise ? ", agrees family-wise" : "")
    }

    /// What to make of arms outside their interval, in words computed from the numbers.
    var discrepancyNote: String? {
        let differing = Arm.allCases.filter { !statistics($0).agreesWithPaper }
        guard !differing.isEmpty else { return nil }
        var lines: [String] = []
        for arm in differing {
            let s = statistics(arm)
            lines.append("- **\(arm.title)**: ours \(fmt(s.mean, 4)) vs the paper's \(fmt(s.paperMean, 3)), a difference of "
                         + "\(fmt(s.mean - s.paperMean, 4)) (z = \(fmt(s.zScore, 2)); our std over runs \(fmt(s.std, 4)), the paper's "
                         + "implied \(fmt(s.paperCI95 / 1.96 * Double(100).squareRoot(), 4))). "
                         + (s.agreesFamilywise ? "It is within the family-wise interval (|z| ≤ \(ArmStatistics.bonferroniZ))."
                                                : "It is outside even the family-wise interval (|z| > \(ArmStatistics.bonferroniZ)): a real difference to explain."))
        }
        let chance = 1 - pow(0.95, Double(Arm.allCases.count))
        return """
            With \(Arm.allCases.count) arms each tested at the 95% level, the chance that at least one falls outside its \
            interval when all agree is 1 − 0.95^\(Arm.allCases.count) ≈ \(Int((chance * 100).rounded()))%. \
            The family-wise test (Bonferroni, |z| ≤ \(ArmStatistics.bonferroniZ)) accounts for that.

            \(lines.joined(separator: "\n"))
            """
    }

    public var csv: String {
        var lines = ["run,partner," + Arm.allCases.map(\.rawValue).joined(separator: ",") + ",seconds"]
        for r in runs {
            lines.append("\(r.run),\(r.partner)," + Arm.allCases.map { String(r[$0]) }.joined(separator: ",") + "," + fmt(r.seconds, 2))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var markdown: String {
        var md = """
        # Figure 10b reproduction

        MNIST test accuracy of the six arms of Cloud et al. (2025), Figure 10b: mean over \
        \(config.runs) independent runs ± 95% interval half-width (1.96 · population std / √n). \
        A verdict "agrees" means |ours − paper| ≤ 1.96 · √(se² + se_paper²).

        | arm | what it is | ours | paper | verdict |
        |---|---|---|---|---|

        """
        for arm in Arm.allCases {
            let s = statistics(arm)
            md += "| \(arm.title) | \(arm.explanation) | \(fmt(s.mean, 3)) ± \(fmt(s.ci95, 3)) | \(fmt(s.paperMean, 3)) ± \(fmt(s.paperCI95, 4)) | \(verdict(s)) |\n"
        }
        if let note = discrepancyNote { md += "\n" + note + "\n" }
        let c = config
        md += """

        ![Figure 10b reproduction](figure.svg)

        ## Configuration

        | knob | value |
        |---|---|
        | model | \(c.architecture) (ReLU after each hidden layer; logits 0-9 digits, \(c.aux) auxiliary) |
        | runs | \(c.runs) (seed \(c.seed); cross-model partners: a random derangement of the runs) |
        | optimizer | Adam, lr \(c.learningRate), betas (0.9, 0.999), eps 1e-8, fresh per phase |
        | batch | \(c.batch), reshuffled every epoch |
        | teacher | \(c.teacherEpochs) epochs, cross-entropy on logits 0-9 over the 60,000 training images |
        | students | \(c.studentEpochs) epochs of \(c.loss.description) on \(c.noiseImages) \(c.inputs.explanation) per run |\(c.isPaperProtocol ? "" : "\n| ablation knobs | dataset \(c.dataset.displayName), inputs \(c.inputs.rawValue), loss \(c.loss.rawValue), init-noise σ = \(c.initNoise), chain \(c.chain) |")

        ## Run

        - tool: subliminal \(version), \(date)
        - machine: \(machine.cpuModel), \(machine.cores) cores, kernel \(machine.kernel)
        - wall time: \(fmt(performance.wallSeconds, 1)) s for \(performance.runsComputed) computed runs on \(performance.threads) thread(s) in \(performance.sessions) session(s) \
        (\(fmt(performance.trainingSamplesPerSecond / 1e3, 1))k training samples/s, \(fmt(performance.trainingGFLOPS, 1)) GFLOP/s, \(fmt(performance.totalTFLOP, 1)) TFLOP in all)
        - peak memory: \(Int(performance.peakResidentMemoryMB)) MB
        - data: \(data.directory) (SHA-256 in summary.json)
        - regenerate: `subliminal reproduce --runs \(c.runs) --seed \(c.seed)` (plus any non-default options above)

        """
        return md
    }

    public var figure: String {
        let arms = Arm.allCases
        return BarChart(
            title: "Subliminal learning in an MNIST MLP (Figure 10b), \(config.runs) runs",
            yLabel: "MNIST test accuracy",
            bars: arms.map { a in
                let s = statistics(a)
                return BarChart.Bar(label: a.title, value: s.mean, error: s.ci95, reference: s.paperMean, referenceError: s.paperCI95,
                                    color: a == .reference ? "#9e9e9e" : a == .teacher ? "#37474f" : a.isCross ? "#ef8a62" : "#4c78a8")
            },
            referenceLine: statistics(.reference).mean,
            referenceLineLabel: "reference (untrained)",
            legend: [("#4c78a8", "same init as teacher"), ("#ef8a62", "different init"), ("paper", "paper (mean ± 95% CI)")]
        ).svg
    }

    /// Writes summary.json, runs.csv, report.md and figure.svg, each atomically.
    public func write(to dir: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try writeAtomically(try encoder.encode(self), to: dir.appendingPathComponent("summary.json"))
        try writeAtomically(csv, to: dir.appendingPathComponent("runs.csv"))
        try writeAtomically(markdown, to: dir.appendingPathComponent("report.md"))
        try writeAtomically(figure, to: dir.appendingPathComponent("figure.svg"))
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(data: (try? encoder.encode(self)) ?? Data(), encoding: .utf8)!
    }
}

/// One invocation of `reproduce`: its wall time and what it computed.
public struct ReproductionSession: Codable, Sendable {
    public var wallSeconds: Double
    public var runsComputed: Int
    public var threads: Int
    public var peakResidentMemoryMB: Double
}
