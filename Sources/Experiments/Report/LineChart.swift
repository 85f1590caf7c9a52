import Foundation

/// A line chart as SVG: several series, each with an optional shaded band (e.g. a 5–95%
/// range or a confidence interval), optional point markers and dash pattern; linear or
/// logarithmic x axis; axis labels, horizontal reference lines and a legend.
///
/// A chart renders either as a standalone document (`svg`) or into a frame of a larger
/// `SVGDocument` (`render(into:x:y:width:height:)`), so that several charts can share one
/// figure (`LineChart.grid`).
public struct LineChart {
    public struct Point: Sendable {
        public var x: Double
        public var y: Double
        /// The band around y at this x (both or neither).
        public var low: Double?
        public var high: Double?
        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
            self.x = x; self.y = y; self.low = low; self.high = high
        }
    }

    public struct Series: Sendable {
        public var name: String
        public var color: String
        public var points: [Point]
        /// SVG stroke-dasharray (e.g. "6,4"), nil for a solid line.
        public var dash: String?
        public var markers: Bool
        public var lineWidth: Double
        /// Opacity of the band's fill.
        public var bandOpacity: Double
        public init(name: String, color: String, points: [Point], dash: String? = nil, markers: Bool = true,
                    lineWidth: Double = 2, bandOpacity: Double = 0.18) {
            self.name = name; self.color = color; self.points = points; self.dash = dash
            self.markers = markers; self.lineWidth = lineWidth; self.bandOpacity = bandOpacity
        }
    }

    public struct ReferenceLine: Sendable {
        public var y: Double
        public var label: String
        public var color: String
        public init(y: Double, label: String, color: String = "#444") { self.y = y; self.label = label; self.color = color }
    }

    public enum LegendPosition: Sendable { case topLeft, topRight, bottomLeft, bottomRight, below, none }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logX: Bool
    /// Fixed axis ranges; nil: from the data (with a small margin on y).
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    public var referenceLines: [ReferenceLine]
    public var legend: LegendPosition

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                referenceLines: [ReferenceLine] = [], legend: LegendPosition = .topRight) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logX = logX
        self.xRange = xRange; self.yRange = yRange; self.referenceLines = referenceLines; self.legend = legend
    }

    /// A standalone SVG document.
    public func svg(width: Double = 760, height: Double = 480) -> String {
        var doc = SVGDocument(width: width, height: height)
        render(into: &doc, x: 0, y: 0, width: width, height: height)
        return doc.finish()
    }

    /// Several charts in a grid of `columns`, under a common title; the legend of the first
    /// chart whose legend is `.below` is drawn once under the grid.
    public static func grid(_ charts: [LineChart], columns: Int, title: String, panelWidth: Double = 460, panelHeight: Double = 340,
                            sharedLegend: [Series] = []) -> String {
        let cols = max(1, columns), rowsCount = (charts.count + cols - 1) / cols
        let width = panelWidth * Double(cols)
        // As many legend columns as the longest entry allows (at most 4).
        let longest = Double(sharedLegend.map(\.name.count).max() ?? 0)
        let legendColumns = max(1, min(4, Int((width - 20) / (56 + 6.6 * longest))))
        let legendHeight = sharedLegend.isEmpty ? 0.0 : 12 + 24.0 * Double((sharedLegend.count + legendColumns - 1) / legendColumns)
        let height = 44 + panelHeight * Double(rowsCount) + legendHeight
        var doc = SVGDocument(width: width, height: height)
        doc.text(title, x: width / 2, y: 28, size: 18, anchor: "middle", weight: "bold")
        for (i, chart) in charts.enumerated() {
            chart.render(into: &doc, x: panelWidth * Double(i % cols), y: 44 + panelHeight * Double(i / cols), width: panelWidth, height: panelHeight)
        }
        if !sharedLegend.isEmpty {
            let y0 = 44 + panelHeight * Double(rowsCount) + 4
            let slot = (width - 20) / Double(legendColumns)
            for (i, s) in sharedLegend.enumerated() {
                legendEntry(&doc, s, x: 20 + slot * Double(i % legendColumns), y: y0 + 24 * Double(i / legendColumns) + 12)
            }
        }
        return doc.finish()
    }

    static func legendEntry(_ doc: inout SVGDocument, _ s: Series, x: Double, y: Double) {
        if s.points.contains(where: { $0.low != nil }) {
            doc.rect(x: x, y: y - 8, width: 26, height: 12, fill: s.color, opacity: s.bandOpacity)
        }
        doc.line(x1: x, y1: y - 2, x2: x + 26, y2: y - 2, stroke: s.color, width: s.lineWidth, dash: s.dash)
        if s.markers { doc.circle(x: x + 13, y: y - 2, r: 3, fill: s.color) }
        doc.text(s.name, x: x + 32, y: y + 2, size: 12, anchor: "start")
    }

    /// Draws the chart into the frame (x, y, width, height) of `doc`.
    public func render(into doc: inout SVGDocument, x fx: Double, y fy: Double, width: Double, height: Double) {
        let legendRows = legend == .below ? Double((series.count + 2) / 3) : 0
        let left = fx + 72, right = fx + width - 18, top = fy + (title.isEmpty ? 16 : 40)
        let bottom = fy + height - 52 - 20 * legendRows
        let plotW = max(right - left, 10), plotH = max(bottom - top, 10)

        // Ranges.
        let xs = series.flatMap { $0.points.map(\.x) }.filter { $0.isFinite && (!logX || $0 > 0) }
        var ys = series.flatMap { $0.points.flatMap { [$0.y, $0.low, $0.high].compactMap { $0 } } }.filter(\.isFinite)
        ys += referenceLines.map(\.y)
        var xr = xRange ?? ((xs.min() ?? 0)...(xs.max() ?? 1))
        if xr.lowerBound == xr.upperBound { xr = (xr.lowerBound - 1)...(xr.upperBound + 1) }
        if logX && xr.lowerBound <= 0 { xr = max(xr.upperBound * 1e-3, 1e-300)...xr.upperBound }
        var yr = yRange ?? {
            let lo = ys.min() ?? 0, hi = ys.max() ?? 1
            let pad = (hi - lo) * 0.06
            return (lo - pad)...(hi + pad)
        }()
        if yr.lowerBound == yr.upperBound { yr = (yr.lowerBound - 1)...(yr.upperBound + 1) }
        let yTicks = Self.niceTicks(yr, count: 6)
        if yRange == nil, let f = yTicks.first, let l = yTicks.last { yr = min(f, yr.lowerBound)...max(l, yr.upperBound) }

        func px(_ v: Double) -> Double {
            let t = logX ? (log10(v) - log10(xr.lowerBound)) / (log10(xr.upperBound) - log10(xr.lowerBound))
                         : (v - xr.lowerBound) / (xr.upperBound - xr.lowerBound)
            return left + plotW * t
        }
        func py(_ v: Double) -> Double {
            let c = min(max(v, yr.lowerBound), yr.upperBound)
            return top + plotH * (1 - (c - yr.lowerBound) / (yr.upperBound - yr.lowerBound))
        }

        if !title.isEmpty { doc.text(title, x: (left + right) / 2, y: fy + 24, size: 15, anchor: "middle", weight: "bold") }
        // Grid and y ticks.
        for v in yTicks where v >= yr.lowerBound - 1e-12 && v <= yr.upperBound + 1e-12 {
            doc.line(x1: left, y1: py(v), x2: right, y2: py(v), stroke: "#e6e6e6", width: 1)
            doc.text(Self.tickLabel(v, step: yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1), x: left - 7, y: py(v) + 4, size: 11, anchor: "end")
        }
        if yr.contains(0) { doc.line(x1: left, y1: py(0), x2: right, y2: py(0), stroke: "#999", width: 1) }
        // x ticks.
        let xTicks: [Double]
        if logX {
            let lo = Int(floor(log10(xr.lowerBound) + 1e-9)), hi = Int(ceil(log10(xr.upperBound) - 1e-9))
            xTicks = (lo...max(lo, hi)).map { pow(10, Double($0)) }.filter { $0 >= xr.lowerBound * (1 - 1e-9) && $0 <= xr.upperBound * (1 + 1e-9) }
        } else {
            xTicks = Self.niceTicks(xr, count: 7).filter { $0 >= xr.lowerBound - 1e-12 && $0 <= xr.upperBound + 1e-12 }
        }
        for v in xTicks {
            doc.line(x1: px(v), y1: top, x2: px(v), y2: bottom, stroke: "#f0f0f0", width: 1)
            doc.line(x1: px(v), y1: bottom, x2: px(v), y2: bottom + 5, stroke: "#333", width: 1)
            let label = logX ? Self.powerLabel(v) : Self.tickLabel(v, step: xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1)
            doc.text(label, x: px(v), y: bottom + 19, size: 11, anchor: "middle")
        }
        doc.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: "#333", width: 1)
        doc.line(x1: left, y1: top, x2: left, y2: bottom, stroke: "#333", width: 1)
        doc.text(xLabel, x: (left + right) / 2, y: bottom + 38, size: 13, anchor: "middle")
        doc.text(yLabel, x: fx + 18, y: (top + bottom) / 2, size: 13, anchor: "middle", rotate: -90)

        for r in referenceLines where yr.contains(r.y) {
            doc.line(x1: left, y1: py(r.y), x2: right, y2: py(r.y), stroke: r.color, width: 1.2, dash: "3,4")
            doc.text(r.label, x: right - 4, y: py(r.y) - 5, size: 11, anchor: "end", color: r.color)
        }
        // Bands first, then lines and markers on top.
        for s in series {
            let banded = s.points.filter { $0.low != nil && $0.high != nil && $0.x.isFinite && (!logX || $0.x > 0) }
            if banded.count >= 2 {
                let upper = banded.map { (px($0.x), py($0.high!)) }
                let lower = banded.reversed().map { (px($0.x), py($0.low!)) }
                doc.polygon(upper + lower, fill: s.color, opacity: s.bandOpacity)
            } else if let p = banded.first {
                doc.line(x1: px(p.x), y1: py(p.low!), x2: px(p.x), y2: py(p.high!), stroke: s.color, width: 1.2)
            }
        }
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) }
            if pts.count >= 2 { doc.polyline(pts.map { (px($0.x), py($0.y)) }, stroke: s.color, width: s.lineWidth, dash: s.dash) }
            if s.markers { for p in pts { doc.circle(x: px(p.x), y: py(p.y), r: 3.2, fill: s.color) } }
        }

        // Legend.
        switch legend {
        case .none: break
        case .below:
            let slot = (right - left + 60) / 3
            for (i, s) in series.enumerated() {
                Self.legendEntry(&doc, s, x: left - 50 + slot * Double(i % 3), y: bottom + 62 + 20 * Double(i / 3))
            }
        default:
            let boxW = min(plotW * 0.62, 40 + 7.0 * Double(series.map(\.name.count).max() ?? 0)), boxH = 20 * Double(series.count) + 8
            let bx = (legend == .topLeft || legend == .bottomLeft) ? left + 8 : right - boxW - 8
            let by = (legend == .topLeft || legend == .topRight) ? top + 8 : bottom - boxH - 8
            doc.rect(x: bx, y: by, width: boxW, height: boxH, fill: "white", opacity: 0.85)
            for (i, s) in series.enumerated() { Self.legendEntry(&doc, s, x: bx + 8, y: by + 18 + 20 * Double(i)) }
        }
    }

    /// About `count` round tick values covering `range` (steps of 1, 2 or 5 × 10ⁿ).
    static func niceTicks(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 && span.isFinite else { return [range.lowerBound] }
        let raw = span / Double(max(count - 1, 1))
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let first = ceil(range.lowerBound / step - 1e-9) * step
        var ticks: [Double] = []
        var v = first
        while v <= range.upperBound + step * 1e-9 && ticks.count < 100 {
            ticks.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        if ticks.isEmpty { ticks = [range.lowerBound] }
        return ticks
    }

    static func tickLabel(_ v: Double, step: Double) -> String {
        if v == 0 { return "0" }
        if abs(v) >= 1e5 || abs(v) < 1e-3 { return String(format: "%.1e", v) }
        let digits = max(0, min(6, Int(ceil(-log10(abs(step)) - 1e-9))))
        return fmt(v, digits)
    }

    static func powerLabel(_ v: Double) -> String {
        let e = Int((log10(v)).rounded())
        if e == 0 { return "1" }
        if e == 1 { return "10" }
        return "1e\(e)"
    }
}
