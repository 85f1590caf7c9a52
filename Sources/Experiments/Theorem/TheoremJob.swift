import Foundation
import MLP

/// `subliminal theorem`: the single-step check of Theorem 1 over runs × ε × losses × inits
/// (Double precision), then the multi-step tracking of a few runs of the paper's protocol;
/// writes summary.json, CSVs, report.md and figures.
public struct TheoremJob {
    public var config: TheoremConfig
    public var threads: Int
    public var outputDirectory: URL
    public var quiet: Bool

    public init(config: TheoremConfig, threads: Int, outputDirectory: URL, quiet: Bool) {
        self.config = config
        self.threads = threads
        self.outputDirectory = outputDirectory
        self.quiet = quiet
    }

    public func execute(data: ExperimentData, dataChecksums: [String: String]) throws -> TheoremSummary {
        let c = config
        try c.validate(trainExamples: data.trainImages.rows)
        let start = monotonicSeconds()
        let partners = Reproduction.derangement(c.runs, seed: c.seed)

        // 1. The single-step check, one run per job.
        let batch = TeacherBatch(data: data, count: c.teacherBatch, seed: c.seed)
        let units = SingleStep.units(config: c)
        let progress = ProgressReporter(title: "theorem", total: c.runs * units, quiet: quiet)
        progress.log("single step: \(c.runs) runs × \(c.epsilons.count) ε × \(c.losses.count) losses × 2 inits, model \(c.architecture), "
                     + "teacher batch \(c.teacherBatch), noise batch \(c.studentBatch), η = \(c.studentLearningRate), Double precision, \(threads) thread(s)")
        let counter = RunCounter(done: 0, total: c.runs)
        let runs = Parallel.map(c.runs, threads: threads) { r -> SingleStepRun in
            let result = SingleStep.run(r, partner: partners[r], config: c, batch: batch) { label in
                progress.advance(1, label: "(\(counter.done)/\(counter.total) runs done) \(label)")
            }
            counter.increment()
            return result
        }
        let singleSeconds = monotonicSeconds() - start
        progress.finish("single step: \(c.runs) runs done")

        // 2. The multi-step tracking.
        var tracked: [TrackingRun] = []
        let trackStart = monotonicSeconds()
        if c.trackRuns > 0 {
            let steps = Tracking.steps(config: c, trainExamples: data.trainImages.rows)
            let trackProgress = ProgressReporter(title: "theorem", total: c.trackRuns * steps, quiet: quiet)
            trackProgress.log("tracking: \(c.trackRuns) runs of the paper's protocol (Float32 engine), students observed every \(c.trackEvery) steps")
            let trackCounter = RunCounter(done: 0, total: c.trackRuns)
            tracked = Parallel.map(c.trackRuns, threads: threads) { r -> TrackingRun in
                let result = Tracking.run(r, partner: partners[r], config: c, data: data) { label in
                    trackProgress.advance(1, label: "(\(trackCounter.done)/\(trackCounter.total) tracked runs done) \(label)")
                }
                trackCounter.increment()
                return result
            }
            trackProgress.finish("tracking: \(c.trackRuns) runs done")
        }
        let trackSeconds = c.trackRuns > 0 ? monotonicSeconds() - trackStart : 0

        let summary = TheoremSummary(config: c, runs: runs, tracked: tracked, partners: partners, batch: batch,
                                     dataChecksums: dataChecksums, dataDirectory: data.directory,
                                     singleStepSeconds: singleSeconds, trackingSeconds: trackSeconds,
                                     wallSeconds: monotonicSeconds() - start, threads: threads)
        try summary.write(to: outputDirectory)
        return summary
    }
}
