import ArgumentParser
import Experiments
import Foundation
import MLP

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the FMA peak, SGEMM at the MLP's shapes, and training-step throughput.",
        discussion: """
            Every figure is timed on this machine: the fp32 FMA peak per core (the yardstick), \
            the micro-kernel alone (operands in L1, B from L2, tiles merged into an L3-sized C), \
            SGEMM GFLOP/s and percent of peak for each product of a training step, and samples per \
            second of a teacher step and a student step (with and without the frozen teacher's \
            forward pass) on 1 and 2 threads (2 threads = two independent runs side by side; \
            'one run' = a single run whose passes are split among the threads), and the teacher \
            step split into its phases (each layer's forward and backward, the loss, Adam), on one \
            thread and as one run on more. Steps draw shuffled minibatches from a 60,000-row set, as a run does. The \
            whole suite runs --rounds times, interleaved, and each figure keeps its best round. \
            Build in release mode: `swift build -c release`.
            """
    )

    @Option(help: "Batch size of the training steps and of the SGEMM shapes.")
    var batch: Int = 1024

    @Option(help: "Thread counts to measure, comma-separated, each at most the CPUs this process may use (default: 1,2, or 1 on one CPU).")
    var threads: String?

    @Option(help: "Minimum seconds per timed repetition (more is steadier).")
    var seconds: Double = 0.3

    @Option(help: "Measure the whole suite this many times, interleaved, and keep each figure's best round (a shared host's load comes and goes).")
    var rounds: Int = 3

    @Option(help: "Only the measurements whose name contains this text (e.g. 'micro-kernel', 'sgemm', 'teacher', 'one run', 'layer1', 'phase'); the FMA peak always runs.")
    var filter: String?

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    func validate() throws {
        guard batch > 0 && batch <= 65536 else { throw ValidationError("--batch must be in 1...65536, got \(batch)") }
        guard rounds >= 1 && rounds <= 100 else { throw ValidationError("--rounds must be in 1...100, got \(rounds)") }
        guard seconds > 0 && seconds <= 60 else { throw ValidationError("--seconds must be in (0, 60], got \(seconds)") }
        guard let counts = parsedThreads else { throw ValidationError("--threads must be positive integers separated by commas, got '\(threads ?? "")'") }
        // More threads than CPUs would time-share them: a thread's best repetition could fall in
        // a slice when it had a core alone, and the aggregate would count cores that are not there.
        if let over = counts.first(where: { $0 > Parallel.availableCores }) {
            throw ValidationError("--threads \(over): this process may use \(Parallel.availableCores) CPU(s); measure at most that many threads")
        }
        // A filter that matches nothing would silently measure the FMA peak alone.
        if let filter {
            let names = ["fma_peak"] + BenchmarkReport.filterableNames(Benchmark(architecture: .paper(), batch: batch))
            guard names.contains(where: { $0.contains(filter) }) else {
                throw ValidationError("--filter '\(filter)' matches no measurement; their names are: \(names.joined(separator: "; "))")
            }
        }
    }

    /// The thread counts to measure: --threads, or 1 and 2 (just 1 where only one CPU is allowed).
    var parsedThreads: [Int]? {
        guard let threads else { return Parallel.availableCores >= 2 ? [1, 2] : [1] }
        let parts = threads.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= 256 }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        #if DEBUG
        FileHandle.standardError.write("warning: this is a debug build; its timings mean nothing. Use `swift run -c release subliminal bench`.\n".data(using: .utf8)!)
        #endif
        let bench = Benchmark(minimumSeconds: seconds, architecture: .paper(), batch: batch)
        let report = BenchmarkReport.run(bench, threadCounts: parsedThreads!, rounds: rounds, filter: filter) { message in
            FileHandle.standardError.write("bench: \(message)\n".data(using: .utf8)!)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(data: try encoder.encode(report), encoding: .utf8)!)
        } else {
            print(report.table)
        }
    }
}
