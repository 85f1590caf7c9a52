import Foundation
import MLP

/// The aggregate of one cell of the single-step grid: ε × imitation loss × init, over runs.
public struct SingleStepCell: Codable, Sendable {
    public var epsilon: Double
    public var loss: ImitationLoss
    public var initKind: InitKind
    /// Signs of Δθ_S · Δθ_T over the runs (exact zeros counted separately).
    public var innerSigns: SignCount
    public var inner: Distribution
    public var cosine: Distribution
    /// Each layer's share of the cosine (see `SingleStepRecord.cosineByLayer`), over runs.
    public var cosineByLayer: [Distribution]
    /// ΔL_T = L_T(after) − L_T(before), and how many runs saw it go down (strictly).
    public var teacherLossChange: Distribution
    public var teacherLossDecreased: Int
    public var fractionTeacherLossDecreased: Double
    /// The first-order prediction ∇L_T · Δθ_S, and how many runs it predicts a decrease for.
    public var teacherLossChangeFirstOrder: Distribution
    public var firstOrderPredictsDecrease: Int
    /// Same-init: measured inner product / linearized prediction (→ 1 as ε → 0).
    public var innerOverPrediction: Distribution?
    public var studentStepNorm: Distribution
    public var teacherStepNorm: Distribution
}

/// The ε-independent limits of one loss, over runs.
public struct LimitCell: Codable, Sendable {
    public var loss: ImitationLoss
    public var quadraticForm: Distribution
    public var sameInitCosineLimit: Distribution
    public var crossInitCosineAtZero: Distribution
    public var crossInitAtZeroSigns: SignCount
}

/// One point of a tracked curve: a student at a step, over the tracked runs.
public struct TrackingPoint: Codable, Sendable {
    public var student: TrackedStudent
    public var step: Int
    public var cosine: Distribution?
    public var testAccuracy: Distribution
    public var testLoss: Distribution
}

public struct TrackingSummary: Codable, Sendable {
    public var runs: [Int]
    public var partners: [Int]
    public var teacherAccuracy: Distribution
    public var teacherTestLoss: Distribution
    public var referenceAccuracy: Distribution
    public var curves: [TrackingPoint]
    /// Final (last-step) student accuracy per student, to compare with `reproduce`.
    public var finalAccuracy: [String: Distribution]
    public var finalCosine: [String: Distribution]
    public var seconds: Double
}

/// Everything `subliminal theorem` reports: summary.json, and rendered as the terminal table,
/// single_step.csv, limits.csv, tracking.csv, report.md and the SVG figures.
public struct TheoremSummary: Codable, Sendable {
    public var tool = "subliminal theorem"
    public var version = SubliminalVersion.string
    public var config: TheoremConfig
    public var seed: UInt64
    public var date: String
    public var machine: MachineInfo
    public var data: ReproductionSummary.DataProvenance
    /// How the single step is computed.
    public var precision: String
    public var teacherBatchDescription: String
    public var partners: [Int]
    public var performance: Performance
    public var singleStep: [SingleStepCell]
    public var limits: [LimitCell]
    public var teacherLossAtInit: Distribution
    public var gradientNormAtInit: Distribution
    public var tracking: TrackingSummary?

    public struct Performance: Codable, Sendable {
        public var wallSeconds: Double
        public var singleStepSeconds: Double
        public var trackingSeconds: Double
        public var threads: Int
        /// Double-precision FLOPs of the single-step check, and their rate.
        public var singleStepTFLOP: Double
        public var singleStepGFLOPS: Double
        public var peakResidentMemoryMB: Double
    }

    /// Per-run rows (in the CSVs, not in summary.json).
    public var singleStepRuns: [SingleStepRun] = []
    public var trackingRuns: [TrackingRun] = []

    enum CodingKeys: String, CodingKey {
        case tool, version, config, seed, date, machine, data, precision, teacherBatchDescription, partners, performance
        case singleStep, limits, teacherLossAtInit, gradientNormAtInit, tracking
    }

    public static let precisionNote = """
        Double precision (Float64) throughout the single-step check: forward, backward, JVP and losses \
        (DoubleNetwork, its own SIMD8<Double> GEMM); only the initialization (drawn as Float32, as in \
        reproduce) and the noise pixels (Float32 values) are exact Float32 numbers widened to Double. \
        The multi-step tracking uses the Float32 engine, exactly as reproduce.
        """

    init(config: TheoremConfig, runs: [SingleStepRun], tracked: [TrackingRun], partners: [Int], batch: TeacherBatch,
         dataChecksums: [String: String], dataDirectory: String, singleStepSeconds: Double, trackingSeconds: Double,
         wallSeconds: Double, threads: Int) {
        self.config = config
        seed = config.seed
        date = ISO8601DateFormatter().string(from: Date())
        machine = MachineInfo.current()
        data = ReproductionSummary.DataProvenance(directory: dataDirectory, sha256: dataChecksums)
        precision = Self.precisionNote
        teacherBatchDescription = batch.description
        self.partners = partners
        let tflop = SingleStep.flops(config: config) * Double(runs.count) / 1e12
        performance = Performance(wallSeconds: wallSeconds, singleStepSeconds: singleStepSeconds, trackingSeconds: trackingSeconds,
                                  threads: threads, singleStepTFLOP: tflop,
                                  singleStepGFLOPS: singleStepSeconds > 0 ? tflop * 1e3 / singleStepSeconds : 0,
                                  peakResidentMemoryMB: Double(peakResidentBytes()) / 1_048_576)
        singleStepRuns = runs
        trackingRuns = tracked
        teacherLossAtInit = Distribution(runs.map(\.teacherLoss))
        gradientNormAtInit = Distribution(runs.map(\.gradientNorm))

        let records = runs.flatMap(\.records)
        var cells: [SingleStepCell] = []
        for eps in config.epsilons {
            for loss in config.losses {
                for initKind in InitKind.allCases {
                    let rs = records.filter { $0.epsilon == eps && $0.loss == loss && $0.initKind == initKind }
                    let changes = rs.map(\.teacherLossChange)
                    let ratios = rs.compactMap { r in r.predictedInner.flatMap { $0 != 0 ? r.inner / $0 : nil } }
                    cells.append(SingleStepCell(
                        epsilon: eps, loss: loss, initKind: initKind,
                        innerSigns: SignCount(rs.map(\.inner)), inner: Distribution(rs.map(\.inner)), cosine: Distribution(rs.map(\.cosine)),
                        cosineByLayer: (0..<config.architecture.layerCount).map { l in Distribution(rs.map { $0.cosineByLayer[l] }) },
                        teacherLossChange: Distribution(changes), teacherLossDecreased: changes.filter { $0 < 0 }.count,
                        fractionTeacherLossDecreased: rs.isEmpty ? 0 : Double(changes.filter { $0 < 0 }.count) / Double(rs.count),
                        teacherLossChangeFirstOrder: Distribution(rs.map(\.teacherLossChangeFirstOrder)),
                        firstOrderPredictsDecrease: rs.filter { $0.teacherLossChangeFirstOrder < 0 }.count,
                        innerOverPrediction: initKind == .same ? Distribution(ratios) : nil,
                        studentStepNorm: Distribution(rs.map(\.studentStepNorm)), teacherStepNorm: Distribution(rs.map(\.teacherStepNorm))))
                }
            }
        }
        singleStep = cells
        let lims = runs.flatMap(\.limits)
        limits = config.losses.map { loss in
            let ls = lims.filter { $0.loss == loss }
            return LimitCell(loss: loss, quadraticForm: Distribution(ls.map(\.quadraticForm)),
                             sameInitCosineLimit: Distribution(ls.map(\.sameInitCosineLimit)),
                             crossInitCosineAtZero: Distribution(ls.map(\.crossInitCosineAtZero)),
                             crossInitAtZeroSigns: SignCount(ls.map(\.crossInitCosineAtZero)))
        }

        if tracked.isEmpty {
            tracking = nil
        } else {
            let recs = tracked.flatMap(\.records)
            var curves: [TrackingPoint] = []
            var finalAccuracy: [String: Distribution] = [:], finalCosine: [String: Distribution] = [:]
            for student in TrackedStudent.allCases {
                let rs = recs.filter { $0.student == student }
                let steps = Array(Set(rs.map(\.step))).sorted()
                for step in steps {
                    let at = rs.filter { $0.step == step }
                    let cos = at.compactMap(\.cosine)
                    curves.append(TrackingPoint(student: student, step: step, cosine: cos.isEmpty ? nil : Distribution(cos),
                                                testAccuracy: Distribution(at.map(\.testAccuracy)), testLoss: Distribution(at.map(\.testLoss))))
                }
                if let last = steps.last {
                    let at = rs.filter { $0.step == last }
                    finalAccuracy[student.rawValue] = Distribution(at.map(\.testAccuracy))
                    finalCosine[student.rawValue] = Distribution(at.compactMap(\.cosine))
                }
            }
            tracking = TrackingSummary(runs: tracked.map(\.run), partners: tracked.map(\.partner),
                                       teacherAccuracy: Distribution(tracked.map(\.teacherAccuracy)),
                                       teacherTestLoss: Distribution(tracked.map(\.teacherTestLoss)),
                                       referenceAccuracy: Distribution(tracked.map(\.referenceAccuracy)),
                                       curves: curves, finalAccuracy: finalAccuracy, finalCosine: finalCosine, seconds: trackingSeconds)
        }
    }

    public func cell(_ eps: Double, _ loss: ImitationLoss, _ initKind: InitKind) -> SingleStepCell? {
        singleStep.first { $0.epsilon == eps && $0.loss == loss && $0.initKind == initKind }
    }

    var smallestEpsilon: Double { config.epsilons.min()! }

    // MARK: - Terminal table

    public var table: String {
        var lines = ["", "Theorem 1, single step: \(config.runs) runs, η = \(sci(config.studentLearningRate)), teacher batch \(config.teacherBatch), noise batch \(config.studentBatch) (Double precision)", ""]
        let head = pad("ε", 8) + pad("loss", 10) + pad("init", 7) + pad("inner>0", 9) + pad("=0", 4) + pad("cos median [5%, 95%]", 30)
            + pad("L_T down", 9) + "inner/linear"
        lines.append(head)
        lines.append(String(repeating: "-", count: head.count + 12))
        for eps in config.epsilons.sorted() {
            for loss in config.losses {
                for k in InitKind.allCases {
                    guard let c = cell(eps, loss, k) else { continue }
                    let n = c.inner.n
                    lines.append(pad(sci(eps, 1), 8) + pad(loss.rawValue, 10) + pad(k.rawValue, 7)
                                 + pad("\(c.innerSigns.positive)/\(n)", 9) + pad("\(c.innerSigns.zero)", 4)
                                 + pad("\(sci(c.cosine.median)) [\(sci(c.cosine.p05)), \(sci(c.cosine.p95))]", 30)
                                 + pad("\(c.teacherLossDecreased)/\(n)", 9)
                                 + (c.innerOverPrediction.map { sci($0.median, 4) } ?? "-"))
                }
            }
        }
        if let t = tracking {
            lines.append("")
            lines.append("Multi-step tracking (\(t.runs.count) runs, paper protocol): final test accuracy and cos(θ_S − θ_S0, θ_T − θ0), mean over runs")
            for s in TrackedStudent.allCases {
                let a = t.finalAccuracy[s.rawValue], c = t.finalCosine[s.rawValue]
                lines.append("  " + pad(s.title, 26) + "accuracy " + pad(a.map { fmt($0.mean, 3) } ?? "-", 8) + "cosine " + (c.map { fmt($0.mean, 3) } ?? "-"))
            }
            lines.append("  " + pad("Teacher", 26) + "accuracy " + fmt(t.teacherAccuracy.mean, 3))
        }
        lines.append("")
        lines.append("wall time \(fmt(performance.wallSeconds, 1)) s (single step \(fmt(performance.singleStepSeconds, 1)) s, tracking \(fmt(performance.trackingSeconds, 1)) s) on \(performance.threads) thread(s)")
        return lines.joined(separator: "\n")
    }

    // MARK: - CSV

    public var singleStepCSV: String {
        let layers = (1...config.architecture.layerCount).map { "cosine_layer\($0)" }.joined(separator: ",")
        var lines = ["run,partner,epsilon,loss,init,inner,cosine,\(layers),student_step_norm,teacher_step_norm,imitation_loss,lt_before,lt_after,lt_change,lt_change_first_order,predicted_inner"]
        for r in singleStepRuns {
            for x in r.records {
                let head = [String(x.run), String(x.partner), "\(x.epsilon)", x.loss.rawValue, x.initKind.rawValue, "\(x.inner)", "\(x.cosine)"]
                let tail = ["\(x.studentStepNorm)", "\(x.teacherStepNorm)", "\(x.imitationLoss)", "\(x.teacherLossBefore)", "\(x.teacherLossAfter)",
                            "\(x.teacherLossChange)", "\(x.teacherLossChangeFirstOrder)", x.predictedInner.map { "\($0)" } ?? ""]
                lines.append((head + x.cosineByLayer.map { "\($0)" } + tail).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var limitsCSV: String {
        var lines = ["run,partner,loss,lt_at_init,gradient_norm,quadratic_form,same_init_cosine_limit,cross_init_cosine_at_zero"]
        for r in singleStepRuns {
            for l in r.limits {
                lines.append("\(r.run),\(r.partner),\(l.loss.rawValue),\(r.teacherLoss),\(r.gradientNorm),\(l.quadraticForm),\(l.sameInitCosineLimit),\(l.crossInitCosineAtZero)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public var trackingCSV: String {
        var lines = ["run,partner,student,init,step,cosine,test_accuracy,test_loss,imitation_loss"]
        for r in trackingRuns {
            for x in r.records {
                lines.append("\(x.run),\(x.partner),\(x.student.rawValue),\(x.student.initKind.rawValue),\(x.step),\(x.cosine.map { "\($0)" } ?? ""),\(x.testAccuracy),\(x.testLoss),\(x.imitationLoss.map { "\($0)" } ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Figures

    func initSeries(_ loss: ImitationLoss, _ k: InitKind, _ value: (SingleStepCell) -> (Double, Double, Double)) -> LineChart.Series {
        let pts = config.epsilons.sorted().compactMap { e -> LineChart.Point? in
            guard let c = cell(e, loss, k) else { return nil }
            let (m, lo, hi) = value(c)
            return LineChart.Point(x: e, y: m, low: lo, high: hi)
        }
        return LineChart.Series(name: k == .same ? "same init (median, 5-95%)" : "cross init (median, 5-95%)",
                                color: k == .same ? "#4c78a8" : "#ef8a62", points: pts, dash: k == .same ? nil : "6,4")
    }

    public var cosineFigure: String {
        let charts = config.losses.map { loss -> LineChart in
            let lim = limits.first { $0.loss == loss }
            var refs: [LineChart.ReferenceLine] = []
            if let lim { refs.append(.init(y: lim.sameInitCosineLimit.median, label: "same init, ε→0 (linearized)", color: "#2b4c7e")) }
            return LineChart(title: loss.title, xLabel: "teacher step ε", yLabel: "cos(Δθ_S, Δθ_T)",
                             series: [initSeries(loss, .same) { ($0.cosine.median, $0.cosine.p05, $0.cosine.p95) },
                                      initSeries(loss, .cross) { ($0.cosine.median, $0.cosine.p05, $0.cosine.p95) }],
                             logX: true, referenceLines: refs, legend: .none)
        }
        let legend = [initSeries(.klAux, .same) { _ in (0, 0, 0) }, initSeries(.klAux, .cross) { _ in (0, 0, 0) }]
        return LineChart.grid(charts, columns: 2, title: "Theorem 1, one step: cosine between student and teacher updates (\(config.runs) runs)",
                              sharedLegend: legend.map { var s = $0; s.points = [LineChart.Point(x: 1, y: 0, low: 0, high: 0)]; return s })
    }

    public var fractionFigure: String {
        func series(_ value: @escaping (SingleStepCell) -> Double) -> [LineChart.Series] {
            config.losses.flatMap { loss in
                InitKind.allCases.map { k in
                    LineChart.Series(name: "\(loss.title), \(k.title)", color: loss.color,
                                     points: config.epsilons.sorted().compactMap { e in cell(e, loss, k).map { LineChart.Point(x: e, y: value($0)) } },
                                     dash: k == .same ? nil : "6,4")
                }
            }
        }
        let positive = LineChart(title: "runs with Δθ_S·Δθ_T > 0", xLabel: "teacher step ε", yLabel: "fraction of runs",
                                 series: series { $0.innerSigns.fractionPositive }, logX: true, yRange: -0.02...1.02, legend: .none)
        let down = LineChart(title: "runs whose L_T went down", xLabel: "teacher step ε", yLabel: "fraction of runs",
                             series: series { $0.fractionTeacherLossDecreased }, logX: true, yRange: -0.02...1.02, legend: .none)
        return LineChart.grid([positive, down], columns: 2, title: "Theorem 1, one step: signs over \(config.runs) runs (solid: same init, dashed: cross init)",
                              sharedLegend: series { _ in 0 })
    }

    public var linearizationFigure: String {
        let charts: [LineChart] = [
            LineChart(title: "measured / linearized inner product (same init)", xLabel: "teacher step ε", yLabel: "ratio",
                      series: config.losses.map { loss in
                          LineChart.Series(name: loss.title, color: loss.color,
                                           points: config.epsilons.sorted().compactMap { e in
                                               cell(e, loss, .same)?.innerOverPrediction.map { LineChart.Point(x: e, y: $0.median, low: $0.p05, high: $0.p95) }
                                           })
                      }, logX: true, referenceLines: [.init(y: 1, label: "first order exact")], legend: .bottomLeft),
            LineChart(title: "|ΔL_T| (median), same init (colors as left)", xLabel: "teacher step ε", yLabel: "log10 |L_T after − before|",
                      series: config.losses.map { loss in
                          LineChart.Series(name: loss.title, color: loss.color,
                                           points: config.epsilons.sorted().compactMap { e in
                                               cell(e, loss, .same).map { LineChart.Point(x: e, y: log10(max(abs($0.teacherLossChange.median), 1e-300))) }
                                           })
                      }, logX: true, legend: .none),
        ]
        return LineChart.grid(charts, columns: 2, title: "How well the first-order (linearized) picture predicts the step")
    }

    public var trackingFigure: String? {
        guard let t = tracking else { return nil }
        func series(_ value: @escaping (TrackingPoint) -> Distribution?) -> [LineChart.Series] {
            TrackedStudent.allCases.map { s in
                LineChart.Series(name: s.title, color: s.color,
                                 points: t.curves.filter { $0.student == s }.compactMap { p in
                                     value(p).map { LineChart.Point(x: Double(p.step), y: $0.mean, low: $0.min, high: $0.max) }
                                 }, dash: s.initKind == .same ? nil : "6,4", markers: false)
            }
        }
        let steps = 0...Double(max(t.curves.map(\.step).max() ?? 1, 1))
        let cos = LineChart(title: "cos(θ_S − θ_S(0), θ_T − θ0)", xLabel: "student step", yLabel: "cosine", series: series(\.cosine),
                            xRange: steps, legend: .none)
        let acc = LineChart(title: "MNIST test accuracy", xLabel: "student step", yLabel: "accuracy", series: series { $0.testAccuracy },
                            xRange: steps, yRange: 0...1, referenceLines: [.init(y: t.teacherAccuracy.mean, label: "teacher"), .init(y: 0.1, label: "chance")],
                            legend: .none)
        let loss = LineChart(title: "L_T on the test set (CE, logits 0-9)", xLabel: "student step", yLabel: "cross-entropy", series: series { $0.testLoss },
                             xRange: steps, referenceLines: [.init(y: log(10), label: "log 10")], legend: .none)
        return LineChart.grid([cos, acc, loss], columns: 3, title: "Multi-step distillation on noise (paper protocol, \(t.runs.count) runs: mean, band = min-max)",
                              panelWidth: 420, sharedLegend: series { $0.testAccuracy })
    }

    // MARK: - Writing

    /// Writes summary.json, single_step.csv, limits.csv, tracking.csv, report.md and the figures, each atomically.
    public func write(to dir: URL) throws {
        try writeAtomically(Data(json.utf8), to: dir.appendingPathComponent("summary.json"))
        try writeAtomically(singleStepCSV, to: dir.appendingPathComponent("single_step.csv"))
        try writeAtomically(limitsCSV, to: dir.appendingPathComponent("limits.csv"))
        try writeAtomically(cosineFigure, to: dir.appendingPathComponent("cosine_vs_epsilon.svg"))
        try writeAtomically(fractionFigure, to: dir.appendingPathComponent("fraction_positive.svg"))
        try writeAtomically(linearizationFigure, to: dir.appendingPathComponent("linearization.svg"))
        if tracking != nil {
            try writeAtomically(trackingCSV, to: dir.appendingPathComponent("tracking.csv"))
            if let f = trackingFigure { try writeAtomically(f, to: dir.appendingPathComponent("tracking.svg")) }
        }
        try writeAtomically(markdown, to: dir.appendingPathComponent("report.md"))
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public var fileNames: [String] {
        ["summary.json", "single_step.csv", "limits.csv"] + (tracking != nil ? ["tracking.csv"] : [])
            + ["report.md", "cosine_vs_epsilon.svg", "fraction_positive.svg", "linearization.svg"] + (tracking != nil ? ["tracking.svg"] : [])
    }
}
