import Foundation

/// report.md: what the numbers show, in plain words.
extension TheoremSummary {
    func percent(_ k: Int, _ n: Int) -> String { n == 0 ? "-" : "\(k)/\(n)" }

    /// One row per ε × loss × init.
    var singleStepTable: String {
        var md = """
        | ε | imitation loss | init | Δθ_S·Δθ_T > 0 | = 0 | cosine median [5%, 95%] | L_T went down | median ΔL_T | measured / linearized inner product |
        |---|---|---|---|---|---|---|---|---|

        """
        for eps in config.epsilons.sorted() {
            for loss in config.losses {
                for k in InitKind.allCases {
                    guard let c = cell(eps, loss, k) else { continue }
                    let n = c.inner.n
                    md += "| \(sci(eps, 1)) | \(loss.title) | \(k.title) | \(percent(c.innerSigns.positive, n)) | \(c.innerSigns.zero) | "
                        + "\(sci(c.cosine.median)) [\(sci(c.cosine.p05)), \(sci(c.cosine.p95))] | \(percent(c.teacherLossDecreased, n)) | "
                        + "\(sci(c.teacherLossChange.median)) | \(c.innerOverPrediction.map { "\(sci($0.median, 4)) [\(sci($0.p05, 4)), \(sci($0.p95, 4))]" } ?? "—") |\n"
                }
            }
        }
        return md
    }

    var limitsTable: String {
        var md = """
        | imitation loss | same init: cosine as ε → 0, median [5%, 95%] | cross init: cosine at ε = 0, median [5%, 95%] | cross init at ε = 0: positive |
        |---|---|---|---|

        """
        for l in limits {
            md += "| \(l.loss.title) | \(sci(l.sameInitCosineLimit.median)) [\(sci(l.sameInitCosineLimit.p05)), \(sci(l.sameInitCosineLimit.p95))] | "
                + "\(sci(l.crossInitCosineAtZero.median)) [\(sci(l.crossInitCosineAtZero.p05)), \(sci(l.crossInitCosineAtZero.p95))] | "
                + "\(percent(l.crossInitAtZeroSigns.positive, l.crossInitCosineAtZero.n)) |\n"
        }
        return md
    }

    /// What the tracked curves show, from the numbers.
    var trackingVerdicts: [String] {
        guard let t = tracking else { return [] }
        func final(_ s: TrackedStudent) -> (acc: Double, cos: Double) {
            (t.finalAccuracy[s.rawValue]?.mean ?? .nan, t.finalCosine[s.rawValue]?.mean ?? .nan)
        }
        let sa = final(.sameAux), sl = final(.sameAll), ca = final(.crossAux), cl = final(.crossAll)
        var out: [String] = []
        let early = { (s: TrackedStudent) in t.curves.first { $0.student == s && $0.step > 0 }?.cosine?.mean ?? .nan }
        let grows = sa.cos > early(.sameAux) && sl.cos > early(.sameAll)
        out.append("Same-init students: the cosine between their displacement and the teacher's goes from \(fmt(early(.sameAux), 3)) (aux only) and \(fmt(early(.sameAll), 3)) (all logits) at the first record to \(fmt(sa.cos, 3)) and \(fmt(sl.cos, 3)) at the end, while their test accuracy reaches \(fmt(sa.acc, 3)) and \(fmt(sl.acc, 3)) (chance 0.1). "
                   + (grows ? "The one-step alignment of Theorem 1 is not washed out by the many Adam steps: it accumulates."
                            : "The alignment does not grow over training: the one-step picture does not simply accumulate."))
        let orthogonal = abs(ca.cos) < 0.05 && abs(cl.cos) < 0.05
        out.append("Cross-init students: final cosine \(fmt(ca.cos, 3)) (aux only) and \(fmt(cl.cos, 3)) (all logits)"
                   + (orthogonal ? ", i.e. their displacements stay orthogonal to the teacher's. " : ". ")
                   + "The aux-only one ends at accuracy \(fmt(ca.acc, 3))" + (ca.acc < 0.15 ? " (chance: nothing reaches the digits). " : ". ")
                   + "The all-logits one reaches \(fmt(cl.acc, 3))"
                   + (orthogonal && cl.acc > 0.3
                      ? ", because it imitates the teacher's digit logits directly: it learns the teacher's function by a route of its own in parameter space (ordinary distillation), not through the shared-initialization mechanism."
                      : "."))
        return out
    }

    /// Each layer's share of the cosine at the smallest ε.
    var layerTable: String {
        let eps = smallestEpsilon
        let layers = config.architecture.layerCount
        var md = "| imitation loss | init | cosine | " + (1...layers).map { "layer \($0) share" }.joined(separator: " | ") + " |\n"
        md += "|---|---|---|" + String(repeating: "---|", count: layers) + "\n"
        for loss in config.losses {
            for k in InitKind.allCases {
                guard let c = cell(eps, loss, k) else { continue }
                md += "| \(loss.title) | \(k.title) | \(sci(c.cosine.median)) | " + c.cosineByLayer.map { sci($0.median) }.joined(separator: " | ") + " |\n"
            }
        }
        return md
    }

    /// Plain-words verdicts at the smallest ε, computed from the cells (never hard-coded).
    var verdicts: [String] {
        let eps = smallestEpsilon
        var out: [String] = []
        let same = config.losses.compactMap { cell(eps, $0, .same) }
        let cross = config.losses.compactMap { cell(eps, $0, .cross) }
        let sameAllPositive = same.allSatisfy { $0.innerSigns.positive == $0.inner.n }
        let sameNeg = same.map(\.innerSigns.negative).reduce(0, +), sameZero = same.map(\.innerSigns.zero).reduce(0, +)
        if sameAllPositive {
            out.append("At ε = \(sci(eps, 1)), the same-init inner product Δθ_S·Δθ_T is positive in every run for every imitation loss (\(same.map { "\($0.innerSigns.positive)/\($0.inner.n)" }.joined(separator: ", ")); no exact zeros). This is what Theorem 1 predicts.")
        } else {
            out.append("At ε = \(sci(eps, 1)), the same-init inner product is NOT positive in every run: \(sameNeg) negative and \(sameZero) exactly zero over \(same.count) losses × \(config.runs) runs (\(same.map { "\($0.loss.rawValue): \($0.innerSigns.positive)/\($0.inner.n) positive" }.joined(separator: ", "))). This disagrees with Theorem 1 as stated; the per-run rows are in single_step.csv.")
        }
        let sameDown = same.allSatisfy { $0.teacherLossDecreased == $0.inner.n }
        out.append(sameDown
            ? "After its single step, every same-init student's MNIST loss L_T went down (\(same.map { "\($0.teacherLossDecreased)/\($0.inner.n)" }.joined(separator: ", "))), although the student never saw a digit: it only imitated the teacher on noise."
            : "After its single step, the same-init students' L_T went down in \(same.map { "\($0.teacherLossDecreased)/\($0.inner.n)" }.joined(separator: ", ")) runs (\(config.losses.map(\.rawValue).joined(separator: ", "))): not in every run.")
        for cc in cross {
            let n = cc.inner.n, fp = cc.innerSigns.fractionPositive
            let what: String
            if fp >= 0.2 && fp <= 0.8 {
                let sameMedian = cell(eps, cc.loss, .same).map { sci($0.cosine.median) } ?? "-"
                what = "both signs (positive in \(cc.innerSigns.positive)/\(n) runs), median cosine \(sci(cc.cosine.median)) (same init: \(sameMedian)): centred near zero"
            } else {
                let sign = fp < 0.2 ? "negative" : "positive"
                let shares = cc.cosineByLayer.enumerated().map { (l: $0.offset + 1, m: $0.element.median) }
                let main = shares.max { abs($0.m) < abs($1.m) }!
                what = "a systematically \(sign) cosine (positive in \(cc.innerSigns.positive)/\(n) runs, median \(sci(cc.cosine.median))), "
                    + "not centred on zero; layer \(main.l) carries most of it (median share \(sci(main.m)); see the table by layer)"
            }
            out.append("Cross-init, \(cc.loss.title): \(what); L_T went down in \(cc.teacherLossDecreased)/\(n) runs.")
        }
        return out
    }

    public var markdown: String {
        let c = config
        let eps = smallestEpsilon
        var md = """
        # Theorem 1, checked

        Cloud et al. (2025), Theorem 1: if a student and a teacher start from the **same** parameters θ0, and \
        the teacher takes one small gradient step Δθ_T = −ε∇L_T(θ0) on any loss L_T (here: MNIST \
        cross-entropy on the digit logits), then a student that takes one gradient step Δθ_S on imitating \
        the updated teacher's outputs — on *any* inputs (here: noise images), with squared error or softmax \
        cross-entropy (KL), possibly on a subset of the logits (here: the 3 auxiliary logits that no digit \
        ever trained) — moves *with* the teacher: Δθ_S·Δθ_T ≥ 0, so to first order the student's L_T goes \
        down too. Students from a **different** initialization get no such guarantee.

        This report measures exactly that, for \(c.runs) independent initializations.

        ## What the numbers show

        """
        for v in verdicts { md += "- \(v)\n" }
        md += """

        Why it works (the linearized picture): the teacher's step changes its logits on an input x by \
        about −ε·u(x), u = J(x)·∇L_T, where J(x) is the Jacobian of the logits in the parameters. A \
        same-init student sees exactly this difference and its imitation gradient is ε·J(x)ᵀH u(x), with H \
        the imitation loss's curvature in the logits (positive semi-definite for squared error and KL). \
        So Δθ_S·Δθ_T = η ε² · mean_x u(x)ᵀ H u(x) ≥ 0, whatever the inputs are. The column \
        "measured / linearized" divides the measured inner product by this formula (computed with a \
        forward-mode derivative, independently of the student's step); it tends to 1 as ε → 0, which \
        also shows that the computation resolves the O(ε²) effect. A cross-init student starts from \
        logits that differ from the teacher's by O(1): its step is dominated by "become the untrained \
        teacher θ0", which has nothing to do with what the teacher just learned, so its inner product \
        with the teacher's update is first order in ε (not second), its cosine is nearly independent of \
        ε, and the theorem says nothing about its sign. What we find for that sign is in the list above \
        and in the table by layer below.

        A caution on "L_T went down" for cross-init students: at initialization L_T (≈ \(sci(teacherLossAtInit.median)) \
        median) is above log 10 ≈ 2.303 only because random logits are spread out; a step that makes \
        the student's digit logits more or less spread out changes L_T without any digit knowledge. \
        The sign of Δθ_S·Δθ_T, not ΔL_T alone, is the test of the mechanism.

        ## The single step, ε by ε

        Δθ_S·Δθ_T and its cosine, the fraction of runs where it is positive (exact zeros counted \
        separately), and ΔL_T = L_T(student after its step) − L_T(student before), where L_T is the \
        teacher's own loss: mean cross-entropy over logits 0-9 on the teacher's batch. Cross-init L_T \
        is measured from the cross student's own starting point.

        \(singleStepTable)
        ![cosine vs ε](cosine_vs_epsilon.svg)

        ![fraction positive vs ε](fraction_positive.svg)

        ![linearization](linearization.svg)

        ## Where the alignment lives: the cosine by layer

        Δθ_S·Δθ_T is a sum over the layers' parameters; each column is one layer's part of it, divided \
        by ‖Δθ_S‖‖Δθ_T‖ (medians over runs at ε = \(sci(eps, 1)); the shares add up to the cosine). \
        Layer 3 is the output layer: its rows for logits 0-9 are all the teacher's gradient touches \
        there, while an aux-only student only moves the aux rows, so for aux-only losses the output \
        layer contributes exactly nothing and all alignment comes from the shared hidden layers. \
        Our reading of the cross-init rows (supported by the split by layer, not proven here): a \
        cross-init student trained on all logits copies the untrained teacher θ0's input-independent \
        preferences among the digit logits (the output layer applied to the always-positive average \
        hidden activity); the teacher's first step removes exactly those preferences, so in the output \
        layer the two updates point in opposite directions.

        \(layerTable)

        ## The ε → 0 limits

        For same-init students the cosine tends to that of the linearized step E[JᵀHJ]·∇L_T with \
        ∇L_T; for cross-init students it tends to the cosine of the step that imitates the *untrained* \
        teacher θ0 (ε = 0): "to leading order the student moves as if imitating the untrained teacher".

        \(limitsTable)

        """
        if let t = tracking {
            md += """
            ## Does the alignment persist? Multi-step tracking

            \(t.runs.count) runs of the paper's full protocol (teacher: 5 epochs Adam lr 3e-4 batch 1024 on MNIST; \
            students: 5 epochs on 60,000 noise images, KL on the aux logits or on all logits, same or cross init; \
            Float32, the same streams as `reproduce`, so these are `reproduce`'s runs \(t.runs.map(String.init).joined(separator: ", "))). \
            Every \(c.trackEvery) steps we record the cosine between the student's displacement θ_S − θ_S(0) and the \
            trained teacher's θ_T − θ0, the student's MNIST test accuracy and its L_T (test-set cross-entropy on logits 0-9).

            | student | final test accuracy (mean, min–max) | final cosine (mean, min–max) | cosine after \(c.trackEvery) steps |
            |---|---|---|---|

            """
            for s in TrackedStudent.allCases {
                let a = t.finalAccuracy[s.rawValue], cs = t.finalCosine[s.rawValue]
                let early = t.curves.first { $0.student == s && $0.step == c.trackEvery }?.cosine
                md += "| \(s.title) | \(a.map { "\(fmt($0.mean, 3)) (\(fmt($0.min, 3))–\(fmt($0.max, 3)))" } ?? "-") | "
                    + "\(cs.map { "\(fmt($0.mean, 3)) (\(fmt($0.min, 3))–\(fmt($0.max, 3)))" } ?? "-") | \(early.map { fmt($0.mean, 3) } ?? "-") |\n"
            }
            md += """
            | Teacher | \(fmt(t.teacherAccuracy.mean, 3)) (\(fmt(t.teacherAccuracy.min, 3))–\(fmt(t.teacherAccuracy.max, 3))) | 1 | |

            ![tracking](tracking.svg)

            \(trackingVerdicts.map { "- \($0)" }.joined(separator: "\n"))


            """
        }
        md += """
        ## Configuration

        | knob | value |
        |---|---|
        | model | \(c.architecture) (ReLU after each hidden layer; logits 0-9 digits, \(c.aux) auxiliary); init Normal(0, 1/fan_in), biases 0, run r from stream (seed, r) |
        | runs | \(c.runs) (seed \(c.seed)); cross-init partner of run r: a random derangement of the runs (as in `reproduce`) |
        | teacher step | one plain gradient step Δθ_T = −ε∇L_T(θ0), ε ∈ {\(c.epsilons.map { sci($0, 1) }.joined(separator: ", "))} |
        | L_T | mean cross-entropy on logits 0-9 over the teacher's batch: \(teacherBatchDescription) |
        | student step | one plain gradient step of size η = \(sci(c.studentLearningRate)) on the mean imitation loss over \(c.studentBatch) noise images (Uniform[-1, 1], the first \(c.studentBatch) of run r's `reproduce` noise set) |
        | imitation losses | \(c.losses.map(\.title).joined(separator: "; ")); KL(teacher ‖ student) at temperature 1, squared error ½‖z_S − z_T‖² on the raw logits |
        | precision | \(precision) |
        | tracking | \(c.trackRuns) runs, every \(c.trackEvery) steps |

        ## Run

        - tool: subliminal \(version), \(date)
        - machine: \(machine.cpuModel), \(machine.cores) cores
        - wall time: \(fmt(performance.wallSeconds, 1)) s on \(performance.threads) thread(s): single step \(fmt(performance.singleStepSeconds, 1)) s \
        (\(fmt(performance.singleStepTFLOP, 2)) TFLOP in Double, \(fmt(performance.singleStepGFLOPS, 1)) GFLOP/s), tracking \(fmt(performance.trackingSeconds, 1)) s
        - peak memory: \(Int(performance.peakResidentMemoryMB)) MB
        - data: \(data.directory) (SHA-256 in summary.json)
        - per-run rows: single_step.csv (run × ε × loss × init), limits.csv (run × loss), tracking.csv (run × student × step)
        - regenerate: `subliminal theorem --runs \(c.runs) --seed \(c.seed) --epsilons \(c.epsilons.map { "\($0)" }.joined(separator: ",")) --teacher-batch \(c.teacherBatch) --student-batch \(c.studentBatch) --student-lr \(c.studentLearningRate) --track-runs \(c.trackRuns) --track-every \(c.trackEvery)`

        """
        return md
    }
}
