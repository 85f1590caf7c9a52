import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Ablations: the Figure 10b protocol for every value of one or more knobs; sharding, resume, merge.",
        discussion: """
            subliminal sweep --vary KNOB=v1,v2,… [--vary KNOB2=…] --runs N [protocol options]
            runs the reproduction protocol for every value (the cross product when several knobs vary) \
            and reports each arm's mean and 95% interval per value: sweep.json, sweep.csv, report.md and \
            one SVG chart per knob in --out (default results/sweep/<knobs>).

            Knobs (the paper's value in brackets): \(Knob.allCases.map { "\($0.rawValue) [\($0.paperValue)]" }.joined(separator: ", ")).
            Values are separated by commas; hidden widths are joined by x (hidden=64x64,256x256,1024x1024), \
            or separate values by semicolons (hidden='64,64;256,256'). Run `subliminal sweep run --help` for every option.

            Scale-out: every (configuration, run) is an independent deterministic job. --shard i/n computes \
            part i of n (its own log file in --out); `subliminal sweep merge DIR…` combines the parts into \
            results byte-identical to an unsharded run. --resume continues an interrupted run or shard.
            """,
        subcommands: [SweepRunCommand.self, SweepMergeCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep (or one shard of it).",
        discussion: """
            Knobs:\(Knob.allCases.map { "\n  \($0.rawValue): \($0.meaning); \($0.validValues) (paper: \($0.paperValue))" }.joined())

            Configurations that differ only in student-side knobs (student-epochs, init-noise, inputs, \
            noise-set, loss, chain) share their teacher, and every distinct student is trained once per run \
            (e.g. the cross-model students do not depend on init-noise; chain=5 reuses chain=4's generations). \
            --no-share computes every (configuration, run) on its own: same results, more time, finer shards.
            """
    )

    @Option(name: .customLong("vary"), help: ArgumentHelp("A knob and its values, KNOB=v1,v2,… (repeat for a cross product).", valueName: "knob=values"))
    var vary: [String] = []

    @OptionGroup var protocolOptions: ProtocolOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var dataOptions: ProtocolDataOptions

    @Option(help: "Output directory (default: results/sweep/<--name, else the knob names joined by ->).")
    var out: String?

    @Option(help: "Name of the sweep (sets the default --out).")
    var name: String?

    @Option(help: ArgumentHelp("Compute only part i of n (1 ≤ i ≤ n); the part's log goes to --out/shard-i-of-n.log.jsonl.", valueName: "i/n"))
    var shard: String?

    @Flag(help: "Continue from this run's (or shard's) log in --out, computing only the jobs not logged yet.")
    var resume = false

    @Flag(inversion: .prefixedNo, help: "Share teachers and identical students between configurations (results do not depend on it).")
    var share = true

    @Flag(name: .customLong("dry-run"), help: "Print the configurations, jobs and shard loads, and stop (no data is read).")
    var dryRun = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print sweep.json on stdout instead of the table.")
    var json = false

    func spec() throws -> SweepSpec {
        let base: ProtocolConfig
        do { base = try protocolOptions.config() } catch let e as ValidationError { throw CLIError(e.message) }
        do { return try SweepSpec.parse(vary, base: base) } catch let e as ConfigurationError { throw CLIError(e.message) }
    }

    func run() throws {
        let spec = try spec()
        var parsedShard: Shard?
        if let shard {
            do { parsedShard = try Shard.parse(shard) } catch let e as ConfigurationError { throw CLIError(e.message) }
        }
        if dryRun {
            printPlan(spec, shard: parsedShard)
            return
        }
        let directory = out ?? "results/sweep/\(name ?? spec.name)"
        let (data, checksums) = try dataOptions.load(spec.requiredDatasets)
        let job = SweepJob(spec: spec, shard: parsedShard, share: share, threads: threadOptions.resolved,
                           outputDirectory: URL(fileURLWithPath: directory, isDirectory: true), resume: resume, quiet: quiet || json)
        let outcome: SweepJob.Outcome
        do { outcome = try job.execute(data: data, dataChecksums: checksums) } catch let e as ConfigurationError { throw CLIError(e.message) }
        if let summary = outcome.summary {
            if json {
                print(String(decoding: try summary.jsonData(), as: UTF8.self), terminator: "")
            } else {
                print(summary.table)
                print("\n\(outcome.jobsComputed) jobs computed in \(fmt(outcome.wallSeconds, 1)) s on \(threadOptions.resolved) thread(s)")
                print("wrote " + (summary.fileNames + ["timing.json"]).map { "\(directory)/\($0)" }.joined(separator: ", "))
            }
        } else if !json {
            print("shard \(parsedShard!): \(outcome.jobsComputed) of \(outcome.jobsInShard) jobs computed in \(fmt(outcome.wallSeconds, 1)) s → \(outcome.logURL.path)")
            print("when every shard is done: subliminal sweep merge \(directory)   (or the --out directories of all shards)")
        }
    }

    func printPlan(_ spec: SweepSpec, shard: Shard?) {
        let plan = SweepPlan(spec: spec, share: share)
        let tflop = plan.tasks.reduce(0) { $0 + $1.cost } / 1e12
        print("sweep \(spec.name): \(plan.points.count) configurations × \(spec.runs) runs = \(plan.jobCount) jobs in \(plan.tasks.count) tasks (sharing \(share ? "on" : "off")), \(fmt(tflop, 1)) TFLOP of training")
        for p in plan.points {
            let steps = Reproduction.taskSteps(configs: [p.config], trainExamples: 60_000)
            print("  \(pad(String(p.index), 4)) \(pad(spec.describe(p), 36)) model \(p.config.architecture), \(fmt(steps.flops / 1e12, 2)) TFLOP per job alone")
        }
        if let shard {
            let parts = plan.assignment(shards: shard.count)
            for (i, tasks) in parts.enumerated() {
                let jobs = tasks.reduce(0) { $0 + $1.points.count }
                let cost = tasks.reduce(0) { $0 + $1.cost } / 1e12
                print("  shard \(i + 1)/\(shard.count): \(tasks.count) tasks, \(jobs) jobs, \(fmt(cost, 1)) TFLOP" + (i + 1 == shard.index ? "   ← this shard" : ""))
            }
        }
    }
}

struct SweepMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the logs of a sweep's shards into its results (byte-identical to an unsharded run).",
        discussion: """
            Reads every *.log.jsonl in the given directories (or the given log files). Refuses logs of \
            different sweeps (knobs, values, protocol, data, version or kernel), jobs logged twice and \
            missing jobs, naming them. Writes sweep.json, sweep.csv, report.md, the charts and timing.json.
            """
    )

    @Argument(help: ArgumentHelp("Directories holding shard logs (*.log.jsonl), or log files.", valueName: "dir"))
    var inputs: [String] = []

    @Option(help: "Output directory (default: the directory, when exactly one is given; else results/sweep/<knobs>).")
    var out: String?

    @Flag(name: .customLong("allow-mixed-kernels"), help: "Accept shards computed with different GEMM kernels (results are then not bit-reproducible on one machine).")
    var allowMixedKernels = false

    @Flag(help: "Print sweep.json on stdout instead of the table.")
    var json = false

    func run() throws {
        guard !inputs.isEmpty else { throw CLIError("give the directories (or log files) of the shards to merge") }
        let urls = inputs.map { URL(fileURLWithPath: $0) }
        let merged: SweepMerge.Merged
        do { merged = try SweepMerge.load(urls, allowMixedKernels: allowMixedKernels) } catch let e as FileError { throw CLIError(e.message) }
        var directory = out
        if directory == nil {
            var isDir: ObjCBool = false
            if inputs.count == 1, FileManager.default.fileExists(atPath: inputs[0], isDirectory: &isDir), isDir.boolValue {
                directory = inputs[0]
            } else {
                directory = "results/sweep/\(merged.header.spec.name)"
            }
        }
        let dir = URL(fileURLWithPath: directory!, isDirectory: true)
        let summary = merged.summary
        try summary.write(to: dir)
        try SweepTiming(merged: merged).write(to: dir)
        if json {
            print(String(decoding: try summary.jsonData(), as: UTF8.self), terminator: "")
        } else {
            print(summary.table)
            print("\nmerged \(merged.results.count) jobs from \(merged.logs.count) log(s)")
            print("wrote " + (summary.fileNames + ["timing.json"]).map { "\(directory!)/\($0)" }.joined(separator: ", "))
        }
    }
}

private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
