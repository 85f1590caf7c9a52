import Datasets
import MLP

/// MNIST-format data as the experiments use it: images normalized to [-1, 1] as Float32
/// matrices [N × 784], labels as bytes.
public struct ExperimentData: Sendable {
    public let trainImages: Matrix
    public let trainLabels: [UInt8]
    public let testImages: Matrix
    public let testLabels: [UInt8]
    public let directory: String

    public init(_ dataset: MNISTDataset) {
        trainImages = Matrix(rows: dataset.train.count, cols: dataset.train.pixelsPerImage, values: dataset.train.normalizedImages())
        trainLabels = dataset.train.labels
        testImages = Matrix(rows: dataset.test.count, cols: dataset.test.pixelsPerImage, values: dataset.test.normalizedImages())
        testLabels = dataset.test.labels
        directory = dataset.directory.path
    }

    public init(trainImages: Matrix, trainLabels: [UInt8], testImages: Matrix, testLabels: [UInt8], directory: String = "") {
        self.trainImages = trainImages
        self.trainLabels = trainLabels
        self.testImages = testImages
        self.testLabels = testLabels
        self.directory = directory
    }

    /// Test accuracy of argmax over the digit logits 0-9.
    public func testAccuracy(_ p: Parameters, workspace: TrainingWorkspace) -> Double {
        testLabels.withUnsafeBufferPointer { Network.accuracy(p, inputs: testImages.view, labels: $0.baseAddress!, subset: 0..<10, workspace: workspace) }
    }
}
