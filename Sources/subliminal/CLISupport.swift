import ArgumentParser
import Datasets
import Foundation

// Pieces shared by the commands: the data options, JSON output, one-line errors, timing.

/// `--data DIR` and `--dataset NAME`: where the MNIST-format files are and which data set they
/// are. Add it to a command with `@OptionGroup var dataOptions: DataOptions`.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Directory holding the four MNIST-format files (default: $SUBLIMINAL_DATA, else ./data/<dataset>).",
            valueName: "dir"))
    var data: String?

    @Option(help: "Which data set the files are (sets the default directory and the checksums).")
    var dataset: DatasetKind = .mnist

    /// The data directory: `--data`, else `$SUBLIMINAL_DATA`, else `./data/<dataset>`.
    ///
    /// - Throws: ``DatasetError`` (e.g. the directory is missing; the message gives the command
    ///   that fetches the data).
    func directory() throws -> URL {
        try DataLocation.resolve(data, dataset: dataset.rawValue)
    }

    /// Loads the data set from ``directory()``.
    func load() throws -> MNISTDataset {
        try MNISTDataset.load(from: directory())
    }
}

extension DatasetKind: ExpressibleByArgument {}

/// A failure to report to the user as one line on stderr (ArgumentParser prints
/// `Error: <description>` and exits with status 1).
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// Prints `value` on stdout as pretty-printed JSON with sorted keys (stable, diffable output).
func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
}

/// Seconds on a monotonic clock, for measuring durations.
func monotonicSeconds() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) / 1e9
}

/// Formats a count with thousands separators (`60000` → `60,000`), independently of the locale.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (offset, character) in digits.enumerated() {
        if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
        result.append(character)
    }
    return value < 0 ? "-" + result : result
}
