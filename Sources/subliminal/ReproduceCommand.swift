import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP

struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Reproduce Figure 10b: teacher, same-init and cross-init students, with 95% intervals.",
        discussion: """
            Runs the paper's protocol for N independent runs and evaluates six arms on the MNIST \
            test set: reference, teacher, student (aux only), student (all logits), cross-model \
            (aux only), cross-model (all logits). Writes summary.json, runs.csv, report.md and \
            figure.svg into --out. Finished runs are logged as they complete; --resume continues \
            an interrupted reproduction without redoing them and without changing the result.
            """
    )

    @OptionGroup var protocolOptions: ProtocolOptions
    @OptionGroup var threadOptions: ThreadOptions

    @OptionGroup var dataOptions: ProtocolDataOptions

    @Option(help: "Output directory.")
    var out: String = "results/reproduce"

    @Flag(help: "Continue an interrupted reproduction from the run log in --out.")
    var resume = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "Print summary.json on stdout instead of the table.")
    var json = false

    func run() throws {
        let config = try protocolOptions.config()
        let (data, checksums) = try dataOptions.load(config.requiredDatasets)
        do { try data.check(config) } catch let e as ConfigurationError { throw CLIError(e.message) }
        let job = ReproduceJob(config: config, threads: threadOptions.resolved,
                               outputDirectory: URL(fileURLWithPath: out, isDirectory: true), resume: resume, quiet: quiet || json)
        let summary = try job.execute(data: data, dataChecksums: checksums)
        if json {
            print(summary.json)
        } else {
            print(summary.table)
            print("\nwrote \(out)/summary.json, runs.csv, report.md, figure.svg")
        }
    }
}
