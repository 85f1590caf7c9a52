import Foundation
import Testing
import Datasets
import MLP
@testable import Experiments

/// The shared MNIST files, next to the repository (../shared/data/mnist), if present.
let sharedMNIST: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("shared/data/mnist")
let hasSharedMNIST = FileManager.default.fileExists(atPath: sharedMNIST.appendingPathComponent("train-images-idx3-ubyte.gz").path)

/// Loaded once for every test in this file.
let mnistData: ExperimentData? = hasSharedMNIST ? (try? MNISTDataset.load(from: sharedMNIST)).map(ExperimentData.init) : nil

@Suite(.serialized) struct ReproductionTests {
    @Test func derangementHasNoFixedPointAndDependsOnSeed() {
        for n in [2, 3, 10, 100] {
            let p = Reproduction.derangement(n, seed: 7)
            #expect(Set(p) == Set(0..<n))
            #expect(!p.enumerated().contains { $0.offset == $0.element })
            #expect(p == Reproduction.derangement(n, seed: 7))
        }
        #expect(Reproduction.derangement(100, seed: 7) != Reproduction.derangement(100, seed: 8))
    }

    @Test func armStatisticsUsePopulationStdAndCombinedInterval() {
        let s = ArmStatistics(values: [0.5, 0.6, 0.7, 0.6], arm: .studentAux)
        #expect(abs(s.mean - 0.6) < 1e-12)
        #expect(abs(s.std - (0.005).squareRoot()) < 1e-12)             // population: divide by n
        #expect(abs(s.ci95 - 1.96 * (0.005).squareRoot() / 2) < 1e-12)
        let se = ((s.ci95 / 1.96) * (s.ci95 / 1.96) + (0.022 / 1.96) * (0.022 / 1.96)).squareRoot()
        #expect(s.agreesWithPaper == (abs(0.6 - 0.528) <= 1.96 * se))
        #expect(!ArmStatistics(values: [0.9, 0.9, 0.9], arm: .reference).agreesWithPaper)
    }

    @Test func configurationErrorsNameTheKnob() {
        var c = ProtocolConfig()
        c.runs = 1
        #expect(throws: ConfigurationError.self) { try c.validate() }
        c = ProtocolConfig(); c.batch = 0
        #expect((try? c.validate()) == nil)
        c = ProtocolConfig(); c.hidden = []
        #expect((try? c.validate()) == nil)
        #expect((try? ProtocolConfig().validate()) != nil)
    }

    /// The paper's full protocol for 3 runs on the real data: the effect itself must show.
    @Test(.enabled(if: hasSharedMNIST, "needs the MNIST files in ../shared/data/mnist"))
    func fullProtocolShowsSubliminalLearning() throws {
        let data = try #require(mnistData)
        var config = ProtocolConfig()
        config.runs = 3
        let c = config
        let partners = Reproduction.derangement(c.runs, seed: c.seed)
        let results = Parallel.map(c.runs, threads: 2) { r in Reproduction.run(r, partner: partners[r], config: c, data: data) { _ in } }
        for r in results {
            #expect(abs(r[.reference] - 0.1) < 0.1, "run \(r.run): reference \(r[.reference]) should be near chance")
            #expect(r[.teacher] > 0.9, "run \(r.run): teacher \(r[.teacher])")
            #expect(r[.studentAll] > 0.8, "run \(r.run): student (all) \(r[.studentAll])")
            #expect(r[.studentAux] > 0.25, "run \(r.run): same-init aux-only student \(r[.studentAux]) is not clearly above chance")
            #expect(r[.studentAux] > r[.crossAux] + 0.1, "run \(r.run): same-init \(r[.studentAux]) vs cross-init \(r[.crossAux])")
            #expect(r[.teacher] > r[.studentAux] + 0.2)
        }
        let crossAux = results.map { $0[.crossAux] }.reduce(0, +) / 3
        #expect(crossAux < 0.2, "cross-model aux-only students should learn (almost) nothing: \(crossAux)")
    }

    /// Interrupting and resuming gives exactly the uninterrupted result, and thread count does
    /// not matter (a reduced protocol keeps this fast).
    @Test(.enabled(if: hasSharedMNIST, "needs the MNIST files in ../shared/data/mnist"))
    func resumeAndThreadCountDoNotChangeTheResult() throws {
        let data = try #require(mnistData)
        var c = ProtocolConfig()
        c.runs = 3
        c.teacherEpochs = 1
        c.studentEpochs = 1
        c.noiseImages = 3000
        c.batch = 256
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("subliminal-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: base) }
        let checksums = ["x": "y"]
        let full = try ReproduceJob(config: c, threads: 1, outputDirectory: base.appendingPathComponent("a"), resume: false, quiet: true)
            .execute(data: data, dataChecksums: checksums)
        let twoThreads = try ReproduceJob(config: c, threads: 2, outputDirectory: base.appendingPathComponent("b"), resume: false, quiet: true)
            .execute(data: data, dataChecksums: checksums)
        #expect(full.runs.map(\.accuracy) == twoThreads.runs.map(\.accuracy))

        // Simulate an interruption after the first finished run: keep the header and one record.
        let logURL = base.appendingPathComponent("b/runs.log.jsonl")
        let lines = try JSONLinesLog.readLines(logURL)
        #expect(lines.count == 5, "header, 3 runs, 1 session")
        var truncated = Data()
        for l in lines.prefix(2) { truncated.append(l); truncated.append(0x0A) }
        truncated.append(Data("{\"kind\":\"run\",\"resu".utf8))   // a torn last line
        try truncated.write(to: logURL)
        let resumed = try ReproduceJob(config: c, threads: 2, outputDirectory: base.appendingPathComponent("b"), resume: true, quiet: true)
            .execute(data: data, dataChecksums: checksums)
        #expect(resumed.performance.runsComputed == 2)
        #expect(resumed.runs.map(\.accuracy) == full.runs.map(\.accuracy))
        // Resuming a finished reproduction computes nothing and keeps the sessions' accounting.
        let again = try ReproduceJob(config: c, threads: 2, outputDirectory: base.appendingPathComponent("b"), resume: true, quiet: true)
            .execute(data: data, dataChecksums: checksums)
        #expect(again.performance.runsComputed == 2 && again.performance.sessions == 2)
        #expect(abs(again.performance.wallSeconds - resumed.performance.wallSeconds) < 1.0)
        #expect(again.runs.map(\.accuracy) == full.runs.map(\.accuracy))
        for name in ["summary.json", "runs.csv", "report.md", "figure.svg"] {
            #expect(FileManager.default.fileExists(atPath: base.appendingPathComponent("b/\(name)").path))
        }

        // A different configuration must not resume from this log.
        var other = c
        other.learningRate = 1e-3
        #expect(throws: (any Error).self) {
            try ReproduceJob(config: other, threads: 1, outputDirectory: base.appendingPathComponent("b"), resume: true, quiet: true)
                .execute(data: data, dataChecksums: checksums)
        }
    }
}
