import Foundation
import Testing

@testable import Datasets

@Suite("Data location")
struct DataLocationTests {
    let root: TemporaryDirectory

    init() throws {
        root = try TemporaryDirectory()
        for path in ["data/mnist", "data/fashion-mnist", "option", "environment", "home/mnist"] {
            try FileManager.default.createDirectory(at: root.file(path), withIntermediateDirectories: true)
        }
        try Data().write(to: root.file("a-file"))
    }

    func resolve(_ option: String?, dataset: String = "mnist", environment: [String: String] = [:]) throws -> String {
        try DataLocation.resolve(option, dataset: dataset, environment: environment, currentDirectory: root.url).path
    }

    func path(_ relative: String) -> String { root.file(relative).standardizedFileURL.path }

    @Test("--data wins over SUBLIMINAL_DATA, which wins over ./data/<dataset>")
    func precedence() throws {
        let environment = ["SUBLIMINAL_DATA": path("environment")]
        #expect(try resolve("option", environment: environment) == path("option"))
        #expect(try resolve(path("option"), environment: environment) == path("option"))
        #expect(try resolve(nil, environment: environment) == path("environment"))
        #expect(try resolve(nil) == path("data/mnist"))
        #expect(try resolve(nil, dataset: "fashion-mnist") == path("data/fashion-mnist"))
        // An empty variable counts as unset.
        #expect(try resolve(nil, environment: ["SUBLIMINAL_DATA": ""]) == path("data/mnist"))
        #expect(try resolve("~/mnist", environment: ["HOME": path("home")]) == path("home/mnist"))
        #expect(try resolve("./data/../option") == path("option"))
    }

    @Test("missing directories are reported with their origin")
    func missing() throws {
        let error = datasetError { try resolve("nowhere") }
        #expect(error == .directoryNotFound(path: path("nowhere"), origin: .option, dataset: "mnist"))
        #expect(error?.description.hasPrefix("--data \(path("nowhere")): no such directory") == true)

        let environmentError = datasetError { try resolve(nil, environment: ["SUBLIMINAL_DATA": "/no/such/dir"]) }
        #expect(environmentError == .directoryNotFound(path: "/no/such/dir", origin: .environment, dataset: "mnist"))
        #expect(environmentError?.description.hasPrefix("SUBLIMINAL_DATA=/no/such/dir") == true)

        try FileManager.default.removeItem(at: root.file("data"))
        let defaultError = datasetError { try resolve(nil) }
        #expect(defaultError == .directoryNotFound(path: path("data/mnist"), origin: .defaultLocation, dataset: "mnist"))
        let message = defaultError?.description ?? ""
        #expect(message.contains("`bash data-scripts/fetch-data.sh`") && message.contains("--data DIR") && message.contains("SUBLIMINAL_DATA"))
        let fashion = datasetError { try resolve(nil, dataset: "fashion-mnist") }?.description ?? ""
        #expect(fashion.contains("Fashion-MNIST data not found") && fashion.contains("`bash data-scripts/fetch-data.sh --fashion`"))
    }

    @Test("files and empty paths are rejected")
    func invalid() throws {
        #expect(datasetError { try resolve("a-file") } == .notADirectory(path: path("a-file"), origin: .option))
        #expect(datasetError { try resolve("") } == .emptyPath(origin: .option))
    }

    @Test("the default resolution uses the process's environment and directory")
    func processDefaults() throws {
        // The real environment may or may not set SUBLIMINAL_DATA; an explicit option is
        // resolved the same either way.
        #expect(try DataLocation.resolve(root.path).path == root.url.standardizedFileURL.path)
    }
}
