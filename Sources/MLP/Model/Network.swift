/// The shape of a multilayer perceptron: `inputs → hidden[0] → … → outputs`, ReLU after each
/// hidden layer, none after the last. The paper's is 784 → 256 → 256 → 13.
public struct Architecture: Sendable, Hashable, Codable, CustomStringConvertible {
    public let inputs: Int
    public let hidden: [Int]
    public let outputs: Int

    public init(inputs: Int, hidden: [Int], outputs: Int) {
        precondition(inputs > 0 && outputs > 0 && hidden.allSatisfy { $0 > 0 }, "Architecture: widths must be positive")
        self.inputs = inputs
        self.hidden = hidden
        self.outputs = outputs
    }

    /// The paper's MNIST MLP with `auxiliary` extra logits: 784 → 256 → 256 → 10 + m.
    public static func paper(auxiliaryLogits: Int = 3) -> Architecture {
        Architecture(inputs: 784, hidden: [256, 256], outputs: 10 + auxiliaryLogits)
    }

    /// Layer widths including input and output: [784, 256, 256, 13].
    public var widths: [Int] { [inputs] + hidden + [outputs] }
    public var layerCount: Int { hidden.count + 1 }

    /// (fan-in, fan-out) of each Linear layer.
    public var layers: [(inFeatures: Int, outFeatures: Int)] {
        let w = widths
        return (0..<layerCount).map { (w[$0], w[$0 + 1]) }
    }

    /// Offsets of each layer's weight [out × in] and bias [out] in the flat parameter vector.
    public var offsets: [(weight: Int, bias: Int)] {
        var o = 0
        return layers.map { l in
            let w = o
            o += l.inFeatures * l.outFeatures
            let b = o
            o += l.outFeatures
            return (w, b)
        }
    }

    public var parameterCount: Int { layers.reduce(0) { $0 + $1.inFeatures * $1.outFeatures + $1.outFeatures } }

    /// Multiply-add FLOPs (2 per multiply-add) of one sample's forward pass.
    public var forwardFLOPs: Int { layers.reduce(0) { $0 + 2 * $1.inFeatures * $1.outFeatures } }
    /// FLOPs of one sample's backward pass: every weight gradient, and every input gradient
    /// except the first layer's (nothing needs the gradient of the data).
    public var backwardFLOPs: Int {
        layers.enumerated().reduce(0) { acc, e in acc + 2 * e.element.inFeatures * e.element.outFeatures * (e.offset == 0 ? 1 : 2) }
    }
    public var trainingFLOPsPerSample: Int { forwardFLOPs + backwardFLOPs }

    public var description: String { widths.map(String.init).joined(separator: "-") }
}

/// All parameters of an MLP in one flat, aligned vector (layer by layer: W then b), so that
/// optimizers, inner products and copies are single loops over memory.
public struct Parameters: Sendable {
    public let architecture: Architecture
    public var values: FloatBuffer

    /// All zeros.
    public init(architecture: Architecture) {
        self.architecture = architecture
        values = FloatBuffer(count: architecture.parameterCount)
    }

    /// The protocol's initialization: every weight ~ Normal(0, 1/√fan_in), every bias 0, drawn
    /// from the stream (seed, run, .initialization) in layer order, row-major.
    public static func initialized(_ architecture: Architecture, seed: UInt64, run: Int) -> Parameters {
        var p = Parameters(architecture: architecture)
        var rng = RandomStream(seed: seed, run: run, purpose: .initialization)
        let v = p.values.mutablePointer
        for (l, o) in zip(architecture.layers, architecture.offsets) {
            let std = 1 / Double(l.inFeatures).squareRoot()
            for i in 0..<(l.inFeatures * l.outFeatures) { v[o.weight + i] = Float(rng.nextNormal() * std) }
        }
        return p
    }

    /// The same network with fewer outputs: the first `architecture.outputs` rows of the last
    /// layer's weights and biases, everything else unchanged. `architecture` must differ from
    /// this one only by a smaller output width.
    public func narrowed(to architecture: Architecture) -> Parameters {
        let mine = self.architecture
        precondition(architecture.inputs == mine.inputs && architecture.hidden == mine.hidden && architecture.outputs <= mine.outputs,
                     "Parameters.narrowed: \(architecture) is not \(mine) with fewer outputs")
        var q = Parameters(architecture: architecture)
        let dst = q.values.mutablePointer
        for (l, (o, oq)) in zip(mine.offsets, architecture.offsets).enumerated() {
            let shape = architecture.layers[l]
            // Row-major [out × in]: the first rows of the last layer are its first outputs.
            (dst + oq.weight).update(from: values.pointer + o.weight, count: shape.outFeatures * shape.inFeatures)
            (dst + oq.bias).update(from: values.pointer + o.bias, count: shape.outFeatures)
        }
        return q
    }

    public var count: Int { values.count }
    public func weight(_ layer: Int) -> UnsafePointer<Float> { values.pointer + architecture.offsets[layer].weight }
    public func bias(_ layer: Int) -> UnsafePointer<Float> { values.pointer + architecture.offsets[layer].bias }

    /// True when every parameter is bit-identical.
    public func bitwiseEqual(_ other: Parameters) -> Bool {
        guard architecture == other.architecture else { return false }
        for i in 0..<count where values.pointer[i].bitPattern != other.values.pointer[i].bitPattern { return false }
        return true
    }
}
