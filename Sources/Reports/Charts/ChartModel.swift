import BenchModel

/// A point of a line series, in data units.
struct ChartPoint: Equatable {
    var x: Double
    var y: Double
}

/// A highlighted point with a hover text (an SVG `<title>`).
struct ChartMarker: Equatable {
    var x: Double
    var y: Double
    var label: String
}

/// One line of a chart.
struct ChartSeries {
    var name: String
    var color: String
    var points: [ChartPoint]
    var dashed = false
    var width = 2.0
    var markers: [ChartMarker] = []
    var inLegend = true
}

enum ChartScale {
    case linear
    case log10
}

struct ChartTick: Equatable {
    var value: Double
    var label: String
}

/// One axis: its title, scale, optional fixed range or ticks, and how tick labels are written.
struct ChartAxis {
    var title: String
    var scale: ChartScale = .linear
    var min: Double?
    var max: Double?
    /// Fixed ticks (e.g. percentiles on a latency-by-percentile plot); computed when nil.
    var ticks: [ChartTick]?
    /// Whether a linear axis starts at zero whatever the data.
    var includeZero = true
    var format: (Double) -> String = Units.tick
}

/// A shaded span along the x axis, e.g. one scenario phase.
struct ChartBand {
    var from: Double
    var to: Double
    var label: String
}

/// Colours: one per result (Tableau 10, readable on white and for most colour-blind readers), and one
/// per histogram by its place in the catalogue, so a stage looks the same in every chart of a report.
enum Palette {
    static let results = ["#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac"]

    static func result(_ i: Int) -> String { results[i % results.count] }

    /// The colour of the histogram at `index` in catalogue order (`e2e`, the first, is near-black).
    static func series(_ index: Int) -> String { index == 0 ? "#222222" : results[(index - 1) % results.count] }

    /// The colour of a stage in the time-share chart: its catalogue colour, grey for "other".
    static func stageShare(_ name: String, index: Int) -> String {
        name == "other" ? "#c9c9c9" : results[index % results.count]
    }

    static let verdict: [Verdict: String] = [
        .improved: "#1a7f37", .regressed: "#cf222e", .unchanged: "#57606a", .inconclusive: "#9a6700", .changed: "#8250df",
        .belowDetectionLimit: "#bc4c00",
    ]
}

/// SVG text helpers shared by the chart kinds.
enum SVG {
    /// Rough text width for layout (no font metrics available when generating).
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.58 }

    static func num(_ v: Double) -> String { Units.fixedShort(v) }

    static func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                     weight: String = "normal", fill: String = "#333", extra: String = "") -> String {
        "<text x=\"\(num(x))\" y=\"\(num(y))\" font-size=\"\(num(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(extra)>\(Escape.xml(s))</text>"
    }

    /// A legend laid out in rows across `width`; returns the markup and the height it takes.
    static func legend(_ items: [(name: String, color: String, dashed: Bool)], x: Double, y: Double, width: Double) -> (String, Double) {
        guard !items.isEmpty else { return ("", 0) }
        var out = "<g class=\"legend\">"
        var cx = x, cy = y + 10
        for item in items {
            let w = 26 + textWidth(item.name, size: 12) + 14
            if cx + w > x + width && cx > x {
                cx = x
                cy += 18
            }
            let dash = item.dashed ? " stroke-dasharray=\"5 3\"" : ""
            out += "<line x1=\"\(num(cx))\" y1=\"\(num(cy - 4))\" x2=\"\(num(cx + 20))\" y2=\"\(num(cy - 4))\" stroke=\"\(item.color)\" stroke-width=\"3\"\(dash)/>"
            out += text(item.name, x: cx + 25, y: cy)
            cx += w
        }
        return (out + "</g>", cy - y + 8)
    }
}

extension Units {
    /// A compact coordinate for SVG: at most two decimals, no trailing zeros.
    static func fixedShort(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        var s = fixed(v, digits: 2)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
