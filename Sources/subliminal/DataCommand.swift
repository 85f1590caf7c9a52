import ArgumentParser
// Placeholder: replaced by the data layer's commands.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "data", abstract: "Inspect and verify the MNIST-format data.")
}
