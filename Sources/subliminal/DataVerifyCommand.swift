import ArgumentParser
import Datasets
import Foundation

extension DataCommand {
    /// `subliminal data verify`: check the files against their published SHA-256.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the four files against their published SHA-256 checksums.",
            discussion: """
                A file passes when it is the published file byte for byte, or a recompressed copy \
                whose content is the published content. Exits with status 1 when a file is \
                missing or does not match.
                """
        )

        @OptionGroup var dataOptions: DataOptions

        @Flag(help: "Print the results as JSON on stdout.")
        var json = false

        func run() throws {
            let directory = try dataOptions.directory()
            let checks = try DatasetChecksums.verify(directory: directory, dataset: dataOptions.dataset)
            let failures = checks.filter { !$0.isVerified }
            let report = VerifyReport(
                dataset: dataOptions.dataset.rawValue, directory: directory.path,
                verified: failures.isEmpty, files: checks)
            if json {
                try printJSON(report)
            } else {
                print(report.text)
            }
            if !failures.isEmpty {
                let names = failures.map(\.name).joined(separator: ", ")
                throw CLIError(
                    "\(failures.count) of \(checks.count) files failed verification (\(names)); "
                    + "fetch verified copies with `\(dataOptions.dataset.fetchCommand)`")
            }
        }
    }
}

/// What `data verify` reports.
struct VerifyReport: Codable {
    var dataset: String
    var directory: String
    /// Whether every file passed.
    var verified: Bool
    var files: [FileCheck]

    var text: String {
        let name = DatasetKind(rawValue: dataset)?.displayName ?? dataset
        var lines = ["\(name) files in \(directory):"]
        let width = files.map(\.name.count).max() ?? 0
        for check in files {
            let padded = check.name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch check.status {
            case .verified:
                lines.append("  ok         \(padded)  sha256 \(check.expectedSHA256)")
            case .verifiedContent:
                lines.append("  ok         \(padded)  recompressed; content sha256 \(check.expectedSHA256)")
            case .mismatch:
                lines.append("  MISMATCH   \(padded)  sha256 \(check.actualSHA256 ?? "?"), expected \(check.expectedSHA256)")
            case .missing:
                lines.append("  MISSING    \(padded)")
            }
        }
        if verified { lines.append("All \(files.count) files match their published SHA-256.") }
        return lines.joined(separator: "\n")
    }
}
