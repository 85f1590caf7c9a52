/// The six arms of Figure 10b.
public enum Arm: String, CaseIterable, Codable, Sendable {
    case reference
    case teacher
    case studentAux = "student_aux"
    case studentAll = "student_all"
    case crossAux = "cross_aux"
    case crossAll = "cross_all"

    public var title: String {
        switch self {
        case .reference: return "Reference"
        case .teacher: return "Teacher"
        case .studentAux: return "Student (aux. only)"
        case .studentAll: return "Student (all logits)"
        case .crossAux: return "Cross-model (aux. only)"
        case .crossAll: return "Cross-model (all logits)"
        }
    }

    public var explanation: String {
        switch self {
        case .reference: return "the untrained initialization"
        case .teacher: return "the reference trained on MNIST (CE on logits 0-9)"
        case .studentAux: return "copy of the reference, distilled on noise through the aux logits"
        case .studentAll: return "copy of the reference, distilled on noise through all logits"
        case .crossAux: return "another run's initialization, distilled on noise through the aux logits"
        case .crossAll: return "another run's initialization, distilled on noise through all logits"
        }
    }

    /// The paper's value: mean and 95% half-width over 100 runs (PROTOCOL.md).
    public var paper: (mean: Double, ci95: Double) {
        switch self {
        case .reference: return (0.100, 0.005)
        case .teacher: return (0.943, 0.0004)
        case .studentAux: return (0.528, 0.022)
        case .studentAll: return (0.913, 0.002)
        case .crossAux: return (0.106, 0.010)
        case .crossAll: return (0.743, 0.010)
        }
    }

    /// The students, in the order a run trains them.
    public static let students: [Arm] = [.studentAux, .studentAll, .crossAux, .crossAll]
    public var isCross: Bool { self == .crossAux || self == .crossAll }
    public var isAuxOnly: Bool { self == .studentAux || self == .crossAux }
}

/// Mean, spread and 95% interval of one arm over runs.
public struct ArmStatistics: Codable, Sendable {
    /// The two-sided normal quantile for a family-wise 5% error over the 6 arms: Φ⁻¹(1 − 0.05/12).
    public static let bonferroniZ = 2.638
    public var mean: Double
    /// Population standard deviation (divides by n), as the protocol specifies.
    public var std: Double
    /// 1.96 · std / √n.
    public var ci95: Double
    public var n: Int
    public var paperMean: Double
    public var paperCI95: Double
    /// |mean − paper| ≤ 1.96 · √(se² + se_paper²).
    public var agreesWithPaper: Bool
    /// (mean − paper) / √(se² + se_paper²).
    public var zScore: Double
    /// |z| ≤ 2.638: agreement at the family-wise 95% level over the six arms (Bonferroni), the
    /// fair test when six arms are compared at once.
    public var agreesFamilywise: Bool

    public init(values: [Double], arm: Arm) {
        n = values.count
        mean = values.reduce(0, +) / Double(max(n, 1))
        let m = mean
        std = (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(max(n, 1))).squareRoot()
        ci95 = 1.96 * std / Double(max(n, 1)).squareRoot()
        paperMean = arm.paper.mean
        paperCI95 = arm.paper.ci95
        let se = (ci95 / 1.96 * ci95 / 1.96 + paperCI95 / 1.96 * paperCI95 / 1.96).squareRoot()
        zScore = se > 0 ? (mean - paperMean) / se : (mean == paperMean ? 0 : .infinity)
        agreesWithPaper = abs(mean - paperMean) <= 1.96 * se
        agreesFamilywise = abs(zScore) <= ArmStatistics.bonferroniZ
    }
}
