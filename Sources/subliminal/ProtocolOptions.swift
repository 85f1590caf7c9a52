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

    @Option(help: "Hidden layer widths, separated by commas or x (256,256 or 256x256).")
    var hidden: String = "256,256"

    @Option(help: "Number of hidden layers, each as wide as the first --hidden width (default: as many as --hidden lists).")
    var depth: Int?

    @Option(name: [.customLong("noise-images"), .customLong("noise-set")], help: "Student input images per run (one fixed set per run).")
    var noiseImages: Int = 60_000

    @Option(name: .customLong("init-noise"), help: "σ: the same-init students start from θ0 + σ·ε, ε ~ Normal(0, std 1/√fan_in), on every weight (biases stay 0).")
    var initNoise: String = "0"

    @Option(help: "What the students see: uniform (the paper), gaussian (std 1/√3, not clipped), shuffled-pixels, mnist, fashion.")
    var inputs: String = "uniform"

    @Option(help: "Student imitation loss: kl (the paper) or mse (on the raw logits).")
    var loss: String = "kl"

    @Option(help: "The teacher's task and the test set: mnist or fashion.")
    var dataset: String = "mnist"

    @Option(help: "Distillation generations: generation g imitates generation g − 1 (1: the paper).")
    var chain: Int = 1

    func config() throws -> ProtocolConfig {
        var c = ProtocolConfig()
        c.runs = runs
        c.seed = seed
        c.aux = aux
        c.learningRate = lr
        c.batch = batch
        c.teacherEpochs = teacherEpochs
        c.studentEpochs = studentEpochs
        let separator: Character = hidden.contains("x") ? "x" : ","
        let widths = hidden.split(separator: separator, omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ $0 != nil }) else {
            throw ValidationError("--hidden must be positive integers separated by commas or x, e.g. 256,256 or 256x256; got '\(hidden)'")
        }
        c.hidden = widths.map { $0! }
        c.noiseImages = noiseImages
        c.chain = chain
        do {
            if let depth { try Knob.depth.set(String(depth), in: &c) }
            try Knob.initNoise.set(initNoise, in: &c)
            try Knob.inputs.set(inputs, in: &c)
            try Knob.loss.set(loss, in: &c)
            try Knob.dataset.set(dataset, in: &c)
            try c.validate()
        } catch let e as ConfigurationError {
            throw ValidationError("--" + e.message)
        }
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
