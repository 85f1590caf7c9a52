import Datasets
import MLP

/// What the students are distilled on (`--inputs`).
public enum StudentInputs: String, Codable, CaseIterable, Sendable {
    /// The paper: every pixel i.i.d. Uniform[-1, 1).
    case uniform
    /// Every pixel i.i.d. Normal(0, 1/3): the variance of Uniform[-1, 1), not clipped.
    case gaussian
    /// Training images of the teacher's data set, each image's 784 pixels randomly permuted
    /// (its own permutation): the pixel histogram of real images without their structure.
    case shuffledPixels = "shuffled-pixels"
    /// MNIST training images.
    case mnist
    /// Fashion-MNIST training images.
    case fashion

    /// The data set whose training images the inputs are made of (nil: synthetic noise).
    public func source(teacherDataset: DatasetKind) -> DatasetKind? {
        switch self {
        case .uniform, .gaussian: return nil
        case .shuffledPixels: return teacherDataset
        case .mnist: return .mnist
        case .fashion: return .fashionMNIST
        }
    }

    public var explanation: String {
        switch self {
        case .uniform: return "Uniform[-1, 1] noise images"
        case .gaussian: return "Normal(0, 1/3) noise images (the variance of Uniform[-1, 1]; not clipped)"
        case .shuffledPixels: return "training images of the teacher's data set, each with its pixels randomly permuted"
        case .mnist: return "MNIST training images"
        case .fashion: return "Fashion-MNIST training images"
        }
    }
}

/// The students' imitation loss (`--loss`).
public enum StudentLoss: String, Codable, CaseIterable, Sendable {
    /// KL(softmax(teacher[S]) ‖ softmax(student[S])), temperature 1 (the paper).
    case kl
    /// ½‖student[S] − teacher[S]‖² on the raw logits, averaged over the batch.
    case mse
    /// The paper's KL summed over the batch instead of averaged, as in the authors' script
    /// (PROTOCOL.md: under Adam this changes only the effective size of eps).
    case klSum = "kl-sum"

    /// How the reports name the loss.
    public var description: String {
        switch self {
        case .kl: return "KL(teacher ‖ student)"
        case .klSum: return "KL(teacher ‖ student) summed over the batch"
        case .mse: return "½‖student − teacher‖² on the raw logits"
        }
    }
}

/// Every knob of the Figure 10b protocol (`../shared/PROTOCOL.md`) and of its ablations
/// (`subliminal sweep`); the defaults are the paper's.
///
/// Knobs are either teacher-side (they change the reference or the teacher: runs, seed, aux,
/// learningRate, batch, teacherEpochs, hidden, dataset) or student-side (studentEpochs,
/// initNoise, inputs, noiseImages, loss, chain). Configurations that differ only in student-side
/// knobs share their teachers (``teacherKey``).
public struct ProtocolConfig: Codable, Hashable, Sendable {
    /// Independent runs (initializations). The paper: 100.
    public var runs: Int = 100
    /// The root of all randomness: run r's streams are (seed, r, purpose).
    public var seed: UInt64 = 0
    /// Number of auxiliary logits m (the model has 10 + m outputs).
    public var aux: Int = 3
    public var learningRate: Float = 3e-4
    public var batch: Int = 1024
    public var teacherEpochs: Int = 5
    public var studentEpochs: Int = 5
    public var hidden: [Int] = [256, 256]
    /// Student input images per run (one fixed set, shared by all of the run's students).
    public var noiseImages: Int = 60_000
    /// σ: the same-init students start from θ0 + σ·ε, ε_ij ~ Normal(0, std 1/√fan_in) on every
    /// weight (biases stay 0, as in every initialization). 0: exactly the teacher's θ0.
    public var initNoise: Double = 0
    /// What the students see.
    public var inputs: StudentInputs = .uniform
    /// The students' imitation loss.
    public var loss: StudentLoss = .kl
    /// The teacher's task, and the test set every arm is evaluated on.
    public var dataset: DatasetKind = .mnist
    /// Generations of students: generation 1 imitates the teacher, generation g imitates
    /// generation g − 1 of the same arm (same start, same inputs). The arms report the last one.
    public var chain: Int = 1

    public init() {}

    public var architecture: Architecture { Architecture(inputs: 784, hidden: hidden, outputs: 10 + aux) }
    public var auxSubset: Range<Int> { 10..<(10 + aux) }
    public var allSubset: Range<Int> { 0..<(10 + aux) }
    /// Number of hidden layers.
    public var depth: Int { hidden.count }

    /// The data set the students' inputs are drawn from (nil: synthetic noise).
    public var inputSource: DatasetKind? { inputs.source(teacherDataset: dataset) }
    /// Every data set this configuration reads.
    public var requiredDatasets: Set<DatasetKind> { Set([dataset] + (inputSource.map { [$0] } ?? [])) }

    /// True when every knob is the paper's, except `runs` and `seed`.
    public var isPaperProtocol: Bool {
        var c = self
        c.runs = ProtocolConfig().runs
        c.seed = ProtocolConfig().seed
        return c == ProtocolConfig()
    }

    /// The knobs that determine the reference and the teacher of a run (student-side knobs
    /// reset). `aux` is reset too: one teacher trained with the largest m serves every m (see
    /// ``Reproduction/runTask(_:partner:configs:data:threads:onStep:onResult:)``).
    public var teacherKey: ProtocolConfig {
        var k = self
        let d = ProtocolConfig()
        k.aux = d.aux
        k.studentEpochs = d.studentEpochs
        k.noiseImages = d.noiseImages
        k.initNoise = d.initNoise
        k.inputs = d.inputs
        k.loss = d.loss
        k.chain = d.chain
        return k
    }

    /// Checks every knob; the message says which one and what is allowed.
    public func validate() throws {
        func fail(_ s: String) -> ConfigurationError { ConfigurationError(message: s) }
        guard runs >= 2 else { throw fail("runs must be at least 2 (the cross-model students start from another run's initialization), got \(runs)") }
        guard runs <= 100_000 else { throw fail("runs must be at most 100000, got \(runs)") }
        guard aux >= 1 && aux <= 1000 else { throw fail("aux must be in 1...1000, got \(aux)") }
        guard learningRate > 0 && learningRate.isFinite && learningRate < 10 else { throw fail("lr must be in (0, 10), got \(learningRate)") }
        guard batch >= 1 && batch <= 60_000 else { throw fail("batch must be in 1...60000, got \(batch)") }
        guard (0...1000).contains(teacherEpochs) else { throw fail("teacher-epochs must be in 0...1000, got \(teacherEpochs)") }
        guard (0...1000).contains(studentEpochs) else { throw fail("student-epochs must be in 0...1000, got \(studentEpochs)") }
        guard !hidden.isEmpty && hidden.count <= 16 && hidden.allSatisfy({ (1...16384).contains($0) }) else {
            throw fail("hidden must be 1 to 16 widths in 1...16384, e.g. 256,256; got \(hidden)")
        }
        guard (1...1_000_000).contains(noiseImages) else { throw fail("noise-images must be in 1...1000000, got \(noiseImages)") }
        guard initNoise.isFinite && initNoise >= 0 && initNoise <= 1000 else { throw fail("init-noise must be in 0...1000, got \(initNoise)") }
        guard (1...100).contains(chain) else { throw fail("chain must be in 1...100, got \(chain)") }
    }

    // MARK: - Codable (logs written before a knob existed decode with the paper's value)

    enum CodingKeys: String, CodingKey {
        case runs, seed, aux, learningRate, batch, teacherEpochs, studentEpochs, hidden, noiseImages
        case initNoise, inputs, loss, dataset, chain
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ProtocolConfig()
        runs = try c.decodeIfPresent(Int.self, forKey: .runs) ?? d.runs
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        aux = try c.decodeIfPresent(Int.self, forKey: .aux) ?? d.aux
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch
        teacherEpochs = try c.decodeIfPresent(Int.self, forKey: .teacherEpochs) ?? d.teacherEpochs
        studentEpochs = try c.decodeIfPresent(Int.self, forKey: .studentEpochs) ?? d.studentEpochs
        hidden = try c.decodeIfPresent([Int].self, forKey: .hidden) ?? d.hidden
        noiseImages = try c.decodeIfPresent(Int.self, forKey: .noiseImages) ?? d.noiseImages
        initNoise = try c.decodeIfPresent(Double.self, forKey: .initNoise) ?? d.initNoise
        inputs = try c.decodeIfPresent(StudentInputs.self, forKey: .inputs) ?? d.inputs
        loss = try c.decodeIfPresent(StudentLoss.self, forKey: .loss) ?? d.loss
        dataset = try c.decodeIfPresent(DatasetKind.self, forKey: .dataset) ?? d.dataset
        chain = try c.decodeIfPresent(Int.self, forKey: .chain) ?? d.chain
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(runs, forKey: .runs)
        try c.encode(seed, forKey: .seed)
        try c.encode(aux, forKey: .aux)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(batch, forKey: .batch)
        try c.encode(teacherEpochs, forKey: .teacherEpochs)
        try c.encode(studentEpochs, forKey: .studentEpochs)
        try c.encode(hidden, forKey: .hidden)
        try c.encode(noiseImages, forKey: .noiseImages)
        try c.encode(initNoise, forKey: .initNoise)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(loss, forKey: .loss)
        try c.encode(dataset, forKey: .dataset)
        try c.encode(chain, forKey: .chain)
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
