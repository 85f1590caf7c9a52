import ArgumentParser
import Datasets
import Experiments
import Foundation

/// `--data` (MNIST) and `--fashion-data` (Fashion-MNIST): where the protocol's data sets are.
/// Only the data sets a configuration reads are loaded.
struct ProtocolDataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Directory holding the four MNIST files (default: $SUBLIMINAL_DATA, else data/mnist).", valueName: "dir"))
    var data: String?

    @Option(name: .customLong("fashion-data"),
            help: ArgumentHelp("Directory holding the four Fashion-MNIST files (default: data/fashion-mnist, else /usr/share/datasets/fashion-mnist).", valueName: "dir"))
    var fashionData: String?

    /// The directory of `kind`.
    func directory(_ kind: DatasetKind) throws -> URL {
        switch kind {
        case .mnist:
            return try DataLocation.resolve(data, dataset: kind.rawValue)
        case .fashionMNIST:
            // $SUBLIMINAL_DATA names the MNIST directory, so it is not consulted here.
            if let fashionData { return try DataLocation.resolve(fashionData, dataset: kind.rawValue) }
            let candidates = [kind.defaultDirectory, "/usr/share/datasets/fashion-mnist"]
            for c in candidates {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: c, isDirectory: &isDir), isDir.boolValue {
                    return URL(fileURLWithPath: c, isDirectory: true).standardizedFileURL
                }
            }
            throw CLIError("Fashion-MNIST not found in \(candidates.joined(separator: " or ")); fetch it with `\(kind.fetchCommand)` or pass --fashion-data DIR")
        }
    }

    /// Loads the data sets `kinds`, with the SHA-256 of every file read (MNIST files under their
    /// names, Fashion-MNIST files as "fashion-mnist/<name>"). Refuses a directory that holds the
    /// other data set (e.g. --data pointing at Fashion-MNIST).
    func load(_ kinds: Set<DatasetKind>) throws -> (ProtocolData, [String: String]) {
        var sets: [DatasetKind: ExperimentData] = [:]
        var checksums: [String: String] = [:]
        for kind in kinds.sorted(by: { $0.rawValue < $1.rawValue }) {
            let dir = try directory(kind)
            let other: DatasetKind = kind == .mnist ? .fashionMNIST : .mnist
            let otherHashes = Set(other.fileChecksums.values).union(other.contentChecksums.values)
            for file in MNISTFile.allCases {
                let url = try MNISTDataset.locate(file, in: dir)
                let hash = try sha256Hex(ofFileAt: url)
                if otherHashes.contains(hash) {
                    throw CLIError("\(url.path) is \(other.displayName), not \(kind.displayName); check --data / --fashion-data / $SUBLIMINAL_DATA")
                }
                checksums[(kind == .mnist ? "" : kind.rawValue + "/") + url.lastPathComponent] = hash
            }
            sets[kind] = ExperimentData(try MNISTDataset.load(from: dir))
        }
        return (ProtocolData(sets), checksums)
    }
}
