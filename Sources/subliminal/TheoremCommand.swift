import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP

struct TheoremCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "theorem",
        abstract: "Check Theorem 1 empirically: one teacher step, one student step, same vs cross init; then track real training.",
        discussion: """
            Single-step check (Double precision): for each run, the teacher takes one gradient step of size ε \
            on MNIST cross-entropy over a fixed batch; a student from the same (or another run's) initialization \
            takes one gradient step of size η imitating the updated teacher on noise images. Reports the inner \
            product and cosine of the two updates, their signs, and the change of the student's L_T, for every \
            ε × imitation loss × init. Multi-step tracking: --track-runs runs of the paper's protocol, observing \
            the students every --track-every steps. Writes summary.json, single_step.csv, limits.csv, tracking.csv, \
            report.md and SVG figures into --out.
            """
    )

    @Option(help: "Independent runs (initializations) of the single-step check.")
    var runs: Int = 100

    @Option(help: "Root seed: run r's initialization, noise and batch are derived from (seed, r).")
    var seed: UInt64 = 0

    @Option(help: "Teacher step sizes ε, comma-separated.")
    var epsilons: String = "1e-4,1e-3,1e-2,1e-1"

    @Option(name: .customLong("teacher-batch"), help: "MNIST training images in the teacher's fixed batch (a seeded random subset; 60000: all). L_T is the mean cross-entropy over it.")
    var teacherBatch: Int = 4096

    @Option(name: .customLong("student-batch"), help: "Noise images in the student's batch.")
    var studentBatch: Int = 1024

    @Option(name: .customLong("student-lr"), help: "The student's step size η (plain gradient descent, one step).")
    var studentLR: Double = 0.1

    @Option(help: "Imitation losses, comma-separated, among kl_aux, kl_all, se_aux, se_all.")
    var losses: String = "kl_aux,kl_all,se_aux,se_all"

    @Option(name: .customLong("track-runs"), help: "Runs of the multi-step tracking (the paper's protocol, Float32); 0 skips it.")
    var trackRuns: Int = 4

    @Option(name: .customLong("track-every"), help: "Observe the tracked students every this many steps.")
    var trackEvery: Int = 5

    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "Directory holding the four MNIST files (default: $SUBLIMINAL_DATA, else data/mnist).")
    var data: String?

    @Option(help: "Output directory.")
    var out: String = "results/theorem"

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print summary.json on stdout instead of the table.")
    var json = false

    func config() throws -> TheoremConfig {
        var c = TheoremConfig()
        c.runs = runs
        c.seed = seed
        let eps = epsilons.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !eps.isEmpty, eps.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--epsilons must be comma-separated numbers, e.g. 1e-4,1e-3,1e-2; got '\(epsilons)'")
        }
        c.epsilons = eps.map { $0! }
        c.teacherBatch = teacherBatch
        c.studentBatch = studentBatch
        c.studentLearningRate = studentLR
        let names = losses.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var parsed: [ImitationLoss] = []
        for name in names {
            guard let l = ImitationLoss(rawValue: name) else {
                throw ValidationError("--losses: unknown loss '\(name)'; choose among \(ImitationLoss.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            parsed.append(l)
        }
        c.losses = parsed
        c.trackRuns = trackRuns
        c.trackEvery = trackEvery
        do { try c.validate() } catch let e as ConfigurationError { throw ValidationError(e.message) }
        return c
    }

    func validate() throws { _ = try config() }

    func run() throws {
        let config = try config()
        let directory = try DataLocation.resolve(data)
        let dataset = try MNISTDataset.load(from: directory)
        var checksums: [String: String] = [:]
        for file in MNISTFile.allCases {
            let url = try MNISTDataset.locate(file, in: directory)
            checksums[url.lastPathComponent] = try sha256Hex(ofFileAt: url)
        }
        let experimentData = ExperimentData(dataset)
        do { try config.validate(trainExamples: experimentData.trainImages.rows) } catch let e as ConfigurationError { throw ValidationError(e.message) }
        let job = TheoremJob(config: config, threads: threadOptions.resolved,
                             outputDirectory: URL(fileURLWithPath: out, isDirectory: true), quiet: quiet || json)
        let summary = try job.execute(data: experimentData, dataChecksums: checksums)
        if json {
            print(summary.json)
        } else {
            print(summary.table)
            print("\nwrote " + summary.fileNames.map { "\(out)/\($0)" }.joined(separator: ", "))
        }
    }
}
