import Foundation

/// Where the data files are: the `--data` option, else the `SUBLIMINAL_DATA` environment
/// variable, else `./data/<dataset>` relative to the current directory (where
/// `bash data-scripts/fetch-data.sh` puts them when run from the repository root).
public enum DataLocation {
    /// Where a data path came from; error messages name it.
    public enum Origin: String, Sendable, Hashable, Codable {
        /// The `--data DIR` option.
        case option
        /// The `SUBLIMINAL_DATA` environment variable.
        case environment
        /// The default, `./data/<dataset>`.
        case defaultLocation
        /// A path given to an API directly, e.g. ``MNISTDataset/load(from:)``.
        case explicit

        /// How messages introduce a path of this origin (`"--data "`, `"SUBLIMINAL_DATA="`, or nothing).
        var label: String {
            switch self {
            case .option: return "--data "
            case .environment: return "SUBLIMINAL_DATA="
            case .defaultLocation, .explicit: return ""
            }
        }
    }

    /// The name of the environment variable that sets the data directory.
    public static let environmentVariable = "SUBLIMINAL_DATA"

    /// The data directory: `option` (the value of `--data`) if given, else `$SUBLIMINAL_DATA`
    /// if set and not empty, else `./data/<dataset>`.
    ///
    /// Relative paths are resolved against the current directory and a leading `~/` against
    /// the home directory.
    ///
    /// - Parameter dataset: the data set's directory name under `data/`, e.g. `"mnist"` or
    ///   `"fashion-mnist"`.
    /// - Throws: ``DatasetError/directoryNotFound(path:origin:dataset:)`` (whose message gives
    ///   the command that fetches the data), ``DatasetError/notADirectory(path:origin:)`` or
    ///   ``DatasetError/emptyPath(origin:)``.
    public static func resolve(_ option: String?, dataset: String = "mnist") throws -> URL {
        try resolve(
            option, dataset: dataset, environment: ProcessInfo.processInfo.environment,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
    }

    /// ``resolve(_:dataset:)`` with an explicit environment and current directory.
    public static func resolve(
        _ option: String?, dataset: String, environment: [String: String], currentDirectory: URL
    ) throws -> URL {
        let path: String
        let origin: Origin
        if let option {
            guard !option.isEmpty else { throw DatasetError.emptyPath(origin: .option) }
            (path, origin) = (option, .option)
        } else if let variable = environment[environmentVariable], !variable.isEmpty {
            (path, origin) = (variable, .environment)
        } else {
            (path, origin) = ("data/\(dataset)", .defaultLocation)
        }
        let url = absoluteURL(path, home: environment["HOME"], currentDirectory: currentDirectory)
        try checkDirectory(url, origin: origin, dataset: dataset)
        return URL(fileURLWithPath: url.fileSystemPath, isDirectory: true)
    }

    /// Throws unless `url` is an existing directory.
    static func checkDirectory(_ url: URL, origin: Origin, dataset: String) throws {
        var isDirectory: ObjCBool = false
        let path = url.fileSystemPath
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.directoryNotFound(path: path, origin: origin, dataset: dataset)
        }
        guard isDirectory.boolValue else { throw DatasetError.notADirectory(path: path, origin: origin) }
    }

    private static func absoluteURL(_ path: String, home: String?, currentDirectory: URL) -> URL {
        var expanded = path
        if let home, !home.isEmpty, path == "~" || path.hasPrefix("~/") {
            expanded = home + path.dropFirst()
        }
        if expanded.hasPrefix("/") {
            return URL(fileURLWithPath: expanded, isDirectory: false).standardizedFileURL
        }
        return currentDirectory.appendingPathComponent(expanded, isDirectory: false).standardizedFileURL
    }
}

extension URL {
    /// The file-system path, without the trailing slash of a directory URL (except for `/`).
    var fileSystemPath: String {
        let path = path(percentEncoded: false)
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
