import MLP

/// Every knob of the Figure 10b protocol (`../shared/PROTOCOL.md`); the defaults are the paper's.
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
    /// Noise images per run (one fixed set, shared by all of the run's students).
    public var noiseImages: Int = 60_000

    public init() {}

    public var architecture: Architecture { Architecture(inputs: 784, hidden: hidden, outputs: 10 + aux) }
    public var auxSubset: Range<Int> { 10..<(10 + aux) }
    public var allSubset: Range<Int> { 0..<(10 + aux) }

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
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
