import Foundation

/// Order statistics and moments of a sample, for the theorem's aggregates.
public struct Distribution: Codable, Sendable, Equatable {
    public var n: Int
    public var mean: Double
    /// Population standard deviation (divides by n).
    public var std: Double
    /// 1.96 · std / √n.
    public var ci95: Double
    public var min: Double
    public var p05: Double
    public var median: Double
    public var p95: Double
    public var max: Double

    public init(_ values: [Double]) {
        let v = values.filter(\.isFinite).sorted()
        n = v.count
        guard n > 0 else {
            mean = 0; std = 0; ci95 = 0; min = 0; p05 = 0; median = 0; p95 = 0; max = 0
            return
        }
        let m = v.reduce(0, +) / Double(n)
        mean = m
        std = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n)).squareRoot()
        ci95 = 1.96 * std / Double(n).squareRoot()
        min = v[0]
        max = v[n - 1]
        p05 = Self.quantile(v, 0.05)
        median = Self.quantile(v, 0.5)
        p95 = Self.quantile(v, 0.95)
    }

    /// Linear interpolation between order statistics (R's type 7) of sorted values.
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * q
        let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}

/// Signs of a sample: how many values are > 0, exactly 0, < 0.
public struct SignCount: Codable, Sendable, Equatable {
    public var positive: Int
    public var zero: Int
    public var negative: Int
    public var fractionPositive: Double

    public init(_ values: [Double]) {
        positive = values.filter { $0 > 0 }.count
        zero = values.filter { $0 == 0 }.count
        negative = values.filter { $0 < 0 }.count
        fractionPositive = values.isEmpty ? 0 : Double(positive) / Double(values.count)
    }
}

/// Scientific formatting for the tables ("3.14e-05"), fixed for moderate magnitudes.
func sci(_ x: Double, _ digits: Int = 3) -> String {
    if !x.isFinite { return "\(x)" }
    if x == 0 { return "0" }
    if abs(x) >= 1e-2 && abs(x) < 1e4 { return String(format: "%.\(digits)g", x) }
    return String(format: "%.\(max(digits - 1, 0))e", x)
}
