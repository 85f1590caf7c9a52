import Foundation
import MLP

/// The first line of a sweep log: what its jobs were computed with.
public struct SweepLogHeader: Codable, Equatable, Sendable {
    public var kind = "header"
    public var tool = "subliminal sweep"
    public var version: String
    public var spec: SweepSpec
    /// SHA-256 of every data file read (MNIST files by name, other data sets as "<kind>/<name>").
    public var data: [String: String]
    /// The compiled GEMM kernel: results are bit-identical only between equal kernels.
    public var kernel: String
    /// The shard this log belongs to (nil: the whole sweep).
    public var shard: Shard?
    public var share: Bool
}

/// One finished job.
public struct SweepLogRecord: Codable, Sendable {
    public var kind = "job"
    public var point: Int
    public var run: Int
    /// The point's knob values (redundant with `point`; checked when merging).
    public var values: [String: String]
    public var result: RunResult
}

/// `subliminal sweep`: runs the jobs of a sweep (or of one shard of it) in parallel, logging each
/// finished job as one JSON line; the unsharded sweep then writes its outputs from its log.
public struct SweepJob {
    public var spec: SweepSpec
    public var shard: Shard?
    public var share: Bool
    public var threads: Int
    public var outputDirectory: URL
    public var resume: Bool
    public var quiet: Bool

    public init(spec: SweepSpec, shard: Shard?, share: Bool = true, threads: Int, outputDirectory: URL, resume: Bool, quiet: Bool) {
        self.spec = spec
        self.shard = shard
        self.share = share
        self.threads = threads
        self.outputDirectory = outputDirectory
        self.resume = resume
        self.quiet = quiet
    }

    public static let unshardedLogName = "sweep.log.jsonl"
    public var logURL: URL { outputDirectory.appendingPathComponent(shard?.logName ?? Self.unshardedLogName) }

    public struct Outcome {
        /// The sweep's results (nil for a shard: merge the shards to get them).
        public var summary: SweepSummary?
        public var jobsInShard: Int
        public var jobsComputed: Int
        public var wallSeconds: Double
        public var logURL: URL
    }

    public func execute(data: ProtocolData, dataChecksums: [String: String]) throws -> Outcome {
        try spec.validate()
        let plan = SweepPlan(spec: spec, share: share)
        for p in plan.points {
            do { try data.check(p.config) } catch let e as ConfigurationError {
                throw ConfigurationError(message: "configuration \(spec.describe(p)): \(e.message)")
            }
        }
        let header = SweepLogHeader(version: SubliminalVersion.string, spec: spec, data: dataChecksums,
                                    kernel: GEMMTiling.description, shard: shard, share: share)
        let myTasks = plan.tasks(for: shard)
        let myJobs = Set(myTasks.flatMap(\.jobs))
        var finished: Set<SweepJobID> = []
        if resume { finished = try loadFinished(expecting: header).intersection(myJobs) }
        let fresh = !resume || finished.isEmpty
        let log = try JSONLinesLog(url: logURL, truncate: fresh)
        if fresh { try log.append(header) }

        // Pending work: each task restricted to its unfinished points; the costliest first.
        var pending: [SweepTask] = []
        for t in myTasks {
            let points = t.points.filter { !finished.contains(SweepJobID(point: $0, run: t.run)) }
            if points.isEmpty { continue }
            var u = t
            u.points = points
            u.cost = Reproduction.taskSteps(configs: points.map { plan.points[$0].config }, trainExamples: SweepPlan.assumedTrainExamples).flops
            pending.append(u)
        }
        pending.sort { $0.cost != $1.cost ? $0.cost > $1.cost : $0.index < $1.index }
        let tasks = pending
        let pendingJobs = pending.reduce(0) { $0 + $1.points.count }

        let totalSteps = pending.reduce(0) { acc, t in
            let cs = t.points.map { plan.points[$0].config }
            let n = data[cs[0].dataset]?.trainImages.rows ?? SweepPlan.assumedTrainExamples
            return acc + Reproduction.taskSteps(configs: cs, trainExamples: n).steps
        }
        let title = shard.map { "sweep \(spec.name) shard \($0)" } ?? "sweep \(spec.name)"
        let progress = ProgressReporter(title: title, total: max(1, totalSteps), quiet: quiet)
        if !finished.isEmpty { progress.log("resuming: \(finished.count) of \(myJobs.count) jobs already done, \(pendingJobs) to go") }
        progress.log("\(plan.points.count) configurations × \(spec.runs) runs = \(plan.jobCount) jobs"
                     + (shard.map { "; shard \($0): \(myJobs.count) jobs" } ?? "")
                     + " in \(pending.count) tasks (teacher shared: \(share ? "yes" : "no")), \(threads) thread(s) → \(logURL.path)")

        let partners = Reproduction.derangement(spec.runs, seed: spec.seed)
        let counter = RunCounter(done: myJobs.count - pendingJobs, total: myJobs.count)
        let start = monotonicSeconds()
        let axes = spec.axes
        // Fewer tasks than threads (a small shard, a resumed sweep): the spare cores join the tasks.
        let perTask = Parallel.threadsPerJob(jobs: tasks.count, threads: threads)
        let results = Parallel.map(tasks.count, threads: threads) { i -> Error? in
            let t = tasks[i]
            let configs = t.points.map { plan.points[$0].config }
            var failure: Error?
            _ = Reproduction.runTask(t.run, partner: partners[t.run], configs: configs, data: data, threads: perTask, onStep: { label in
                progress.advance(1, label: "(\(counter.done)/\(counter.total) jobs done) \(label)")
            }, onResult: { k, result in
                let p = plan.points[t.points[k]]
                var values: [String: String] = [:]
                for (a, v) in zip(axes, p.values) { values[a.knob.rawValue] = v }
                counter.increment()
                if failure == nil {
                    do { try log.append(SweepLogRecord(point: p.index, run: t.run, values: values, result: result)) } catch { failure = error }
                }
            })
            return failure
        }
        let wall = monotonicSeconds() - start
        for case let e? in results { throw e }
        progress.finish("\(pendingJobs) jobs computed")

        var summary: SweepSummary?
        if shard == nil {
            let merged = try SweepMerge.load([logURL])
            summary = merged.summary
            try summary!.write(to: outputDirectory)
            try SweepTiming(merged: merged, wallSeconds: wall, threads: threads, jobsComputed: pendingJobs)
                .write(to: outputDirectory)
        }
        return Outcome(summary: summary, jobsInShard: myJobs.count, jobsComputed: pendingJobs, wallSeconds: wall, logURL: logURL)
    }

    /// The jobs already in this shard's log; refuses a log of another sweep.
    func loadFinished(expecting header: SweepLogHeader) throws -> Set<SweepJobID> {
        let lines = try JSONLinesLog.readLines(logURL)
        guard let first = lines.first else { return [] }
        let decoder = JSONDecoder()
        guard let logged = try? decoder.decode(SweepLogHeader.self, from: first) else {
            throw FileError(message: "\(logURL.path) is not a sweep log; remove it or choose another --out")
        }
        if let why = SweepMerge.difference(logged, header, checkShard: true) {
            throw FileError(message: "cannot resume from \(logURL.path): \(why); rerun without --resume to start over, or use the same options")
        }
        var out: Set<SweepJobID> = []
        for line in lines.dropFirst() {
            guard let rec = try? decoder.decode(SweepLogRecord.self, from: line) else { continue }
            out.insert(SweepJobID(point: rec.point, run: rec.run))
        }
        return out
    }
}

/// Non-deterministic facts about how a sweep was computed: written to timing.json, apart from
/// the results (which are bit-identical however the sweep was run).
public struct SweepTiming: Codable, Sendable {
    public var tool = "subliminal sweep"
    public var version = SubliminalVersion.string
    public var date: String
    public var machine: MachineInfo
    /// Wall time of the invocation that wrote this (nil for a merge).
    public var wallSeconds: Double?
    public var threads: Int?
    public var jobsComputed: Int?
    /// Sum over all jobs of their logged seconds (single-thread time; a shared teacher counts once).
    public var jobSecondsTotal: Double
    public var jobs: Int
    /// Logs the results were read from.
    public var logs: [String]

    public init(merged: SweepMerge.Merged, wallSeconds: Double? = nil, threads: Int? = nil, jobsComputed: Int? = nil) {
        date = ISO8601DateFormatter().string(from: Date())
        machine = MachineInfo.current()
        self.wallSeconds = wallSeconds
        self.threads = threads
        self.jobsComputed = jobsComputed
        jobSecondsTotal = merged.results.values.reduce(0) { $0 + $1.seconds }
        jobs = merged.results.count
        logs = merged.logs
    }

    public func write(to dir: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try encoder.encode(self), to: dir.appendingPathComponent("timing.json"))
    }
}
