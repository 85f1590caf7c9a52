import Datasets
import Foundation
import MLP

/// Mean, spread and 95% interval of one arm at one configuration.
public struct SweepArmStatistics: Codable, Sendable, Equatable {
    public var mean: Double
    /// Population standard deviation (divides by n), as the protocol specifies.
    public var std: Double
    /// 1.96 · std / √n.
    public var ci95: Double
    public var n: Int
    public var min: Double
    public var max: Double

    public init(values: [Double]) {
        n = values.count
        let count = Double(Swift.max(n, 1))
        mean = values.reduce(0, +) / count
        let m = mean
        std = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / count).squareRoot()
        ci95 = 1.96 * std / count.squareRoot()
        min = values.min() ?? .nan
        max = values.max() ?? .nan
    }

    var text: String { "\(fmt(mean, 3)) ± \(fmt(ci95, 3))" }
}

/// One configuration's results.
public struct SweepPointSummary: Codable, Sendable {
    public var index: Int
    /// Knob → value, for the varied knobs.
    public var values: [String: String]
    public var config: ProtocolConfig
    public var arms: [String: SweepArmStatistics]
    /// The subliminal effect: student (aux only) − cross-model (aux only), paired by run (same
    /// teacher, same inputs); its interval is that of the per-run differences.
    public var effect: SweepArmStatistics
    /// Every arm's accuracy, by run.
    public var accuracy: [String: [Double]]
    /// With chain > 1: every student arm's accuracy by run and generation.
    public var generations: [String: [[Double]]]?

    public func value(_ knob: Knob) -> String? { values[knob.rawValue] }
    public func statistics(_ arm: Arm) -> SweepArmStatistics { arms[arm.rawValue]! }
}

/// Everything a sweep reports: a deterministic function of its spec, data and job results (no
/// timings, dates or paths), so that however the sweep was computed (threads, shards, resumes,
/// machines with the same kernel) sweep.json, sweep.csv, report.md and the charts are
/// byte-identical. Timings go to timing.json.
public struct SweepSummary: Codable, Sendable {
    public var tool = "subliminal sweep"
    public var version: String
    public var spec: SweepSpec
    public var runs: Int
    public var seed: UInt64
    /// partners[r]: the run whose initialization run r's cross-model students start from.
    public var partners: [Int]
    public var data: [String: String]
    public var kernels: [String]
    public var points: [SweepPointSummary]

    init(header: SweepLogHeader, results: [SweepJobID: RunResult], kernels: [String]) {
        version = header.version
        spec = header.spec
        runs = spec.runs
        seed = spec.seed
        partners = Reproduction.derangement(spec.runs, seed: spec.seed)
        data = header.data
        self.kernels = kernels
        let spec = self.spec
        points = spec.points.map { p in
            let rs = (0..<spec.runs).map { results[SweepJobID(point: p.index, run: $0)]! }
            var values: [String: String] = [:]
            for (a, v) in zip(spec.axes, p.values) { values[a.knob.rawValue] = v }
            var arms: [String: SweepArmStatistics] = [:]
            var accuracy: [String: [Double]] = [:]
            for arm in Arm.allCases {
                let v = rs.map { $0[arm] }
                accuracy[arm.rawValue] = v
                arms[arm.rawValue] = SweepArmStatistics(values: v)
            }
            let effect = SweepArmStatistics(values: rs.map { $0[.studentAux] - $0[.crossAux] })
            var generations: [String: [[Double]]]?
            if p.config.chain > 1 {
                var g: [String: [[Double]]] = [:]
                for arm in Arm.students { g[arm.rawValue] = rs.map { $0.generations?[arm.rawValue] ?? [] } }
                generations = g
            }
            return SweepPointSummary(index: p.index, values: values, config: p.config, arms: arms, effect: effect,
                                     accuracy: accuracy, generations: generations)
        }
    }

    var datasetName: String {
        let kinds = Set(points.map(\.config.dataset))
        return kinds.count == 1 ? kinds.first!.displayName : "the teacher's data set (MNIST or Fashion-MNIST)"
    }

    // MARK: - Rendering

    static let shortTitles: [Arm: String] = [
        .reference: "reference", .teacher: "teacher", .studentAux: "student aux", .studentAll: "student all",
        .crossAux: "cross aux", .crossAll: "cross all",
    ]

    /// The terminal table.
    public var table: String {
        let knobWidth = spec.axes.map { a in max(a.knob.rawValue.count, a.values.map(\.count).max() ?? 0) + 2 }
        var head = zip(spec.axes, knobWidth).map { pad($0.knob.rawValue, $1) }.joined()
        for arm in Arm.allCases { head += pad(Self.shortTitles[arm]!, 16) }
        head += "effect (aux)"
        var lines = ["", "Sweep over \(spec.axes.map(\.knob.rawValue).joined(separator: " × ")), \(runs) runs per configuration (test accuracy on \(datasetName), mean ± 95% CI half-width)", "", head,
                     String(repeating: "-", count: head.count + 4)]
        for p in points {
            var line = zip(spec.axes, knobWidth).map { pad(p.value($0.knob)!, $1) }.joined()
            for arm in Arm.allCases { line += pad(p.statistics(arm).text, 16) }
            line += p.effect.text
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// One row per configuration × run × arm.
    public var csv: String {
        var lines = [(spec.axes.map(\.knob.rawValue) + ["run", "partner", "arm", "accuracy"]).joined(separator: ",")]
        for p in points {
            let prefix = spec.axes.map { p.value($0.knob)! }.joined(separator: ",")
            for r in 0..<runs {
                for arm in Arm.allCases {
                    lines.append("\(prefix),\(r),\(partners[r]),\(arm.rawValue),\(p.accuracy[arm.rawValue]![r])")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The command that computes this sweep.
    public var command: String {
        var parts = ["subliminal sweep"]
        for a in spec.axes { parts.append("--vary \(a.knob.rawValue)=\(a.values.joined(separator: ","))") }
        parts.append("--runs \(runs)")
        if seed != 0 { parts.append("--seed \(seed)") }
        let d = ProtocolConfig()
        let varied = Set(spec.knobs)
        for k in Knob.allCases where !varied.contains(k) && k != .depth && k.value(in: spec.base) != k.value(in: d) {
            let option = k == .noiseSet ? "noise-images" : k.rawValue
            parts.append("--\(option) \(k.value(in: spec.base))")
        }
        return parts.joined(separator: " ")
    }

    public var markdown: String {
        let knobs = spec.axes.map(\.knob.rawValue).joined(separator: " × ")
        var md = """
        # Sweep over \(knobs)

        The Figure 10b protocol (Cloud et al. 2025, Section 6; `PROTOCOL.md`) for every \
        \(spec.axes.count > 1 ? "combination of the values" : "value") of \
        \(spec.axes.map { "**\($0.knob.rawValue)** (\($0.knob.meaning))" }.joined(separator: " and ")), \
        \(runs) independent runs per configuration (seed \(seed)); every other knob is the paper's \
        unless listed below. Test accuracy on \(datasetName): mean ± 95% interval half-width \
        (1.96 · population std / √n). **effect (aux)** is the paired per-run difference student \
        (aux only) − cross-model (aux only): how much more the student that shares the teacher's \
        initialization learns through the auxiliary logits than one that does not.


        """
        // The table.
        var head = "| " + spec.axes.map(\.knob.rawValue).joined(separator: " | ")
        for arm in Arm.allCases { head += " | \(arm.title)" }
        head += " | effect (aux) |"
        md += head + "\n|" + String(repeating: "---|", count: spec.axes.count + Arm.allCases.count + 1) + "\n"
        for p in points {
            var row = "| " + spec.axes.map { a in
                let v = p.value(a.knob)!
                return v == a.knob.paperValue ? "\(v) (paper)" : v
            }.joined(separator: " | ")
            for arm in Arm.allCases { row += " | \(p.statistics(arm).text)" }
            row += " | \(p.effect.text) |"
            md += row + "\n"
        }
        let paper = Arm.allCases.map { "\(Self.shortTitles[$0]!) \(fmt($0.paper.mean, 3)) ± \(fmt($0.paper.ci95, 3))" }.joined(separator: ", ")
        md += "\nThe paper (100 runs, its protocol on MNIST): \(paper).\n\n"
        for a in spec.axes {
            md += "![accuracy vs \(a.knob.rawValue)](\(a.knob.rawValue).svg)\n\n"
        }
        if points.contains(where: { $0.config.chain > 1 }) {
            md += "## Accuracy per generation\n\nMean over runs of each student generation (generation 1 imitates the teacher, generation g imitates generation g − 1; a shorter chain's generations are the first ones of a longer chain's).\n\n"
            let longest = points.map(\.config.chain).max()!
            for p in points where p.config.chain == longest {
                md += "- \(spec.describe(values: spec.axes.map { p.value($0.knob)! })): "
                md += Arm.students.map { arm in
                    let g = p.generations![arm.rawValue]!
                    let means = (0..<p.config.chain).map { k in g.map { $0[k] }.reduce(0, +) / Double(g.count) }
                    return "\(Self.shortTitles[arm]!) " + means.map { fmt($0, 3) }.joined(separator: " → ")
                }.joined(separator: "; ") + "\n"
            }
            md += "\n"
        }
        md += "## What the varied knobs do\n\n"
        for a in spec.axes { md += "- **\(a.knob.rawValue)**: \(a.knob.meaning). \(Self.notes[a.knob] ?? "")\n" }
        let c = spec.base
        md += """

        ## Fixed knobs

        | knob | value |
        |---|---|
        | model | 784 → \(c.hidden.map(String.init).joined(separator: " → ")) → 10 + \(c.aux) (ReLU after each hidden layer) |
        | optimizer | Adam, lr \(c.learningRate), betas (0.9, 0.999), eps 1e-8, fresh per phase; batch \(c.batch), reshuffled every epoch |
        | teacher | \(c.teacherEpochs) epochs, cross-entropy on logits 0-9, \(c.dataset.displayName) |
        | students | \(c.studentEpochs) epochs of \(c.loss.description) on \(c.noiseImages) \(c.inputs.explanation) per run; init-noise σ = \(c.initNoise); chain \(c.chain) |
        | runs | \(runs), seed \(seed); cross-model partners: a random derangement of the runs |

        (Knobs listed under the table override these.)

        ## Reproduce

            \(command)

        Add `--shard i/n` to compute only part of it and `subliminal sweep merge DIR…` to combine \
        the parts; the merged files are byte-identical to this run's. Data SHA-256 and per-run \
        accuracies: `sweep.json`; one row per configuration × run × arm: `sweep.csv`; timings: `timing.json`.

        """
        return md
    }

    static let notes: [Knob: String] = [
        .initNoise: "Biases are not perturbed (they are 0 in every initialization); the teacher and the cross-model students are unaffected. At σ = 1 the perturbation is as large as the initialization itself.",
        .inputs: "gaussian matches the variance of Uniform[-1, 1] (std 1/√3) and is not clipped; shuffled-pixels permutes each training image's 784 pixels with its own random permutation; mnist/fashion use the training images themselves (the teacher's own training set when they are its task).",
        .chain: "Every generation starts from the same initialization as generation 1 (θ0 for the same-init arms, the partner's for the cross-model arms) and sees the same inputs; generation g imitates generation g − 1 of its own arm through the same logits.",
        .aux: "The teacher never trains its aux logits; with m = 1 the aux softmax is identically 1, so the aux-only students receive no gradient and stay at their initialization.",
        .hidden: "Values are widths joined by x (64x64, 1024x1024).",
        .depth: "Each hidden layer is as wide as the first width of --hidden.",
        .loss: "mse is ½‖z[S] − t[S]‖² per example on the raw logits of the subset S (aux or all), averaged over the batch.",
        .dataset: "Teacher trained and every arm evaluated on that data set; the students still see the inputs given by --inputs.",
        .noiseSet: "The students see this many images per epoch (steps per epoch scale with it).",
    ]

    /// Writes sweep.json, sweep.csv, report.md and one <knob>.svg per varied knob, each atomically.
    public func write(to dir: URL) throws {
        try writeAtomically(try jsonData(), to: dir.appendingPathComponent("sweep.json"))
        try writeAtomically(csv, to: dir.appendingPathComponent("sweep.csv"))
        try writeAtomically(markdown, to: dir.appendingPathComponent("report.md"))
        for (i, a) in spec.axes.enumerated() {
            try writeAtomically(SweepChart.svg(self, axis: i), to: dir.appendingPathComponent("\(a.knob.rawValue).svg"))
        }
    }

    public var fileNames: [String] { ["sweep.json", "sweep.csv", "report.md"] + spec.axes.map { "\($0.knob.rawValue).svg" } }

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var d = try encoder.encode(self)
        d.append(0x0A)
        return d
    }
}
