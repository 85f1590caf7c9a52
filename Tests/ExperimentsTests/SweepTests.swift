import Foundation
import Testing
import Datasets
import MLP
@testable import Experiments

/// A small learnable synthetic task in MNIST's shape: class k lights up its own block of 78
/// pixels on top of Uniform[-1, 1] noise. Fast enough for end-to-end sweeps in a test.
func syntheticData(train: Int = 600, test: Int = 200, seed: UInt64 = 99) -> ExperimentData {
    func make(_ n: Int, _ run: Int) -> (Matrix, [UInt8]) {
        var rng = RandomStream(seed: seed, run: run, purpose: .inputs)
        var m = Matrix(rows: n, cols: 784)
        var labels: [UInt8] = []
        let p = m.mutablePointer
        for i in 0..<n {
            let k = rng.nextInt(below: 10)
            labels.append(UInt8(k))
            for j in 0..<784 { p[i * 784 + j] = rng.nextSignedUnitFloat() * 0.5 }
            for j in (k * 78)..<(k * 78 + 78) { p[i * 784 + j] += 0.8 }
        }
        return (m, labels)
    }
    let (a, la) = make(train, 0), (b, lb) = make(test, 1)
    return ExperimentData(trainImages: a, trainLabels: la, testImages: b, testLabels: lb, directory: "synthetic")
}

let synthetic = syntheticData()
let syntheticFashion = syntheticData(seed: 123)
let syntheticSets = ProtocolData([.mnist: synthetic, .fashionMNIST: syntheticFashion])

/// The paper's protocol shrunk to run in milliseconds.
func tinyConfig(runs: Int = 3) -> ProtocolConfig {
    var c = ProtocolConfig()
    c.runs = runs
    c.hidden = [16]
    c.batch = 64
    c.teacherEpochs = 1
    c.studentEpochs = 1
    c.noiseImages = 300
    return c
}

func temporaryDirectory() -> URL {
    FileManager.default.temporaryDirectory.appendingPathComponent("subliminal-sweep-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
}

/// The deterministic outputs of a sweep directory, by file name.
func outputs(_ dir: URL, _ spec: SweepSpec) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for name in ["sweep.json", "sweep.csv", "report.md"] + spec.axes.map({ "\($0.knob.rawValue).svg" }) {
        out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
    }
    return out
}

@Suite(.serialized) struct SweepTests {
    // MARK: - Knobs and specs

    @Test func knobValuesAreCanonical() throws {
        #expect(try Knob.lr.canonical("3e-4") == "0.0003")
        #expect(try Knob.lr.canonical(" 0.00030 ") == "0.0003")
        #expect(try Knob.initNoise.canonical("0") == "0.0")
        #expect(try Knob.initNoise.canonical("-0") == "0.0")
        #expect(try Knob.initNoise.canonical("1e-1") == "0.1")
        #expect(try Knob.hidden.canonical("064x64") == "64x64")
        #expect(try Knob.dataset.canonical("Fashion-MNIST") == "fashion")
        #expect(try Knob.inputs.canonical("SHUFFLED-PIXELS") == "shuffled-pixels")
        for k in Knob.allCases { #expect(try k.canonical(k.paperValue) == k.paperValue, "\(k)") }
        // The paper's value of every knob is the default configuration.
        var c = ProtocolConfig()
        for k in Knob.allCases { k.apply(k.paperValue, to: &c) }
        #expect(c == ProtocolConfig())
    }

    @Test func badKnobsAndValuesNameTheValidOnes() {
        func message(_ vary: [String]) -> String? {
            do { _ = try SweepSpec.parse(vary, base: ProtocolConfig()); return nil } catch { return "\(error)" }
        }
        let unknown = message(["colour=1,2"]) ?? ""
        #expect(unknown.contains("unknown knob 'colour'"))
        for k in Knob.allCases { #expect(unknown.contains(k.rawValue)) }
        let badInput = message(["inputs=uniform,static"]) ?? ""
        #expect(badInput.contains("'static'"))
        for i in StudentInputs.allCases { #expect(badInput.contains(i.rawValue)) }
        #expect(message(["aux=0"])?.contains("1...1000") == true)
        #expect(message(["aux=2.5"]) != nil)
        #expect(message(["lr=-1"]) != nil)
        #expect(message(["lr=nan"]) != nil)
        #expect(message(["init-noise=inf"]) != nil)
        #expect(message(["chain=0"]) != nil)
        #expect(message(["loss=l1"])?.contains("kl, mse") == true)
        #expect(message(["aux"])?.contains("KNOB=") == true)
        #expect(message(["aux="]) != nil)
        #expect(message(["aux=1,,2"]) != nil)
        #expect(message(["aux=1,1"])?.contains("twice") == true)
        #expect(message(["hidden=64,64"])?.contains("joined by x") == true)
        #expect(message(["aux=1", "aux=2"])?.contains("twice") == true)
        #expect(message([]) != nil)
        #expect(message(["batch=100000"]) != nil)
        // A combination can be invalid even when each value is valid on its own.
        var base = ProtocolConfig()
        base.runs = 1
        #expect(throws: ConfigurationError.self) { try SweepSpec.parse(["aux=1,2"], base: base) }
    }

    @Test func crossProductOrderAndKnobApplication() throws {
        let spec = try SweepSpec.parse(["depth=1,3", "hidden=64x64;32"], base: ProtocolConfig())
        #expect(spec.axes[1].values == ["64x64", "32"])
        let pts = spec.points
        #expect(pts.count == 4)
        #expect(pts.map(\.values) == [["1", "64x64"], ["1", "32"], ["3", "64x64"], ["3", "32"]])
        // hidden is applied before depth whatever the axis order: depth repeats the first width.
        #expect(pts.map(\.config.hidden) == [[64], [32], [64, 64, 64], [32, 32, 32]])
        #expect(spec.name == "depth-hidden")
        let lr = try SweepSpec.parse(["lr=1e-3,3e-4"], base: ProtocolConfig())
        #expect(lr.points.map(\.config.learningRate) == [1e-3, 3e-4])
    }

    @Test func oldConfigurationJSONDecodesWithThePapersKnobs() throws {
        let old = #"{"aux":3,"batch":1024,"hidden":[256,256],"learningRate":0.0003,"noiseImages":60000,"runs":100,"seed":0,"studentEpochs":5,"teacherEpochs":5}"#
        let c = try JSONDecoder().decode(ProtocolConfig.self, from: Data(old.utf8))
        #expect(c == ProtocolConfig())
        var d = ProtocolConfig()
        d.inputs = .shuffledPixels
        d.loss = .mse
        d.dataset = .fashionMNIST
        d.initNoise = 0.25
        d.chain = 4
        let back = try JSONDecoder().decode(ProtocolConfig.self, from: JSONEncoder().encode(d))
        #expect(back == d)
        #expect(d.teacherKey == ProtocolConfig().teacherKey.with { $0.dataset = .fashionMNIST })
    }

    // MARK: - Plans and shards

    @Test func everyJobIsInExactlyOneShard() throws {
        let spec = try SweepSpec.parse(["aux=1,2,3", "init-noise=0,0.1"], base: tinyConfig(runs: 5))
        for share in [true, false] {
            let plan = SweepPlan(spec: spec, share: share)
            // Shared: one task per run (aux and init-noise do not change the teacher).
            #expect(plan.tasks.count == (share ? 5 : 6 * 5))
            let all = plan.tasks.flatMap(\.jobs)
            #expect(all.count == 30 && Set(all).count == 30)
            for n in 1...8 {
                let parts = (1...n).map { plan.tasks(for: try! Shard(index: $0, count: n)).flatMap(\.jobs) }
                #expect(parts.reduce(0) { $0 + $1.count } == 30)
                #expect(Set(parts.flatMap { $0 }) == Set(all))
                // Deterministic: a new plan assigns the same jobs.
                #expect(SweepPlan(spec: spec, share: share).tasks(for: try Shard(index: 1, count: n)).flatMap(\.jobs) == parts[0])
            }
        }
        #expect(throws: ConfigurationError.self) { try Shard.parse("0/3") }
        #expect(throws: ConfigurationError.self) { try Shard.parse("4/3") }
        #expect(throws: ConfigurationError.self) { try Shard.parse("2") }
        #expect(try Shard.parse("2/3") == Shard(index: 2, count: 3))
    }

    @Test func shardsAreBalancedByCost() throws {
        let spec = try SweepSpec.parse(["hidden=16,64,256"], base: tinyConfig(runs: 6))
        let plan = SweepPlan(spec: spec, share: true)
        let loads = plan.assignment(shards: 3).map { $0.reduce(0) { $0 + $1.cost } }
        let total = loads.reduce(0, +)
        // LPT keeps every shard within the largest task of the mean.
        let largest = plan.tasks.map(\.cost).max()!
        for l in loads { #expect(abs(l - total / 3) <= largest) }
    }

    // MARK: - The protocol's new knobs

    @Test func defaultConfigurationGoesThroughTheSharedPathUnchanged() {
        // `run` (one configuration) and `runTask` with unrelated configurations give the same
        // result for the default configuration: sharing never changes a result.
        let c = tinyConfig()
        var other = c
        other.initNoise = 0.5
        var chained = c
        chained.chain = 3
        var gauss = c
        gauss.inputs = .gaussian
        let alone = Reproduction.run(1, partner: 2, config: c, data: synthetic) { _ in }
        let together = Reproduction.runTask(1, partner: 2, configs: [other, chained, gauss, c], data: syntheticSets, onStep: { _ in })
        #expect(together[3].withoutTiming == alone.withoutTiming)
        // The cross-model students do not depend on init-noise; the same-init ones do.
        #expect(together[0][.crossAux] == alone[.crossAux] && together[0][.crossAll] == alone[.crossAll])
        #expect(together[0][.teacher] == alone[.teacher] && together[0][.reference] == alone[.reference])
        // Generation 1 of a chain is the ordinary student.
        for arm in Arm.students { #expect(together[1].generations![arm.rawValue]![0] == alone[arm]) }
        #expect(together[1].generations!["student_aux"]!.count == 3)
        #expect(alone.generations == nil)
    }

    @Test func oneTeacherServesEveryAuxWidth() {
        // The teacher trained with the largest m, cut to its first 10 + m outputs, is bit for bit
        // the teacher trained with m aux logits; and so every result of a task that shares it.
        var c = tinyConfig()
        c.teacherEpochs = 2
        let configs = [3, 1, 5].map { m -> ProtocolConfig in var x = c; x.aux = m; return x }
        func teacher(_ x: ProtocolConfig) -> Parameters {
            Reproduction.trainTeacher(Parameters.initialized(x.architecture, seed: x.seed, run: 1), run: 1, seed: x.seed,
                                      epochs: x.teacherEpochs, batch: x.batch, learningRate: x.learningRate, data: synthetic,
                                      workspace: TrainingWorkspace(architecture: x.architecture, capacity: x.batch)) {}
        }
        let wide = teacher(configs[2])
        for x in configs.prefix(2) {
            let own = teacher(x)
            #expect(wide.narrowed(to: x.architecture).bitwiseEqual(own), "aux \(x.aux)")
            #expect(!Parameters.initialized(x.architecture, seed: x.seed, run: 1).bitwiseEqual(own))
        }
        let together = Reproduction.runTask(1, partner: 2, configs: configs, data: syntheticSets, onStep: { _ in })
        for (i, x) in configs.enumerated() {
            let alone = Reproduction.run(1, partner: 2, config: x, data: synthetic) { _ in }
            #expect(together[i].withoutTiming == alone.withoutTiming, "aux \(x.aux)")
        }
    }

    @Test func oneAuxLogitTeachesNothing() {
        // With m = 1 the aux softmax is constant: zero gradient, so the aux-only students stay at
        // their initializations (the cross one at the partner's, whose accuracy is its reference).
        var c = tinyConfig()
        c.aux = 1
        let r0 = Reproduction.run(0, partner: 1, config: c, data: synthetic) { _ in }
        let r1 = Reproduction.run(1, partner: 0, config: c, data: synthetic) { _ in }
        #expect(r0[.studentAux] == r0[.reference])
        #expect(r0[.crossAux] == r1[.reference])
        #expect(r0[.studentAll] != r0[.reference])
        // Not with squared error, which sees the logit's value.
        c.loss = .mse
        let m = Reproduction.run(0, partner: 1, config: c, data: synthetic) { _ in }
        #expect(m[.studentAux] != m[.reference] || m[.crossAux] != r1[.reference])
    }

    @Test func initNoisePerturbsWeightsOnly() {
        let arch = Architecture(inputs: 784, hidden: [16], outputs: 13)
        let p = Parameters.initialized(arch, seed: 0, run: 2)
        #expect(Reproduction.perturbed(p, sigma: 0, seed: 0, run: 2).bitwiseEqual(p))
        let q = Reproduction.perturbed(p, sigma: 0.5, seed: 0, run: 2)
        var diff = 0.0, count = 0
        for (l, o) in zip(arch.layers, arch.offsets) {
            for i in 0..<(l.inFeatures * l.outFeatures) {
                let d = Double(q.values[o.weight + i] - p.values[o.weight + i]) * Double(l.inFeatures).squareRoot()
                diff += d * d
                count += 1
            }
            for i in 0..<l.outFeatures { #expect(q.values[o.bias + i] == 0) }
        }
        // (q − p)·√fan_in has variance σ² = 0.25.
        #expect(abs(diff / Double(count) - 0.25) < 0.01)
    }

    @Test func studentInputsHaveTheRightDistribution() {
        var c = tinyConfig()
        c.noiseImages = 200
        c.inputs = .gaussian
        let g = Reproduction.studentInputs(c, run: 0, data: syntheticSets)
        let n = 200 * 784
        var s = 0.0, s2 = 0.0
        for i in 0..<n { let v = Double(g.pointer[i]); s += v; s2 += v * v }
        #expect(abs(s / Double(n)) < 0.01)
        #expect(abs(s2 / Double(n) - 1.0 / 3) < 0.01)

        c.inputs = .mnist
        c.noiseImages = synthetic.trainImages.rows
        let all = Reproduction.studentInputs(c, run: 0, data: syntheticSets)
        #expect(Array(UnsafeBufferPointer(start: all.pointer, count: all.rows * 784)) == Array(UnsafeBufferPointer(start: synthetic.trainImages.pointer, count: all.rows * 784)))

        c.noiseImages = 100
        c.inputs = .shuffledPixels
        let shuffled = Reproduction.studentInputs(c, run: 0, data: syntheticSets)
        c.inputs = .mnist
        let subset = Reproduction.studentInputs(c, run: 0, data: syntheticSets)
        c.inputs = .fashion
        let fashion = Reproduction.studentInputs(c, run: 0, data: syntheticSets)
        var rows: Set<[Float]> = []
        for i in 0..<100 {
            let a = Array(UnsafeBufferPointer(start: subset.pointer + i * 784, count: 784))
            let b = Array(UnsafeBufferPointer(start: shuffled.pointer + i * 784, count: 784))
            let f = Array(UnsafeBufferPointer(start: fashion.pointer + i * 784, count: 784))
            #expect(a.sorted() == b.sorted())   // the same image, pixels permuted
            #expect(a != b)
            #expect(a != f)
            rows.insert(a)
        }
        #expect(rows.count == 100)   // distinct training images

        c.noiseImages = synthetic.trainImages.rows + 1
        #expect(throws: ConfigurationError.self) { try syntheticSets.check(c) }
        c.noiseImages = 10
        #expect(throws: ConfigurationError.self) { try ProtocolData([.mnist: synthetic]).check(c) }   // fashion missing
    }

    /// The generalized protocol, with the paper's knobs, gives exactly the numbers of the code
    /// before the sweep knobs existed (run 0 of the committed 100-run reproduction, partner 60):
    /// every random stream of the default path is unchanged. The values are those of this kernel.
    @Test(.enabled(if: hasSharedMNIST && GEMMTiling.description == "12x32 tile, 512-bit vectors, FMA",
                   "needs ../shared/data/mnist and the AVX-512 kernel the reference values were computed with"))
    func paperProtocolIsBitIdenticalToTheReproduction() throws {
        let data = try #require(mnistData)
        let c = ProtocolConfig()
        let partners = Reproduction.derangement(c.runs, seed: c.seed)
        #expect(partners[0] == 60)
        let r = Reproduction.run(0, partner: partners[0], config: c, data: data) { _ in }
        #expect(r.accuracy == ["reference": 0.1319, "teacher": 0.9418, "student_aux": 0.4801, "student_all": 0.8953,
                               "cross_aux": 0.1273, "cross_all": 0.6884])
    }

    // MARK: - End to end: sharding, merging, resuming

    @Test func threeShardsMergeToTheUnshardedResultExactly() throws {
        let base = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let spec = try SweepSpec.parse(["init-noise=0,0.5", "chain=1,2", "inputs=uniform,mnist"], base: tinyConfig())
        let checksums = ["train-images-idx3-ubyte.gz": "synthetic"]
        let whole = try SweepJob(spec: spec, shard: nil, threads: 2, outputDirectory: base.appendingPathComponent("whole"), resume: false, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        #expect(whole.jobsComputed == 24)
        for i in 1...3 {
            let part = try SweepJob(spec: spec, shard: Shard(index: i, count: 3), threads: 1,
                                    outputDirectory: base.appendingPathComponent("shards"), resume: false, quiet: true)
                .execute(data: syntheticSets, dataChecksums: checksums)
            #expect(part.summary == nil)
            #expect(part.jobsInShard > 0)
        }
        let merged = try SweepMerge.load([base.appendingPathComponent("shards")])
        try merged.summary.write(to: base.appendingPathComponent("merged"))
        let a = try outputs(base.appendingPathComponent("whole"), spec), b = try outputs(base.appendingPathComponent("merged"), spec)
        #expect(a.count == 6)
        for (name, data) in a { #expect(b[name] == data, "\(name) differs") }

        // Without sharing teachers and students: the same bytes.
        _ = try SweepJob(spec: spec, shard: nil, share: false, threads: 2, outputDirectory: base.appendingPathComponent("noshare"), resume: false, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        let c = try outputs(base.appendingPathComponent("noshare"), spec)
        for (name, data) in a { #expect(c[name] == data, "\(name) differs without sharing") }

        // The summary reads as expected: chain=2 reports generation 2, generation 1 = chain=1.
        let s = whole.summary!
        let p1 = s.points.first { $0.values == ["init-noise": "0.0", "chain": "1", "inputs": "uniform"] }!
        let p2 = s.points.first { $0.values == ["init-noise": "0.0", "chain": "2", "inputs": "uniform"] }!
        #expect(p2.generations!["student_all"]!.map { $0[0] } == p1.accuracy["student_all"]!)
        #expect(p2.generations!["student_all"]!.map { $0[1] } == p2.accuracy["student_all"]!)
        #expect(p1.effect.mean == zip(p1.accuracy["student_aux"]!, p1.accuracy["cross_aux"]!).map { $0 - $1 }.reduce(0, +) / 3)
        let csv = String(decoding: a["sweep.csv"]!, as: UTF8.self).split(separator: "\n")
        #expect(csv.count == 1 + 8 * 3 * 6)
        #expect(csv[0] == "init-noise,chain,inputs,run,partner,arm,accuracy")
    }

    @Test func mergeRefusesInconsistentLogs() throws {
        let base = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let spec = try SweepSpec.parse(["aux=2,3"], base: tinyConfig())
        let checksums = ["x": "y"]
        func shard(_ i: Int, _ n: Int, _ dir: String, spec s: SweepSpec? = nil, data: [String: String]? = nil) throws {
            _ = try SweepJob(spec: s ?? spec, shard: Shard(index: i, count: n), threads: 1, outputDirectory: base.appendingPathComponent(dir), resume: false, quiet: true)
                .execute(data: syntheticSets, dataChecksums: data ?? checksums)
        }
        try shard(1, 2, "a")
        try shard(2, 2, "b")
        #expect(throws: Never.self) { try SweepMerge.load([base.appendingPathComponent("a"), base.appendingPathComponent("b")]) }
        func error(_ dirs: [String]) -> String {
            do { _ = try SweepMerge.load(dirs.map { base.appendingPathComponent($0) }); return "" } catch { return "\(error)" }
        }
        #expect(error(["a"]).contains("missing"))
        #expect(error(["a"]).contains("shard 2/2"))
        try shard(1, 2, "c")
        #expect(error(["a", "b", "c"]).contains("appears in both"))
        try shard(2, 2, "d", spec: try SweepSpec.parse(["aux=2,4"], base: tinyConfig()))
        #expect(error(["a", "d"]).contains("different varied knobs"))
        var other = tinyConfig()
        other.learningRate = 1e-3
        try shard(2, 2, "e", spec: try SweepSpec.parse(["aux=2,3"], base: other))
        #expect(error(["a", "e"]).contains("lr 0.0003 vs 0.001"))
        try shard(2, 2, "f", data: ["x": "z"])
        #expect(error(["a", "f"]).contains("different data"))
        // Shards of different splits are fine as long as every job is there exactly once.
        let plan = SweepPlan(spec: spec, share: true)
        #expect(plan.tasks(for: try Shard(index: 1, count: 2)).count + plan.tasks(for: try Shard(index: 2, count: 2)).count == plan.tasks.count)
        // A tampered record is refused.
        let log = base.appendingPathComponent("b/shard-2-of-2.log.jsonl")
        let text = try String(contentsOf: log, encoding: .utf8)
        try text.replacingOccurrences(of: "\"aux\":\"3\"", with: "\"aux\":\"7\"").replacingOccurrences(of: "\"aux\":\"2\"", with: "\"aux\":\"7\"")
            .write(to: log, atomically: true, encoding: .utf8)
        #expect(error(["a", "b"]).contains("should be"))
        #expect(error(["nothing-here"]).contains("does not exist"))
    }

    @Test func resumeComputesOnlyTheMissingJobsAndChangesNothing() throws {
        let base = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let spec = try SweepSpec.parse(["loss=kl,mse", "student-epochs=1,2"], base: tinyConfig())
        let checksums = ["x": "y"]
        let dir = base.appendingPathComponent("r")
        let first = try SweepJob(spec: spec, shard: try Shard(index: 2, count: 2), threads: 2, outputDirectory: dir, resume: false, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        let log = dir.appendingPathComponent("shard-2-of-2.log.jsonl")
        let complete = try JSONLinesLog.readLines(log)
        #expect(complete.count == 1 + first.jobsInShard)
        // Keep the header and two jobs, and a torn line.
        var truncated = Data()
        for l in complete.prefix(3) { truncated.append(l); truncated.append(0x0A) }
        truncated.append(Data("{\"kind\":\"job\",\"poi".utf8))
        try truncated.write(to: log)
        let resumed = try SweepJob(spec: spec, shard: try Shard(index: 2, count: 2), threads: 2, outputDirectory: dir, resume: true, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        #expect(resumed.jobsComputed == first.jobsInShard - 2)
        _ = try SweepJob(spec: spec, shard: try Shard(index: 1, count: 2), threads: 2, outputDirectory: dir, resume: true, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        let merged = try SweepMerge.load([dir])
        let whole = try SweepJob(spec: spec, shard: nil, threads: 1, outputDirectory: base.appendingPathComponent("w"), resume: false, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        #expect(try merged.summary.jsonData() == whole.summary!.jsonData())
        // Resuming again computes nothing; resuming with other options is refused.
        let again = try SweepJob(spec: spec, shard: try Shard(index: 2, count: 2), threads: 2, outputDirectory: dir, resume: true, quiet: true)
            .execute(data: syntheticSets, dataChecksums: checksums)
        #expect(again.jobsComputed == 0)
        #expect(throws: (any Error).self) {
            try SweepJob(spec: spec, shard: try Shard(index: 2, count: 2), threads: 1, outputDirectory: dir, resume: true, quiet: true)
                .execute(data: syntheticSets, dataChecksums: ["x": "other"])
        }
        #expect(throws: (any Error).self) {
            try SweepJob(spec: try SweepSpec.parse(["loss=kl"], base: tinyConfig()), shard: try Shard(index: 2, count: 2), threads: 1,
                         outputDirectory: dir, resume: true, quiet: true).execute(data: syntheticSets, dataChecksums: checksums)
        }
    }

    @Test func chartsAndReportDescribeEveryKnob() throws {
        let base = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let spec = try SweepSpec.parse(["inputs=uniform,gaussian", "lr=1e-3,3e-4"], base: tinyConfig(runs: 2))
        let out = try SweepJob(spec: spec, shard: nil, threads: 2, outputDirectory: base, resume: false, quiet: true)
            .execute(data: syntheticSets, dataChecksums: [:])
        let s = out.summary!
        let md = s.markdown
        #expect(md.contains("![accuracy vs inputs](inputs.svg)") && md.contains("![accuracy vs lr](lr.svg)"))
        #expect(md.contains("0.0003 (paper)"))
        #expect(md.contains("subliminal sweep --vary inputs=uniform,gaussian --vary lr=0.001,0.0003 --runs 2 --batch 64"))
        let categorical = try String(contentsOf: base.appendingPathComponent("inputs.svg"), encoding: .utf8)
        #expect(categorical.contains(">gaussian</text>") && categorical.contains("lr=0.001"))
        let numeric = try String(contentsOf: base.appendingPathComponent("lr.svg"), encoding: .utf8)
        #expect(numeric.contains("<polygon") && numeric.contains("chance (0.1)") && numeric.contains("inputs=gaussian"))
        #expect(s.table.contains("effect (aux)"))
    }
}

extension ProtocolConfig {
    func with(_ change: (inout ProtocolConfig) -> Void) -> ProtocolConfig {
        var c = self
        change(&c)
        return c
    }
}
