import Datasets
import MLP

/// The data sets a protocol run may read, by kind: the teacher's task (training and test set)
/// and, for real-image student inputs, the source of those images.
public struct ProtocolData: Sendable {
    public let sets: [DatasetKind: ExperimentData]

    public init(_ sets: [DatasetKind: ExperimentData]) { self.sets = sets }

    public subscript(kind: DatasetKind) -> ExperimentData? { sets[kind] }

    /// The data set of `kind`, which ``check(_:)`` has verified is present.
    func required(_ kind: DatasetKind) -> ExperimentData {
        guard let d = sets[kind] else { preconditionFailure("ProtocolData: \(kind.displayName) is not loaded (call check(_:) first)") }
        return d
    }

    /// Throws unless every data set `config` reads is loaded and big enough for it.
    public func check(_ config: ProtocolConfig) throws {
        for kind in config.requiredDatasets.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let d = sets[kind] else {
                throw ConfigurationError(message: "the configuration needs \(kind.displayName) (dataset=\(config.dataset.rawValue), inputs=\(config.inputs.rawValue)), which is not loaded")
            }
            guard d.trainImages.cols == 784 && d.testImages.cols == 784 else {
                throw ConfigurationError(message: "\(kind.displayName) images must have 784 pixels, got \(d.trainImages.cols)")
            }
        }
        if let source = config.inputSource, let d = sets[source], config.noiseImages > d.trainImages.rows {
            throw ConfigurationError(message: "noise-set \(config.noiseImages) exceeds the \(d.trainImages.rows) \(source.displayName) training images that inputs=\(config.inputs.rawValue) draws from")
        }
    }
}
