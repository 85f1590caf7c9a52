import Datasets
import MLP

/// One varied knob and its values (canonically spelled, in the order given).
public struct SweepAxis: Codable, Equatable, Sendable {
    public var knob: Knob
    public var values: [String]

    public init(knob: Knob, values: [String]) {
        self.knob = knob
        self.values = values
    }

    /// Parses `KNOB=v1,v2,…` (or `KNOB=v1;v2;…`: when the list contains a semicolon, values are
    /// separated by semicolons, so that `hidden=64,64;256,256` works too).
    public static func parse(_ text: String) throws -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw ConfigurationError(message: "--vary '\(text)': expected KNOB=v1,v2,… (e.g. aux=1,2,3,5,10); knobs: \(Knob.validNames)")
        }
        let name = String(text[..<eq]).trimmingWhitespace()
        guard let knob = Knob.named(name) else {
            throw ConfigurationError(message: "--vary: unknown knob '\(name)'; valid knobs: \(Knob.validNames)")
        }
        let list = String(text[text.index(after: eq)...])
        let separator: Character = list.contains(";") ? ";" : ","
        var raw = list.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        if separator == ";" && raw.last?.trimmingWhitespace() == "" { raw.removeLast() }   // a trailing ';'
        var values: [String] = []
        for r in raw {
            guard !r.trimmingWhitespace().isEmpty else {
                throw ConfigurationError(message: "--vary \(knob.rawValue): empty value in '\(list)'; expected \(knob.validValues)")
            }
            var v: String
            if knob == .hidden && separator == ";" {
                v = r.replacingAll(",", "x")
            } else {
                v = r
            }
            do { v = try knob.canonical(v) } catch let e as ConfigurationError { throw ConfigurationError(message: "--vary " + e.message) }
            guard !values.contains(v) else {
                let hint = knob == .hidden ? " (the widths of one value are joined by x: hidden=64x64,256x256)" : ""
                throw ConfigurationError(message: "--vary \(knob.rawValue): value \(v) is given twice\(hint)")
            }
            values.append(v)
        }
        return SweepAxis(knob: knob, values: values)
    }
}

/// One configuration of a sweep: the value of each axis, and the resulting protocol.
public struct SweepPoint: Sendable {
    public var index: Int
    /// The value of each axis of the spec, in axis order.
    public var values: [String]
    public var config: ProtocolConfig
}

/// What a sweep computes: the base protocol (runs, seed and every fixed knob) and the varied
/// knobs. Its points are the cross product of the axes (the first axis outermost); its jobs are
/// (point, run) for every point and run 0..<runs.
public struct SweepSpec: Codable, Equatable, Sendable {
    public var base: ProtocolConfig
    public var axes: [SweepAxis]

    /// At most this many configurations per sweep.
    public static let maxPoints = 10_000

    /// Validates the spec: distinct knobs, every point a valid configuration.
    public init(base: ProtocolConfig, axes: [SweepAxis]) throws {
        self.base = base
        self.axes = axes
        try validate()
    }

    /// Parses `--vary` arguments.
    public static func parse(_ vary: [String], base: ProtocolConfig) throws -> SweepSpec {
        guard !vary.isEmpty else {
            throw ConfigurationError(message: "give at least one --vary KNOB=v1,v2,… (knobs: \(Knob.validNames))")
        }
        return try SweepSpec(base: base, axes: vary.map(SweepAxis.parse))
    }

    public func validate() throws {
        try base.validate()
        guard !axes.isEmpty else { throw ConfigurationError(message: "a sweep needs at least one varied knob") }
        var seen: Set<Knob> = []
        for a in axes {
            guard !a.values.isEmpty else { throw ConfigurationError(message: "--vary \(a.knob.rawValue): no values") }
            guard seen.insert(a.knob).inserted else { throw ConfigurationError(message: "--vary \(a.knob.rawValue) is given twice; list all its values in one --vary") }
            for v in a.values { _ = try a.knob.canonical(v) }
        }
        let count = axes.reduce(1) { $0 * $1.values.count }
        guard count <= Self.maxPoints else { throw ConfigurationError(message: "the sweep has \(count) configurations; at most \(Self.maxPoints)") }
        for p in points {
            do { try p.config.validate() } catch let e as ConfigurationError {
                throw ConfigurationError(message: "configuration \(describe(p)): \(e.message)")
            }
        }
    }

    public var runs: Int { base.runs }
    public var seed: UInt64 { base.seed }
    public var knobs: [Knob] { axes.map(\.knob) }

    /// A short name: the varied knobs joined by "-", e.g. "aux" or "aux-lr".
    public var name: String { axes.map(\.knob.rawValue).joined(separator: "-") }

    /// The cross product of the axes, the first axis outermost. Knobs are applied in
    /// ``Knob`` order (hidden before depth), whatever the order of the axes.
    public var points: [SweepPoint] {
        var combos: [[String]] = [[]]
        for a in axes { combos = combos.flatMap { c in a.values.map { c + [$0] } } }
        let applyOrder = axes.indices.sorted { axes[$0].knob < axes[$1].knob }
        return combos.enumerated().map { i, values in
            var c = base
            for k in applyOrder { axes[k].knob.apply(values[k], to: &c) }
            return SweepPoint(index: i, values: values, config: c)
        }
    }

    /// "aux=3, lr=0.001"
    public func describe(_ p: SweepPoint) -> String { describe(values: p.values) }
    public func describe(values: [String]) -> String {
        zip(axes, values).map { "\($0.knob.rawValue)=\($1)" }.joined(separator: ", ")
    }

    /// Every data set some point reads.
    public var requiredDatasets: Set<DatasetKind> { points.reduce(into: Set()) { $0.formUnion($1.config.requiredDatasets) } }
}

/// `--shard i/n`: the i-th of n parts of a sweep (1 ≤ i ≤ n).
public struct Shard: Codable, Equatable, Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 && count <= 100_000 && index >= 1 && index <= count else {
            throw ConfigurationError(message: "--shard: expected i/n with 1 ≤ i ≤ n ≤ 100000, got \(index)/\(count)")
        }
        self.index = index
        self.count = count
    }

    public static func parse(_ text: String) throws -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(String(parts[0]).trimmingWhitespace()), let n = Int(String(parts[1]).trimmingWhitespace()) else {
            throw ConfigurationError(message: "--shard: expected i/n (e.g. 2/8: the second of 8 shards, 1 ≤ i ≤ n), got '\(text)'")
        }
        return try Shard(index: i, count: n)
    }

    public var description: String { "\(index)/\(count)" }
    /// The name of the shard's log file.
    public var logName: String { "shard-\(index)-of-\(count).log.jsonl" }
}

/// A (point, run) job.
public struct SweepJobID: Hashable, Codable, Comparable, Sendable {
    public var point: Int
    public var run: Int
    public init(point: Int, run: Int) { self.point = point; self.run = run }
    public static func < (a: SweepJobID, b: SweepJobID) -> Bool { (a.point, a.run) < (b.point, b.run) }
}

/// A unit of work: one run of the points that share its teacher (with sharing off: one point).
public struct SweepTask: Sendable {
    public var index: Int
    public var run: Int
    public var points: [Int]
    /// Estimated training FLOPs (for balancing shards and threads).
    public var cost: Double

    public var jobs: [SweepJobID] { points.map { SweepJobID(point: $0, run: run) } }
}

/// How a sweep's jobs are grouped into tasks and tasks into shards. A pure function of the
/// spec and the sharing switch, so every shard computes the same plan.
public struct SweepPlan: Sendable {
    public let spec: SweepSpec
    public let points: [SweepPoint]
    public let share: Bool
    /// For run r (outer) and each teacher group in order of first appearance (inner).
    public let tasks: [SweepTask]

    /// The training-set size assumed by the cost estimate (MNIST and Fashion-MNIST: 60,000).
    static let assumedTrainExamples = 60_000

    public init(spec: SweepSpec, share: Bool) {
        self.spec = spec
        self.share = share
        let points = spec.points
        self.points = points
        var groups: [[Int]] = []
        if share {
            var byTeacher: [ProtocolConfig: Int] = [:]
            for p in points {
                let k = p.config.teacherKey
                if let g = byTeacher[k] { groups[g].append(p.index) } else { byTeacher[k] = groups.count; groups.append([p.index]) }
            }
        } else {
            groups = points.map { [$0.index] }
        }
        let groupCosts = groups.map { g in Double(Reproduction.taskSteps(configs: g.map { points[$0].config }, trainExamples: Self.assumedTrainExamples).flops) }
        var tasks: [SweepTask] = []
        for r in 0..<spec.runs {
            for (g, members) in groups.enumerated() {
                tasks.append(SweepTask(index: tasks.count, run: r, points: members, cost: groupCosts[g]))
            }
        }
        self.tasks = tasks
    }

    public var jobCount: Int { points.count * spec.runs }

    /// Tasks by shard: longest-processing-time-first assignment (tasks by decreasing cost, each
    /// to the least loaded shard, ties to the lowest index).
    public func assignment(shards n: Int) -> [[SweepTask]] {
        var load = [Double](repeating: 0, count: n)
        var out = [[SweepTask]](repeating: [], count: n)
        let order = tasks.sorted { $0.cost != $1.cost ? $0.cost > $1.cost : $0.index < $1.index }
        for t in order {
            var best = 0
            for s in 1..<n where load[s] < load[best] { best = s }
            load[best] += t.cost
            out[best].append(t)
        }
        return out.map { $0.sorted { $0.index < $1.index } }
    }

    /// The tasks of one shard (all tasks when `shard` is nil).
    public func tasks(for shard: Shard?) -> [SweepTask] {
        guard let shard else { return tasks }
        return assignment(shards: shard.count)[shard.index - 1]
    }
}
