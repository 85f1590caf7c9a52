import Foundation

/// `subliminal sweep merge DIR…`: combines the logs of a sweep's shards (or of an unsharded run)
/// into its results, refusing logs of different sweeps, duplicated jobs and missing jobs.
public enum SweepMerge {
    public struct Merged {
        public var header: SweepLogHeader
        public var results: [SweepJobID: RunResult]
        /// The log files read, in order.
        public var logs: [String]
        public var kernels: [String]

        public var summary: SweepSummary { SweepSummary(header: header, results: results, kernels: kernels) }
    }

    /// The sweep logs in `paths`: a directory contributes its `*.log.jsonl` files (sorted by name),
    /// a file itself.
    public static func logFiles(_ paths: [URL]) throws -> [URL] {
        var files: [URL] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p.path, isDirectory: &isDir) else {
                throw FileError(message: "\(p.path) does not exist")
            }
            if isDir.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: p.path).filter { $0.hasSuffix(".log.jsonl") }.sorted()
                guard !names.isEmpty else {
                    throw FileError(message: "\(p.path) holds no sweep logs (*.log.jsonl); give the --out directories of the shards")
                }
                files += names.map { p.appendingPathComponent($0) }
            } else {
                files.append(p)
            }
        }
        var seen: Set<String> = []
        for f in files where !seen.insert(f.standardizedFileURL.path).inserted {
            throw FileError(message: "\(f.path) is given twice")
        }
        return files
    }

    /// Reads and checks every log; throws unless they are shards of one sweep that together hold
    /// every job exactly once. `allowMixedKernels` accepts logs computed with different GEMM
    /// kernels (whose results are then not bit-identical to any single machine's).
    public static func load(_ paths: [URL], allowMixedKernels: Bool = false) throws -> Merged {
        let files = try logFiles(paths)
        guard !files.isEmpty else { throw FileError(message: "no sweep logs given") }
        let decoder = JSONDecoder()
        var reference: (header: SweepLogHeader, file: String)?
        var results: [SweepJobID: RunResult] = [:]
        var origin: [SweepJobID: String] = [:]
        var kernels: Set<String> = []
        var shardsSeen: [Shard?] = []
        for file in files {
            let lines = try JSONLinesLog.readLines(file)
            guard let first = lines.first, let header = try? decoder.decode(SweepLogHeader.self, from: first), header.kind == "header",
                  header.tool == "subliminal sweep" else {
                throw FileError(message: "\(file.path) is not a sweep log (its first line is not a sweep header)")
            }
            if let ref = reference {
                var a = ref.header, b = header
                if allowMixedKernels { a.kernel = ""; b.kernel = "" }
                if let why = difference(a, b, checkShard: false) {
                    throw FileError(message: "cannot merge \(file.path) with \(ref.file): \(why)")
                }
            } else {
                reference = (header, file.path)
            }
            kernels.insert(header.kernel)
            shardsSeen.append(header.shard)
            let spec = header.spec
            let points = spec.points
            for (n, line) in lines.dropFirst().enumerated() {
                guard let rec = try? decoder.decode(SweepLogRecord.self, from: line), rec.kind == "job" else {
                    throw FileError(message: "\(file.path), line \(n + 2): not a job record")
                }
                guard (0..<points.count).contains(rec.point), (0..<spec.runs).contains(rec.run), rec.result.run == rec.run else {
                    throw FileError(message: "\(file.path), line \(n + 2): job (point \(rec.point), run \(rec.run)) is outside the sweep (\(points.count) configurations × \(spec.runs) runs)")
                }
                let p = points[rec.point]
                var expected: [String: String] = [:]
                for (a, v) in zip(spec.axes, p.values) { expected[a.knob.rawValue] = v }
                guard rec.values == expected else {
                    throw FileError(message: "\(file.path), line \(n + 2): point \(rec.point) should be \(spec.describe(p)), the record says \(rec.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))")
                }
                let id = SweepJobID(point: rec.point, run: rec.run)
                if let other = origin[id] {
                    let whereFrom = other == file.path ? "twice in \(file.path)" : "in both \(other) and \(file.path)"
                    throw FileError(message: "job (\(spec.describe(p)), run \(rec.run)) appears \(whereFrom): each job must be computed by exactly one shard; remove the duplicate log")
                }
                origin[id] = file.path
                results[id] = rec.result
            }
        }
        let header = reference!.header
        let total = header.spec.points.count * header.spec.runs
        if results.count != total {
            let points = header.spec.points
            var missing: [SweepJobID] = []
            for p in points { for r in 0..<header.spec.runs where results[SweepJobID(point: p.index, run: r)] == nil { missing.append(SweepJobID(point: p.index, run: r)) } }
            let examples = missing.prefix(3).map { "(\(header.spec.describe(points[$0.point])), run \($0.run))" }.joined(separator: ", ")
            var hint = ""
            let counts = Set(shardsSeen.compactMap { $0?.count })
            if counts.count == 1, let n = counts.first {
                let present = Set(shardsSeen.compactMap { $0?.index })
                let absent = (1...n).filter { !present.contains($0) }
                if !absent.isEmpty { hint = "; no log of shard" + (absent.count > 1 ? "s " : " ") + absent.prefix(10).map { "\($0)/\(n)" }.joined(separator: ", ") }
            }
            throw FileError(message: "cannot merge: \(missing.count) of \(total) jobs are missing, e.g. \(examples)\(hint) (a shard may be unfinished: rerun it with --resume)")
        }
        return Merged(header: header, results: results, logs: files.map(\.path), kernels: kernels.sorted())
    }

    /// Why two logs cannot belong to one sweep (nil: they can).
    static func difference(_ a: SweepLogHeader, _ b: SweepLogHeader, checkShard: Bool) -> String? {
        if a.version != b.version { return "computed by subliminal \(a.version) and \(b.version)" }
        if a.spec.axes != b.spec.axes {
            return "different varied knobs: \(describe(a.spec.axes)) vs \(describe(b.spec.axes))"
        }
        if a.spec.base != b.spec.base {
            return "different configurations: \(configDifference(a.spec.base, b.spec.base))"
        }
        if a.data != b.data { return "computed on different data files (SHA-256 differ)" }
        if a.kernel != b.kernel {
            return "computed with different GEMM kernels (\(a.kernel) vs \(b.kernel)), so results may differ in the last bits; rebuild with the same target (or SUBLIMINAL_PORTABLE=1), or pass --allow-mixed-kernels"
        }
        if checkShard && a.shard != b.shard {
            return "it belongs to shard \(a.shard?.description ?? "none"), not \(b.shard?.description ?? "none")"
        }
        return nil
    }

    static func describe(_ axes: [SweepAxis]) -> String {
        axes.map { "\($0.knob.rawValue)=\($0.values.joined(separator: ","))" }.joined(separator: " ")
    }

    /// "runs 10 vs 20, lr 0.0003 vs 0.001"
    static func configDifference(_ a: ProtocolConfig, _ b: ProtocolConfig) -> String {
        var parts: [String] = []
        if a.runs != b.runs { parts.append("runs \(a.runs) vs \(b.runs)") }
        if a.seed != b.seed { parts.append("seed \(a.seed) vs \(b.seed)") }
        for k in Knob.allCases where k.value(in: a) != k.value(in: b) && k != .depth {
            parts.append("\(k.rawValue) \(k.value(in: a)) vs \(k.value(in: b))")
        }
        return parts.isEmpty ? "the protocols differ" : parts.joined(separator: ", ")
    }
}
