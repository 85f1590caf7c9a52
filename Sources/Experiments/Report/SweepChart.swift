import Foundation

/// Accuracy against the values of one knob of a sweep: numeric knobs as a ``LineChart`` (one
/// line per arm, its 95% band shaded), named values (inputs, loss, dataset) as a
/// ``CategoryChart``; a dashed line at chance (0.1). With several varied knobs, one panel per
/// combination of the other knobs' values.
public enum SweepChart {
    /// Colors and dashes of the six arms.
    static func style(_ arm: Arm) -> (color: String, dash: String?) {
        switch arm {
        case .reference: return ("#8c8c8c", "2,3")
        case .teacher: return ("#37474f", nil)
        case .studentAux: return ("#2166ac", nil)
        case .studentAll: return ("#67a9cf", "7,4")
        case .crossAux: return ("#d6604d", nil)
        case .crossAll: return ("#f4a582", "7,4")
        }
    }

    static let chance = LineChart.ReferenceLine(y: 0.1, label: "chance (0.1)", color: "#666")

    /// The SVG of knob `axis` of `summary`.
    public static func svg(_ summary: SweepSummary, axis: Int) -> String {
        let spec = summary.spec
        let knob = spec.axes[axis].knob
        let values = spec.axes[axis].values
        let others = spec.axes.indices.filter { $0 != axis }
        // Panels: one per combination of the other axes' values (at most 12 drawn).
        var panels: [[Int: String]] = [[:]]
        for o in others { panels = panels.flatMap { p in spec.axes[o].values.map { var q = p; q[o] = $0; return q } } }
        let drawn = Array(panels.prefix(12))
        let numbers = values.map { knob.number($0) }
        let numeric = !knob.isCategorical && numbers.allSatisfy { $0 != nil } && Set(numbers.map { $0! }).count == values.count
            && !(knob == .hidden && Set(values.map { $0.split(separator: "x").count }).count > 1)
        let xs = numbers.compactMap { $0 }
        let logX = numeric && xs.allSatisfy { $0 > 0 } && (xs.max()! / xs.min()! >= 16)
        let xLabel = knob.rawValue + (knob == .hidden ? " (width of each hidden layer)" : "") + (logX ? " (log scale)" : "")
        let title = "Test accuracy vs \(knob.rawValue), \(spec.runs) runs per value (mean, 95% band)"

        func point(_ panel: [Int: String], _ value: String) -> SweepPointSummary? {
            summary.points.first { p in
                spec.axes.indices.allSatisfy { a in a == axis ? p.value(spec.axes[a].knob) == value : p.value(spec.axes[a].knob) == panel[a] }
            }
        }
        func panelTitle(_ panel: [Int: String]) -> String {
            others.map { "\(spec.axes[$0].knob.rawValue)=\(panel[$0]!)" }.joined(separator: ", ")
        }
        if numeric {
            func chart(_ panel: [Int: String], legend: LineChart.LegendPosition) -> LineChart {
                let series = Arm.allCases.map { arm -> LineChart.Series in
                    let st = style(arm)
                    let pts = values.compactMap { v -> LineChart.Point? in
                        guard let p = point(panel, v), let s = p.arms[arm.rawValue] else { return nil }
                        return LineChart.Point(x: knob.number(v)!, y: s.mean, low: s.mean - s.ci95, high: s.mean + s.ci95)
                    }
                    return LineChart.Series(name: arm.title, color: st.color, points: pts, dash: st.dash, markers: true,
                                            lineWidth: arm == .reference ? 1.5 : 2)
                }
                let xr = xs.min()! == xs.max()! ? nil : xs.min()!...xs.max()!
                return LineChart(title: panel.isEmpty ? "" : panelTitle(panel), xLabel: xLabel, yLabel: "test accuracy",
                                 series: series, logX: logX, xRange: xr, yRange: 0...1, referenceLines: [chance], legend: legend)
            }
            if others.isEmpty {
                var c = chart([:], legend: .below)
                c.title = title
                return c.svg(width: 800, height: 560)
            }
            let legendSeries = Arm.allCases.map { arm -> LineChart.Series in
                let st = style(arm)
                return LineChart.Series(name: arm.title, color: st.color, points: [LineChart.Point(x: 0, y: 0, low: 0, high: 0)], dash: st.dash)
            }
            return LineChart.grid(drawn.map { chart($0, legend: .none) }, columns: min(3, drawn.count), title: title,
                                  sharedLegend: legendSeries)
        }
        let charts = drawn.map { panel in
            CategoryChart(title: panel.isEmpty ? "" : panelTitle(panel), xLabel: knob.rawValue, categories: values,
                          series: Arm.allCases.map { arm in
                              let st = style(arm)
                              return CategoryChart.Series(name: arm.title, color: st.color, values: values.map { v in
                                  point(panel, v)?.arms[arm.rawValue].map { ($0.mean, $0.ci95) }
                              })
                          }, referenceLine: chance)
        }
        return CategoryChart.page(charts, title: title)
    }
}

/// Means with 95% whiskers for named categories: within each category one dot per series,
/// side by side; a dashed reference line; the legend below.
public struct CategoryChart {
    public struct Series {
        public var name: String
        public var color: String
        /// (mean, half-width) per category; nil: no value.
        public var values: [(mean: Double, halfWidth: Double)?]
    }

    public var title: String
    public var xLabel: String
    public var categories: [String]
    public var series: [Series]
    public var referenceLine: LineChart.ReferenceLine?

    /// Charts in a grid of up to 3 columns under a common title, with one legend below.
    public static func page(_ charts: [CategoryChart], title: String) -> String {
        let cols = max(1, min(3, charts.count)), rows = (charts.count + cols - 1) / cols
        let panelW = charts.count == 1 ? 800.0 : 460, panelH = charts.count == 1 ? 480.0 : 340
        let series = charts.first?.series ?? []
        let legendRows = Double((series.count + 2) / 3)
        let width = panelW * Double(cols), height = 44 + panelH * Double(rows) + 14 + 22 * legendRows
        var doc = SVGDocument(width: width, height: height)
        doc.text(title, x: width / 2, y: 28, size: 17, anchor: "middle", weight: "bold")
        for (i, c) in charts.enumerated() {
            c.render(into: &doc, x: panelW * Double(i % cols), y: 44 + panelH * Double(i / cols), width: panelW, height: panelH)
        }
        let y0 = 44 + panelH * Double(rows) + 16
        let slot = (width - 40) / 3
        for (i, s) in series.enumerated() {
            let x = 30 + slot * Double(i % 3), y = y0 + 22 * Double(i / 3)
            doc.line(x1: x, y1: y, x2: x + 10, y2: y, stroke: s.color, width: 1.6)
            doc.circle(x: x + 5, y: y, r: 4, fill: s.color)
            doc.text(s.name, x: x + 18, y: y + 4, size: 12, anchor: "start")
        }
        return doc.finish()
    }

    public func render(into doc: inout SVGDocument, x fx: Double, y fy: Double, width: Double, height: Double) {
        let left = fx + 64, right = fx + width - 16, top = fy + (title.isEmpty ? 14 : 36), bottom = fy + height - 48
        func py(_ v: Double) -> Double { top + (bottom - top) * (1 - min(max(v, 0), 1)) }
        if !title.isEmpty { doc.text(title, x: (left + right) / 2, y: fy + 22, size: 14, anchor: "middle", weight: "bold") }
        for i in 0...10 {
            let v = Double(i) / 10
            doc.line(x1: left, y1: py(v), x2: right, y2: py(v), stroke: i == 0 ? "#333" : "#e6e6e6", width: 1)
            if i % 2 == 0 { doc.text(fmt(v, 1), x: left - 7, y: py(v) + 4, size: 11, anchor: "end") }
        }
        doc.line(x1: left, y1: top, x2: left, y2: bottom, stroke: "#333", width: 1)
        doc.text("test accuracy", x: fx + 18, y: (top + bottom) / 2, size: 13, anchor: "middle", rotate: -90)
        doc.text(xLabel, x: (left + right) / 2, y: bottom + 40, size: 13, anchor: "middle")
        if let r = referenceLine {
            doc.line(x1: left, y1: py(r.y), x2: right, y2: py(r.y), stroke: r.color, width: 1.2, dash: "3,4")
            doc.text(r.label, x: left + 4, y: py(r.y) - 5, size: 11, anchor: "start", color: r.color)
        }
        let slot = (right - left) / Double(max(categories.count, 1))
        let inner = slot * 0.7 / Double(max(series.count, 1))
        for (c, name) in categories.enumerated() {
            let cx = left + slot * (Double(c) + 0.5)
            if c > 0 { doc.line(x1: left + slot * Double(c), y1: top, x2: left + slot * Double(c), y2: bottom, stroke: "#f0f0f0", width: 1) }
            doc.text(name, x: cx, y: bottom + 18, size: 12, anchor: "middle")
            for (k, s) in series.enumerated() {
                guard c < s.values.count, let v = s.values[c] else { continue }
                let x = cx - slot * 0.35 + inner * (Double(k) + 0.5)
                doc.line(x1: x, y1: py(v.mean - v.halfWidth), x2: x, y2: py(v.mean + v.halfWidth), stroke: s.color, width: 1.8)
                doc.line(x1: x - 3, y1: py(v.mean - v.halfWidth), x2: x + 3, y2: py(v.mean - v.halfWidth), stroke: s.color, width: 1.2)
                doc.line(x1: x - 3, y1: py(v.mean + v.halfWidth), x2: x + 3, y2: py(v.mean + v.halfWidth), stroke: s.color, width: 1.2)
                doc.circle(x: x, y: py(v.mean), r: 4, fill: s.color)
            }
        }
    }
}
