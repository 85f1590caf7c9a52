import ArgumentParser

/// `subliminal data`: inspect and verify the MNIST-format data.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Inspect and verify the MNIST-format data.",
        discussion: """
            The data lives in --data DIR, else $SUBLIMINAL_DATA, else ./data/mnist \
            (./data/fashion-mnist with --dataset fashion-mnist). Fetch it with \
            `bash data-scripts/fetch-data.sh` from the repository root.
            """,
        subcommands: [Info.self, Verify.self]
    )
}
