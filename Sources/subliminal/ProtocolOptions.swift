import ArgumentParser
import Experiments
import Foundation
import MLP

/// The knobs of the Figure 10b protocol, shared by every command that runs it. The defaults
/// are the paper's (`../shared/PROTOCOL.md`).
struct ProtocolOptions: ParsableArguments {
    @Option(help: "Independent runs (initializations); the paper uses 100.")
    var runs: Int = 100

    @Option(help: "Root seed: run r's initialization, noise and shuffles are derived from (seed, r).")
    var seed: UInt64 = 0

    @Option(help: "Number of auxiliary logits m (the model has 10 + m outputs).")
    var aux: Int = 3

    @Option(help: "Adam learning rate (every phase).")
    var lr: Float = 3e-4

    @Option(help: "Minibatch size (every phase).")
    var batch: Int = 1024

    @Option(name: .customLong("teacher-epochs"), help: "Teacher epochs over the 60,000 MNIST training images.")
    var teacherEpochs: Int = 5

    @Option(name: .customLong("student-epochs"), help: "Student epochs over the run's noise images.")
    var studentEpochs: Int = 5

    @Option(help: "Hidden layer widths, comma-separated.")
    var hidden: String = "256,256"

    @Option(name: .customLong("noise-images"), help: "Noise images per run (one fixed set per run).")
    var noiseImages: Int = 60_000

    func config() throws -> ProtocolConfig {
        var c = ProtocolConfig()
        c.runs = runs
        c.seed = seed
        c.aux = aux
        c.learningRate = lr
        c.batch = batch
        c.teacherEpochs = teacherEpochs
        c.studentEpochs = studentEpochs
        let widths = hidden.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--hidden must be comma-separated positive integers, e.g. 256,256; got '\(hidden)'")
        }
        c.hidden = widths.map { $0! }
        c.noiseImages = noiseImages
        do { try c.validate() } catch let e as ConfigurationError { throw ValidationError(e.message) }
        return c
    }
}

/// Thread count option: defaults to every core.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Worker threads (independent runs in flight); default: all cores. Results do not depend on it.")
    var threads: Int?

    var resolved: Int { threads ?? Parallel.availableCores }

    func validate() throws {
        if let threads, threads < 1 || threads > 1024 { throw ValidationError("--threads must be in 1...1024, got \(threads)") }
    }
}
