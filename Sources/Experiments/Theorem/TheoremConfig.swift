import MLP

/// The student's imitation loss in the single-step check: KL or squared error, over the
/// auxiliary logits or over all logits.
public enum ImitationLoss: String, CaseIterable, Codable, Sendable {
    case klAux = "kl_aux"
    case klAll = "kl_all"
    case seAux = "se_aux"
    case seAll = "se_all"

    public var isKL: Bool { self == .klAux || self == .klAll }
    public var isAuxOnly: Bool { self == .klAux || self == .seAux }

    /// The logits the loss looks at, for a model with 10 + `aux` outputs.
    public func subset(aux: Int) -> Range<Int> { isAuxOnly ? 10..<(10 + aux) : 0..<(10 + aux) }

    public var title: String {
        switch self {
        case .klAux: return "KL, aux logits"
        case .klAll: return "KL, all logits"
        case .seAux: return "squared error, aux logits"
        case .seAll: return "squared error, all logits"
        }
    }

    public var color: String {
        switch self {
        case .klAux: return "#4c78a8"
        case .klAll: return "#54a24b"
        case .seAux: return "#b279a2"
        case .seAll: return "#e45756"
        }
    }
}

/// Whether the student starts from the teacher's initialization or from another run's.
public enum InitKind: String, CaseIterable, Codable, Sendable {
    case same
    case cross

    public var title: String { self == .same ? "same init" : "cross init" }
}

/// Every knob of `subliminal theorem`.
public struct TheoremConfig: Codable, Hashable, Sendable {
    /// Independent runs (initializations) of the single-step check.
    public var runs: Int = 100
    /// The root of all randomness: run r's streams are (seed, r, purpose).
    public var seed: UInt64 = 0
    /// The teacher's step sizes ε (one gradient step of plain gradient descent).
    public var epsilons: [Double] = [1e-4, 1e-3, 1e-2, 1e-1]
    /// MNIST training images in the teacher's fixed batch: a seeded random subset of the
    /// training set, the same for every run (the whole set when it equals its size).
    public var teacherBatch: Int = 4096
    /// Noise images (Uniform[-1, 1]) in the student's batch: the first rows of run r's noise
    /// set of `reproduce`, from the stream (seed, r, noiseImages).
    public var studentBatch: Int = 1024
    /// The student's step size η (one plain gradient step on the imitation loss).
    public var studentLearningRate: Double = 0.1
    public var losses: [ImitationLoss] = ImitationLoss.allCases
    /// Runs of the multi-step tracking (0: none).
    public var trackRuns: Int = 4
    /// Record the tracked quantities every this many optimizer steps.
    public var trackEvery: Int = 5
    /// The multi-step protocol (the paper's): teacher and students, Adam, batch, epochs, noise set.
    public var aux: Int = 3
    public var hidden: [Int] = [256, 256]
    public var trackProtocol: TrackProtocol = TrackProtocol()

    public struct TrackProtocol: Codable, Hashable, Sendable {
        public var learningRate: Float = 3e-4
        public var batch: Int = 1024
        public var teacherEpochs: Int = 5
        public var studentEpochs: Int = 5
        public var noiseImages: Int = 60_000
        public init() {}
    }

    public init() {}

    public var architecture: Architecture { Architecture(inputs: 784, hidden: hidden, outputs: 10 + aux) }

    /// Checks every knob against the training-set size; the message says which one and what is allowed.
    public func validate(trainExamples: Int = 60_000) throws {
        func fail(_ s: String) -> ConfigurationError { ConfigurationError(message: s) }
        guard runs >= 2 && runs <= 100_000 else { throw fail("--runs must be in 2...100000 (the cross-init students start from another run's initialization), got \(runs)") }
        guard !epsilons.isEmpty && epsilons.count <= 64 else { throw fail("--epsilons must list 1 to 64 step sizes, got \(epsilons.count)") }
        for e in epsilons where !(e > 0 && e.isFinite && e <= 100) { throw fail("every --epsilons value must be in (0, 100], got \(e)") }
        guard Set(epsilons).count == epsilons.count else { throw fail("--epsilons must be distinct, got \(epsilons)") }
        guard teacherBatch >= 1 && teacherBatch <= trainExamples else { throw fail("--teacher-batch must be in 1...\(trainExamples) (the training images), got \(teacherBatch)") }
        guard studentBatch >= 1 && studentBatch <= 1_000_000 else { throw fail("--student-batch must be in 1...1000000, got \(studentBatch)") }
        guard studentLearningRate > 0 && studentLearningRate.isFinite && studentLearningRate <= 1e6 else {
            throw fail("--student-lr must be in (0, 1e6], got \(studentLearningRate)")
        }
        guard !losses.isEmpty && Set(losses).count == losses.count else { throw fail("--losses must list distinct losses among \(ImitationLoss.allCases.map(\.rawValue).joined(separator: ", "))") }
        guard trackRuns >= 0 && trackRuns <= runs else { throw fail("--track-runs must be in 0...\(runs) (--runs), got \(trackRuns)") }
        guard trackEvery >= 1 && trackEvery <= 100_000 else { throw fail("--track-every must be in 1...100000, got \(trackEvery)") }
        guard aux >= 1 && aux <= 1000 else { throw fail("aux must be in 1...1000, got \(aux)") }
    }
}
