import ArgumentParser
import Datasets
import Foundation

extension DataCommand {
    /// `subliminal data info`: counts, class balance, pixel ranges and an example of each split.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the splits: counts, per-class counts, pixel ranges and an example digit.",
            discussion: "Also reports how long decoding and normalizing the data took."
        )

        @OptionGroup var dataOptions: DataOptions

        @Option(help: "The example image to draw, by index in each split.")
        var index: Int = 0

        @Flag(help: "Draw the example with plain ASCII characters instead of Unicode shading.")
        var ascii = false

        @Flag(help: "Print the same information as JSON on stdout.")
        var json = false

        func validate() throws {
            guard index >= 0 else { throw ValidationError("--index must be 0 or more, not \(index)") }
        }

        func run() throws {
            let directory = try dataOptions.directory()
            let start = monotonicSeconds()
            let dataset = try MNISTDataset.load(from: directory)
            let loaded = monotonicSeconds()
            let splits = [("train", dataset.train), ("test", dataset.test)]
            let normalized = splits.map { $0.1.normalizedImages() }
            let finished = monotonicSeconds()

            var reports: [SplitReport] = []
            for ((name, split), values) in zip(splits, normalized) {
                guard index < split.count else {
                    throw CLIError("--index \(index) is out of range: the \(name) split has \(grouped(split.count)) images (0...\(split.count - 1))")
                }
                reports.append(SplitReport(name: name, split: split, normalized: values, exampleIndex: index, ascii: ascii))
            }
            let report = InfoReport(
                dataset: dataOptions.dataset.rawValue, directory: directory.path,
                decodeSeconds: loaded - start, normalizeSeconds: finished - loaded, splits: reports)
            if json {
                try printJSON(report)
            } else {
                print(report.text(ascii: ascii))
            }
        }
    }
}

/// What `data info` reports.
struct InfoReport: Codable {
    var dataset: String
    var directory: String
    /// Seconds to read, decompress and check the four files.
    var decodeSeconds: Double
    /// Seconds to normalize both splits to [-1, 1].
    var normalizeSeconds: Double
    var splits: [SplitReport]

    func text(ascii: Bool) -> String {
        let name = DatasetKind(rawValue: dataset)?.displayName ?? dataset
        var lines = ["\(name) in \(directory)"]
        lines.append(String(format: "decoded in %.3f s, normalized in %.3f s (%.3f s in all)",
                            decodeSeconds, normalizeSeconds, decodeSeconds + normalizeSeconds))
        for split in splits {
            lines.append("")
            lines += split.textLines(ascii: ascii)
        }
        return lines.joined(separator: "\n")
    }
}

/// What `data info` reports about one split.
struct SplitReport: Codable {
    struct Range: Codable {
        var min: Double
        var max: Double
    }

    struct Example: Codable {
        var index: Int
        var label: Int
        /// The image drawn row by row, two characters per pixel.
        var art: [String]
    }

    var name: String
    var count: Int
    var rows: Int
    var cols: Int
    var classCounts: [Int]
    var rawPixelRange: Range
    var normalizedPixelRange: Range
    var example: Example

    init(name: String, split: MNISTSplit, normalized: [Float], exampleIndex: Int, ascii: Bool) {
        self.name = name
        count = split.count
        rows = split.rows
        cols = split.cols
        classCounts = split.classCounts()
        let (rawMin, rawMax) = split.images.withUnsafeBufferPointer(extrema)
        rawPixelRange = Range(min: Double(rawMin), max: Double(rawMax))
        let (lowest, highest) = normalized.withUnsafeBufferPointer(extrema)
        normalizedPixelRange = Range(min: Double(lowest), max: Double(highest))
        let pixels = split.image(at: exampleIndex)
        example = Example(
            index: exampleIndex, label: Int(split.labels[exampleIndex]),
            art: DigitArt.lines(pixels, rows: split.rows, cols: split.cols, ascii: ascii))
    }

    func textLines(ascii: Bool) -> [String] {
        var lines = ["\(name): \(grouped(count)) images of \(rows)×\(cols) pixels"]
        let entries = classCounts.enumerated().map { "\($0.offset): \(grouped($0.element))" }
        let width = entries.map(\.count).max() ?? 0
        let classes = entries.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append("  per class    " + classes.prefix(5).joined(separator: "   "))
        lines.append("               " + classes.dropFirst(5).joined(separator: "   "))
        lines.append("  pixels       raw \(Int(rawPixelRange.min))...\(Int(rawPixelRange.max)), normalized "
                     + "\(format(normalizedPixelRange.min))...\(format(normalizedPixelRange.max))")
        lines.append("  example #\(example.index), label \(example.label):")
        lines += DigitArt.framed(example.art, ascii: ascii).map { "    " + $0 }
        return lines
    }

    private func format(_ value: Double) -> String { String(format: "%.4g", value) }
}

/// The smallest and largest element of a non-empty buffer.
private func extrema<T: Comparable>(_ buffer: UnsafeBufferPointer<T>) -> (T, T) {
    var low = buffer[0]
    var high = buffer[0]
    for value in buffer {
        if value < low { low = value }
        if value > high { high = value }
    }
    return (low, high)
}

/// Grey-scale images drawn with characters, two per pixel so that the picture keeps its
/// proportions in a terminal.
enum DigitArt {
    static let unicodeShades: [Character] = [" ", "░", "▒", "▓", "█"]
    static let asciiShades: [Character] = Array(" .:-=+*#%@")

    /// One string per row; 0 is blank and 255 the darkest shade.
    static func lines(_ pixels: ArraySlice<UInt8>, rows: Int, cols: Int, ascii: Bool) -> [String] {
        let shades = ascii ? asciiShades : unicodeShades
        let start = pixels.startIndex
        return (0..<rows).map { row in
            var line = ""
            for col in 0..<cols {
                let shade = shades[Int(pixels[start + row * cols + col]) * shades.count / 256]
                line.append(shade)
                line.append(shade)
            }
            return line
        }
    }

    /// The lines in a box.
    static func framed(_ lines: [String], ascii: Bool) -> [String] {
        let width = lines.first?.count ?? 0
        let (horizontal, vertical) = ascii ? ("-", "|") : ("─", "│")
        let (topLeft, topRight, bottomLeft, bottomRight) = ascii ? ("+", "+", "+", "+") : ("┌", "┐", "└", "┘")
        let rule = String(repeating: horizontal, count: width)
        return [topLeft + rule + topRight] + lines.map { vertical + $0 + vertical } + [bottomLeft + rule + bottomRight]
    }
}
