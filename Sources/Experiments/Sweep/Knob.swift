import Datasets
import MLP

/// A knob of the protocol that `subliminal sweep --vary KNOB=v1,v2,…` can vary. Every knob's
/// default is the paper's value; a value is parsed into a canonical string (the same value always
/// has the same spelling, so that shards, logs and reports agree) and applied to a
/// ``ProtocolConfig``.
public enum Knob: String, CaseIterable, Codable, Sendable, Comparable {
    case aux
    case lr
    case batch
    case teacherEpochs = "teacher-epochs"
    case studentEpochs = "student-epochs"
    case hidden
    case depth
    case initNoise = "init-noise"
    case inputs
    case noiseSet = "noise-set"
    case loss
    case dataset
    case chain

    /// Other accepted spellings.
    static let aliases: [String: Knob] = [
        "m": .aux, "learning-rate": .lr, "batch-size": .batch, "noise-images": .noiseSet, "init_noise": .initNoise,
        "teacher_epochs": .teacherEpochs, "student_epochs": .studentEpochs, "noise_set": .noiseSet,
    ]

    public static func < (a: Knob, b: Knob) -> Bool { a.order < b.order }
    /// Knobs are applied in this order (hidden before depth, so depth repeats the given width).
    var order: Int { Knob.allCases.firstIndex(of: self)! }

    /// The knob named `name` (or one of its aliases).
    public static func named(_ name: String) -> Knob? { Knob(rawValue: name) ?? aliases[name] }

    /// All knob names, for error messages.
    public static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// What the knob is, in a few words.
    public var meaning: String {
        switch self {
        case .aux: return "number of auxiliary logits m (m = 1: the aux softmax is constant, so KL on it teaches nothing)"
        case .lr: return "Adam learning rate of every phase"
        case .batch: return "minibatch size of every phase"
        case .teacherEpochs: return "teacher epochs over the training images"
        case .studentEpochs: return "student epochs over the run's inputs"
        case .hidden: return "hidden layer widths"
        case .depth: return "number of hidden layers (each as wide as the first hidden layer)"
        case .initNoise: return "σ: the same-init students start from θ0 + σ·ε, ε ~ Normal(0, std 1/√fan_in) on every weight"
        case .inputs: return "what the students are distilled on"
        case .noiseSet: return "student input images per run"
        case .loss: return "the students' imitation loss (kl: KL of the softmaxes, averaged over the batch; kl-sum: the same summed over the batch, as in the authors' script; mse: ½ squared error of the raw logits)"
        case .dataset: return "the teacher's task and the test set"
        case .chain: return "distillation generations (generation g imitates generation g − 1; accuracy of the last)"
        }
    }

    /// The accepted values, for help and errors.
    public var validValues: String {
        switch self {
        case .aux: return "an integer in 1...1000"
        case .lr: return "a number in (0, 10), e.g. 3e-4"
        case .batch: return "an integer in 1...60000"
        case .teacherEpochs, .studentEpochs: return "an integer in 0...1000"
        case .hidden: return "widths joined by x, e.g. 64x64 or 1024x1024 (1 to 16 layers, each 1...16384)"
        case .depth: return "an integer in 1...16"
        case .initNoise: return "a number in 0...1000"
        case .inputs: return StudentInputs.allCases.map(\.rawValue).joined(separator: ", ")
        case .noiseSet: return "an integer in 1...1000000"
        case .loss: return StudentLoss.allCases.map(\.rawValue).joined(separator: ", ")
        case .dataset: return "mnist, fashion"
        case .chain: return "an integer in 1...100"
        }
    }

    /// The paper's value, canonically spelled.
    public var paperValue: String { value(in: ProtocolConfig()) }

    /// The knob's value in `c`, canonically spelled.
    public func value(in c: ProtocolConfig) -> String {
        switch self {
        case .aux: return String(c.aux)
        case .lr: return String(c.learningRate)
        case .batch: return String(c.batch)
        case .teacherEpochs: return String(c.teacherEpochs)
        case .studentEpochs: return String(c.studentEpochs)
        case .hidden: return c.hidden.map(String.init).joined(separator: "x")
        case .depth: return String(c.hidden.count)
        case .initNoise: return String(c.initNoise)
        case .inputs: return c.inputs.rawValue
        case .noiseSet: return String(c.noiseImages)
        case .loss: return c.loss.rawValue
        case .dataset: return c.dataset == .mnist ? "mnist" : "fashion"
        case .chain: return String(c.chain)
        }
    }

    /// True for knobs whose values are names rather than numbers.
    public var isCategorical: Bool { self == .inputs || self == .loss || self == .dataset }

    /// The canonical spelling of `raw`, or an error naming the knob and its valid values.
    public func canonical(_ raw: String) throws -> String {
        let s = raw.trimmingWhitespace()
        func bad() -> ConfigurationError {
            ConfigurationError(message: "\(rawValue): '\(raw)' is not a valid value; expected \(validValues) (the paper: \(paperValue))")
        }
        func int(_ range: ClosedRange<Int>) throws -> String {
            guard let v = Int(s), range.contains(v) else { throw bad() }
            return String(v)
        }
        switch self {
        case .aux: return try int(1...1000)
        case .batch: return try int(1...60_000)
        case .teacherEpochs, .studentEpochs: return try int(0...1000)
        case .depth: return try int(1...16)
        case .noiseSet: return try int(1...1_000_000)
        case .chain: return try int(1...100)
        case .lr:
            guard let v = Float(s), v.isFinite, v > 0, v < 10 else { throw bad() }
            return String(v)
        case .initNoise:
            guard let v = Double(s), v.isFinite, v >= 0, v <= 1000 else { throw bad() }
            return String(v == 0 ? 0 : v)   // -0 → 0
        case .hidden:
            let parts = s.split(separator: "x", omittingEmptySubsequences: false)
            let widths = parts.map { Int($0) }
            guard !widths.isEmpty, widths.count <= 16, widths.allSatisfy({ $0 != nil && (1...16384).contains($0!) }) else { throw bad() }
            return widths.map { String($0!) }.joined(separator: "x")
        case .inputs:
            guard let v = StudentInputs(rawValue: s.lowercased()) else { throw bad() }
            return v.rawValue
        case .loss:
            guard let v = StudentLoss(rawValue: s.lowercased()) else { throw bad() }
            return v.rawValue
        case .dataset:
            switch s.lowercased() {
            case "mnist": return "mnist"
            case "fashion", "fashion-mnist", "fashionmnist": return "fashion"
            default: throw bad()
            }
        }
    }

    /// Sets the knob to a canonical value in `c`.
    public func apply(_ value: String, to c: inout ProtocolConfig) {
        switch self {
        case .aux: c.aux = Int(value)!
        case .lr: c.learningRate = Float(value)!
        case .batch: c.batch = Int(value)!
        case .teacherEpochs: c.teacherEpochs = Int(value)!
        case .studentEpochs: c.studentEpochs = Int(value)!
        case .hidden: c.hidden = value.split(separator: "x").map { Int($0)! }
        case .depth: c.hidden = Array(repeating: c.hidden[0], count: Int(value)!)
        case .initNoise: c.initNoise = Double(value)!
        case .inputs: c.inputs = StudentInputs(rawValue: value)!
        case .noiseSet: c.noiseImages = Int(value)!
        case .loss: c.loss = StudentLoss(rawValue: value)!
        case .dataset: c.dataset = value == "mnist" ? .mnist : .fashionMNIST
        case .chain: c.chain = Int(value)!
        }
    }

    /// Parses and applies `raw` (as a command-line option would).
    public func set(_ raw: String, in c: inout ProtocolConfig) throws {
        apply(try canonical(raw), to: &c)
    }

    /// The value as a number for a chart's x axis (nil for categorical values).
    public func number(_ value: String) -> Double? {
        switch self {
        case .inputs, .loss, .dataset: return nil
        case .hidden:
            let w = value.split(separator: "x").compactMap { Double($0) }
            return w.first
        default: return Double(value)
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
