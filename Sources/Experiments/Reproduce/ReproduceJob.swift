import Foundation
import MLP

/// `subliminal reproduce`: runs the protocol for every run (in parallel, resumably) and
/// writes summary.json, runs.csv, report.md and figure.svg.
public struct ReproduceJob {
    public var config: ProtocolConfig
    public var threads: Int
    public var outputDirectory: URL
    public var resume: Bool
    public var quiet: Bool

    public init(config: ProtocolConfig, threads: Int, outputDirectory: URL, resume: Bool, quiet: Bool) {
        self.config = config
        self.threads = threads
        self.outputDirectory = outputDirectory
        self.resume = resume
        self.quiet = quiet
    }

    /// The first line of the run log: what the logged runs were computed with.
    struct LogHeader: Codable, Equatable {
        var kind = "header"
        var version: String
        var config: ProtocolConfig
        var data: [String: String]
    }

    struct LogRecord: Codable {
        var kind = "run"
        var result: RunResult
    }

    /// Appended when an invocation ends: what it computed and how long it took, so that the
    /// summary of a resumed reproduction reports the total cost of all its invocations.
    struct SessionRecord: Codable {
        var kind = "session"
        var session: ReproductionSession
    }

    public var logURL: URL { outputDirectory.appendingPathComponent("runs.log.jsonl") }

    /// Runs the reproduction; `dataChecksums` (file name → SHA-256) go into the log header and
    /// the summary, so that a resume on different data is refused.
    public func execute(data: ExperimentData, dataChecksums: [String: String]) throws -> ReproductionSummary {
        try execute(data: ProtocolData([config.dataset: data]), dataChecksums: dataChecksums)
    }

    /// The same with every data set the configuration reads (its task, and the source of real-image inputs).
    public func execute(data sets: ProtocolData, dataChecksums: [String: String]) throws -> ReproductionSummary {
        try config.validate()
        try sets.check(config)
        let data = sets.required(config.dataset)
        let header = LogHeader(version: SubliminalVersion.string, config: config, data: dataChecksums)
        var finished: [Int: RunResult] = [:]
        var sessions: [ReproductionSession] = []
        if resume {
            (finished, sessions) = try loadFinishedRuns(expecting: header)
        }
        let log = try JSONLinesLog(url: logURL, truncate: !resume || finished.isEmpty)
        if !resume || finished.isEmpty { try log.append(header) }

        let partners = Reproduction.derangement(config.runs, seed: config.seed)
        let pending = (0..<config.runs).filter { finished[$0] == nil }
        let stepsPerRun = Reproduction.stepsPerRun(config, trainExamples: data.trainImages.rows)
        let progress = ProgressReporter(title: "reproduce", total: max(1, pending.count * stepsPerRun), quiet: quiet)
        if !finished.isEmpty { progress.log("resuming: \(finished.count) of \(config.runs) runs already done, \(pending.count) to go") }
        progress.log("\(config.runs) runs × 6 arms, model \(config.architecture), \(threads) thread(s) → \(outputDirectory.path)")

        let start = monotonicSeconds()
        let config = self.config
        let counter = RunCounter(done: finished.count, total: config.runs)
        // Fewer runs than threads (a resumed job's last runs): the spare cores join the runs.
        let perRun = Parallel.threadsPerJob(jobs: pending.count, threads: threads)
        let results = Parallel.map(pending.count, threads: threads) { i -> Result<RunResult, Error> in
            let r = pending[i]
            let result = Reproduction.runTask(r, partner: partners[r], configs: [config], data: sets, threads: perRun, onStep: { label in
                progress.advance(1, label: "(\(counter.done)/\(counter.total) runs done) \(label)")
            })[0]
            counter.increment()
            do { try log.append(LogRecord(result: result)) } catch { return .failure(error) }
            return .success(result)
        }
        let wall = monotonicSeconds() - start
        for case .failure(let e) in results { throw e }
        for case .success(let r) in results { finished[r.run] = r }
        progress.finish("\(pending.count) runs computed")
        let session = ReproductionSession(wallSeconds: wall, runsComputed: pending.count, threads: threads,
                                          peakResidentMemoryMB: Double(peakResidentBytes()) / 1_048_576)
        try log.append(SessionRecord(session: session))
        sessions.append(session)

        let runs = (0..<config.runs).map { finished[$0]! }
        let summary = ReproductionSummary(config: config, runs: runs, dataChecksums: dataChecksums, dataDirectory: data.directory,
                                          sessions: sessions, trainExamples: data.trainImages.rows)
        try summary.write(to: outputDirectory)
        return summary
    }

    func loadFinishedRuns(expecting header: LogHeader) throws -> ([Int: RunResult], [ReproductionSession]) {
        let lines = try JSONLinesLog.readLines(logURL)
        guard let first = lines.first else { return ([:], []) }
        let decoder = JSONDecoder()
        guard let logged = try? decoder.decode(LogHeader.self, from: first) else {
            throw FileError(message: "\(logURL.path) is not a reproduce log; remove it or choose another --out")
        }
        guard logged.config == header.config else {
            throw FileError(message: "cannot resume: \(logURL.path) was computed with a different configuration; rerun without --resume to start over, or use the same options")
        }
        guard logged.data == header.data else {
            throw FileError(message: "cannot resume: \(logURL.path) was computed on different data files (checksums differ)")
        }
        var out: [Int: RunResult] = [:]
        var sessions: [ReproductionSession] = []
        for line in lines.dropFirst() {
            if let rec = try? decoder.decode(LogRecord.self, from: line), rec.kind == "run", rec.result.run < header.config.runs {
                out[rec.result.run] = rec.result
            } else if let rec = try? decoder.decode(SessionRecord.self, from: line), rec.kind == "session" {
                sessions.append(rec.session)
            }
        }
        return (out, sessions)
    }
}

final class RunCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var _done: Int
    let total: Int
    init(done: Int, total: Int) { _done = done; self.total = total }
    var done: Int { lock.lock(); defer { lock.unlock() }; return _done }
    func increment() { lock.lock(); _done += 1; lock.unlock() }
}
