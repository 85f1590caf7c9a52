/// A vertical bar chart with error bars as a standalone SVG document, with an optional
/// reference marker per bar (e.g. the paper's value) and a dotted horizontal line.
public struct BarChart {
    public struct Bar {
        public var label: String
        public var value: Double
        public var error: Double
        public var reference: Double?
        public var referenceError: Double?
        public var color: String
        public init(label: String, value: Double, error: Double, reference: Double? = nil, referenceError: Double? = nil, color: String) {
            self.label = label; self.value = value; self.error = error
            self.reference = reference; self.referenceError = referenceError; self.color = color
        }
    }

    public var title: String
    public var yLabel: String
    public var bars: [Bar]
    public var yMax: Double = 1
    public var referenceLine: Double?
    public var referenceLineLabel: String = ""
    /// (color, text); the color "paper" draws the reference-marker symbol.
    public var legend: [(String, String)] = []

    public init(title: String, yLabel: String, bars: [Bar], yMax: Double = 1, referenceLine: Double? = nil,
                referenceLineLabel: String = "", legend: [(String, String)] = []) {
        self.title = title; self.yLabel = yLabel; self.bars = bars; self.yMax = yMax
        self.referenceLine = referenceLine; self.referenceLineLabel = referenceLineLabel; self.legend = legend
    }

    public var svg: String {
        let width = 880.0, height = 520.0
        let left = 80.0, right = 20.0, top = 60.0, bottom = 110.0
        let plotW = width - left - right, plotH = height - top - bottom
        func y(_ v: Double) -> Double { top + plotH * (1 - min(max(v / yMax, 0), 1)) }
        var s = SVGDocument(width: width, height: height)
        s.text(title, x: width / 2, y: 28, size: 17, anchor: "middle", weight: "bold")
        // Axes and grid.
        for i in 0...10 {
            let v = yMax * Double(i) / 10, yy = y(v)
            s.line(x1: left, y1: yy, x2: left + plotW, y2: yy, stroke: i == 0 ? "#333" : "#e4e4e4", width: 1)
            s.text(fmt(v, 1), x: left - 8, y: yy + 4, size: 12, anchor: "end")
        }
        s.line(x1: left, y1: top, x2: left, y2: top + plotH, stroke: "#333", width: 1)
        s.text(yLabel, x: 22, y: top + plotH / 2, size: 14, anchor: "middle", rotate: -90)
        let slot = plotW / Double(bars.count), barW = slot * 0.5
        for (i, b) in bars.enumerated() {
            let cx = left + slot * (Double(i) + 0.5)
            s.rect(x: cx - barW / 2, y: y(b.value), width: barW, height: y(0) - y(b.value), fill: b.color)
            // 95% error bar.
            let lo = y(b.value - b.error), hi = y(b.value + b.error)
            s.line(x1: cx, y1: lo, x2: cx, y2: hi, stroke: "#111", width: 1.6)
            s.line(x1: cx - 7, y1: lo, x2: cx + 7, y2: lo, stroke: "#111", width: 1.6)
            s.line(x1: cx - 7, y1: hi, x2: cx + 7, y2: hi, stroke: "#111", width: 1.6)
            s.text(fmt(b.value, 3), x: cx, y: hi - 8, size: 12, anchor: "middle", weight: "bold")
            if let r = b.reference {
                // The reference value as an open diamond beside the bar, with its own interval.
                let rx = cx + barW / 2 + 12, ry = y(r)
                if let e = b.referenceError, e > 0 {
                    s.line(x1: rx, y1: y(r - e), x2: rx, y2: y(r + e), stroke: "#555", width: 1.2)
                }
                s.raw("<path d=\"M \(rx) \(ry - 6) L \(rx + 6) \(ry) L \(rx) \(ry + 6) L \(rx - 6) \(ry) Z\" fill=\"white\" stroke=\"#555\" stroke-width=\"1.5\"/>")
            }
            // Label, wrapped at the first space after half its length.
            let words = b.label.split(separator: " ")
            let mid = max(1, words.count / 2)
            let line1 = words.prefix(mid).joined(separator: " "), line2 = words.dropFirst(mid).joined(separator: " ")
            s.text(line1, x: cx, y: top + plotH + 22, size: 13, anchor: "middle")
            if !line2.isEmpty { s.text(line2, x: cx, y: top + plotH + 39, size: 13, anchor: "middle") }
        }
        if let r = referenceLine {
            s.line(x1: left, y1: y(r), x2: left + plotW, y2: y(r), stroke: "#444", width: 1.3, dash: "2,4")
            s.text(referenceLineLabel, x: left + plotW - 4, y: y(r) - 6, size: 11, anchor: "end", color: "#444")
        }
        // Legend.
        var lx = left
        let ly = height - 30
        for (color, text) in legend {
            if color == "paper" {
                s.raw("<path d=\"M \(lx + 7) \(ly - 11) L \(lx + 13) \(ly - 5) L \(lx + 7) \(ly + 1) L \(lx + 1) \(ly - 5) Z\" fill=\"white\" stroke=\"#555\" stroke-width=\"1.5\"/>")
            } else {
                s.rect(x: lx, y: ly - 12, width: 14, height: 14, fill: color)
            }
            s.text(text, x: lx + 20, y: ly, size: 12, anchor: "start")
            lx += 30 + Double(text.count) * 7
        }
        return s.finish()
    }
}

/// A minimal SVG writer (no dependencies); every text is XML-escaped.
public struct SVGDocument {
    private var body: [String] = []
    public let width: Double, height: Double

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    static func escape(_ s: String) -> String {
        s.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;").replacingAll("\"", "&quot;")
    }

    static func n(_ x: Double) -> String { fmt(x, 2) }

    public mutating func raw(_ s: String) { body.append(s) }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double, dash: String? = nil) {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, opacity: Double = 1) {
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(width, 0)))\" height=\"\(Self.n(max(height, 0)))\" fill=\"\(fill)\"\(opacity < 1 ? " fill-opacity=\"\(opacity)\"" : "")/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double, dash: String? = nil) {
        let pts = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dash.map { " stroke-dasharray=\"\($0)\"" } ?? "")/>")
    }

    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double) {
        let pts = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(pts)\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\" stroke=\"none\"/>")
    }

    public mutating func circle(x: Double, y: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"/>")
    }

    public mutating func text(_ t: String, x: Double, y: Double, size: Double, anchor: String, weight: String = "normal",
                              color: String = "#222", rotate: Double? = nil) {
        let transform = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(color)\"\(transform)>\(Self.escape(t))</text>")
    }

    public func finish() -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }
}

extension String {
    func replacingAll(_ a: String, _ b: String) -> String { split(separator: a, omittingEmptySubsequences: false).joined(separator: b) }
}
