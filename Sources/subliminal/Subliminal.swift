import ArgumentParser
import Experiments

/// `subliminal`: reproduce, measure and explain subliminal learning in a small MLP.
@main
struct Subliminal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subliminal",
        abstract: "Reproduce, measure and explain subliminal learning in a 784-256-256-13 MLP.",
        discussion: """
            A student that shares its initialization with a teacher learns to classify MNIST digits \
            by imitating only the teacher's auxiliary logits on noise images (Cloud et al. 2025, \
            Figure 10b). Start with `subliminal reproduce`.
            """,
        version: SubliminalVersion.string,
        subcommands: [ReproduceCommand.self, TheoremCommand.self, SweepCommand.self, BenchCommand.self, DataCommand.self]
    )
}

