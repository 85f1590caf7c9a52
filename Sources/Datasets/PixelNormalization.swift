import Dispatch
import Foundation

/// The protocol's input normalization: a pixel `p` in 0...255 becomes
/// `Float((Float(p) / 255 - 0.5) / 0.5)`, computed in single precision, which lies in [-1, 1]
/// (0 ↦ -1, 255 ↦ 1).
///
/// This is PyTorch's `ToTensor()` followed by `Normalize((0.5,), (0.5,))`, operation for
/// operation, so the values are bit-for-bit those of the reference implementation. Only 256
/// inputs exist, so they are computed once into a table.
public enum PixelNormalization {
    /// The normalized value of every pixel value, indexed by the pixel.
    public static let table: [Float] = (0...255).map { pixel in
        let scaled: Float = Float(pixel) / 255
        let centered: Float = scaled - 0.5
        return centered / 0.5
    }

    /// The normalized value of one pixel.
    @inlinable
    public static func normalize(_ pixel: UInt8) -> Float { table[Int(pixel)] }

    /// Normalizes `pixels` into `output`, which must have room for `pixels.count` values.
    public static func normalize(_ pixels: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= pixels.count, "the output buffer is too small")
        table.withUnsafeBufferPointer { table in
            let table = table.baseAddress!
            let source = pixels.baseAddress
            let destination = output.baseAddress
            for index in 0..<pixels.count {
                destination.unsafelyUnwrapped[index] = table[Int(source.unsafelyUnwrapped[index])]
            }
        }
    }

    /// The normalized values of `pixels`, in order.
    ///
    /// Large arrays (a million pixels or more) are split across the processor's cores: the work
    /// is mostly writing four bytes per pixel to fresh memory.
    public static func normalize(_ pixels: [UInt8]) -> [Float] {
        [Float](unsafeUninitializedCapacity: pixels.count) { output, initialized in
            pixels.withUnsafeBufferPointer { input in
                let parts = input.count >= 1 << 20 ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) : 1
                if parts == 1 {
                    normalize(input, into: output)
                    return
                }
                let buffers = SendableBuffers(input: input, output: output)
                let chunk = (input.count + parts - 1) / parts
                DispatchQueue.concurrentPerform(iterations: parts) { part in
                    let range = min(part * chunk, buffers.input.count) ..< min((part + 1) * chunk, buffers.input.count)
                    normalize(UnsafeBufferPointer(rebasing: buffers.input[range]),
                              into: UnsafeMutableBufferPointer(rebasing: buffers.output[range]))
                }
            }
            initialized = pixels.count
        }
    }
}

/// Buffers shared by the threads of one normalization, each writing its own part of `output`.
private struct SendableBuffers: @unchecked Sendable {
    let input: UnsafeBufferPointer<UInt8>
    let output: UnsafeMutableBufferPointer<Float>
}
