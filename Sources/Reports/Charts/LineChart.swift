#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A line chart rendered to a self-contained SVG: axes with ticks (linear or log10), grid, shaded
/// bands, lines, hover markers and a legend. Every chart in the reports is one of these, except the
/// stacked stage-share bars.
struct LineChart {
    /// Unique within the page (used for the clip path id).
    var id: String
    var title: String
    var x: ChartAxis
    var y: ChartAxis
    var series: [ChartSeries]
    var bands: [ChartBand] = []
    /// Moments marked with a dotted vertical line (hover for the label), e.g. a workload's events.
    var events: [ChartMarker] = []
    var width = 600.0
    var height = 320.0
    /// Shown instead of the plot when there is nothing to draw.
    var emptyMessage = "no data"

    func svg() -> String {
        let usable = series.map { s in ChartSeries(name: s.name, color: s.color, points: s.points.filter(valid), dashed: s.dashed,
                                                   width: s.width, markers: s.markers.filter { valid(ChartPoint(x: $0.x, y: $0.y)) },
                                                   inLegend: s.inLegend) }
        let all = usable.flatMap(\.points)
        let legendItems = usable.filter(\.inLegend).map { ($0.name, $0.color, $0.dashed) }
        let left = 66.0, right = 30.0
        let (legend, legendHeight) = SVG.legend(legendItems, x: left, y: 30, width: width - left - right)
        let top = 34 + legendHeight + 4
        let bottom = 46.0
        let plotW = width - left - right, plotH = max(60, height - top - bottom)
        let totalH = top + plotH + bottom
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(SVG.num(width)) \(SVG.num(totalH))\" class=\"chart\" role=\"img\" aria-label=\"\(Escape.xml(title))\" font-family=\"system-ui, -apple-system, Segoe UI, Roboto, sans-serif\">"
        out += "<title>\(Escape.xml(title))</title>"
        out += SVG.text(title, x: left, y: 18, size: 14, weight: "600", fill: "#111")
        out += legend
        guard !all.isEmpty else {
            out += "<rect x=\"\(SVG.num(left))\" y=\"\(SVG.num(top))\" width=\"\(SVG.num(plotW))\" height=\"\(SVG.num(plotH))\" fill=\"#fafafa\" stroke=\"#ddd\"/>"
            out += SVG.text(emptyMessage, x: left + plotW / 2, y: top + plotH / 2, size: 13, anchor: "middle", fill: "#888")
            return out + "</svg>"
        }
        let xs = Self.domain(x, values: all.map(\.x) + bands.flatMap { [$0.from, $0.to] })
        let ys = Self.domain(y, values: all.map(\.y))
        let px = { (v: Double) in left + Self.fraction(v, xs, self.x.scale) * plotW }
        let py = { (v: Double) in top + plotH - Self.fraction(v, ys, self.y.scale) * plotH }

        // Bands (phases), alternately shaded, labelled where there is room.
        for (i, b) in bands.enumerated() {
            let x0 = max(left, px(b.from)), x1 = min(left + plotW, px(b.to))
            guard x1 > x0 else { continue }
            if i % 2 == 0 {
                out += "<rect x=\"\(SVG.num(x0))\" y=\"\(SVG.num(top))\" width=\"\(SVG.num(x1 - x0))\" height=\"\(SVG.num(plotH))\" fill=\"#f1f3f6\"/>"
            }
            if i > 0 {
                out += "<line x1=\"\(SVG.num(x0))\" y1=\"\(SVG.num(top))\" x2=\"\(SVG.num(x0))\" y2=\"\(SVG.num(top + plotH))\" stroke=\"#c5cad3\" stroke-dasharray=\"2 3\"/>"
            }
            if SVG.textWidth(b.label, size: 10) + 6 < x1 - x0 {
                out += SVG.text(b.label, x: x0 + 3, y: top + 11, size: 10, fill: "#6a737d")
            }
        }
        for e in events where e.x >= xs.lo && e.x <= xs.hi {
            let xx = px(e.x)
            out += "<line x1=\"\(SVG.num(xx))\" y1=\"\(SVG.num(top))\" x2=\"\(SVG.num(xx))\" y2=\"\(SVG.num(top + plotH))\" stroke=\"#8250df\" stroke-width=\"1.5\" stroke-dasharray=\"1 3\"><title>\(Escape.xml(e.label))</title></line>"
        }
        // Grid and ticks.
        let xTicks = x.ticks?.filter { $0.value >= xs.lo && $0.value <= xs.hi } ?? Self.ticks(xs, x.scale, format: x.format)
        let yTicks = y.ticks?.filter { $0.value >= ys.lo && $0.value <= ys.hi } ?? Self.ticks(ys, y.scale, format: y.format)
        for t in yTicks {
            let yy = py(t.value)
            out += "<line x1=\"\(SVG.num(left))\" y1=\"\(SVG.num(yy))\" x2=\"\(SVG.num(left + plotW))\" y2=\"\(SVG.num(yy))\" stroke=\"#e3e6ea\"/>"
            out += SVG.text(t.label, x: left - 6, y: yy + 4, size: 11, anchor: "end", fill: "#555")
        }
        for t in xTicks {
            let xx = px(t.value)
            out += "<line x1=\"\(SVG.num(xx))\" y1=\"\(SVG.num(top))\" x2=\"\(SVG.num(xx))\" y2=\"\(SVG.num(top + plotH))\" stroke=\"#eceef1\"/>"
            out += "<line x1=\"\(SVG.num(xx))\" y1=\"\(SVG.num(top + plotH))\" x2=\"\(SVG.num(xx))\" y2=\"\(SVG.num(top + plotH + 4))\" stroke=\"#888\"/>"
            out += SVG.text(t.label, x: xx, y: top + plotH + 17, size: 11, anchor: "middle", fill: "#555")
        }
        out += "<rect x=\"\(SVG.num(left))\" y=\"\(SVG.num(top))\" width=\"\(SVG.num(plotW))\" height=\"\(SVG.num(plotH))\" fill=\"none\" stroke=\"#9aa1a9\"/>"
        out += SVG.text(x.title, x: left + plotW / 2, y: top + plotH + 38, size: 12, anchor: "middle", fill: "#333")
        out += SVG.text(y.title, x: 14, y: top + plotH / 2, size: 12, anchor: "middle", fill: "#333",
                        extra: " transform=\"rotate(-90 14 \(SVG.num(top + plotH / 2)))\"")

        // Lines, clipped to the plot area.
        let clip = "clip-" + Self.safeID(id)
        out += "<clipPath id=\"\(clip)\"><rect x=\"\(SVG.num(left))\" y=\"\(SVG.num(top - 2))\" width=\"\(SVG.num(plotW))\" height=\"\(SVG.num(plotH + 4))\"/></clipPath>"
        out += "<g clip-path=\"url(#\(clip))\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">"
        // Earlier series are drawn a little wider, so a later one lying on top still lets them show.
        let count = usable.count
        for (n, s) in usable.enumerated() where !s.points.isEmpty {
            let width = count > 1 && !s.dashed ? s.width + 0.9 * Double(count - 1 - n) / Double(count - 1) : s.width
            let d = s.points.enumerated().map { i, p in (i == 0 ? "M" : "L") + SVG.num(px(p.x)) + " " + SVG.num(py(p.y)) }.joined()
            let dash = s.dashed ? " stroke-dasharray=\"6 4\"" : ""
            out += "<path d=\"\(d)\" stroke=\"\(s.color)\" stroke-width=\"\(SVG.num(width))\"\(dash)><title>\(Escape.xml(s.name))</title></path>"
        }
        out += "</g>"
        for s in usable {
            for m in s.markers {
                out += "<circle cx=\"\(SVG.num(px(m.x)))\" cy=\"\(SVG.num(py(m.y)))\" r=\"3.2\" fill=\"#fff\" stroke=\"\(s.color)\" stroke-width=\"1.6\"><title>\(Escape.xml(m.label))</title></circle>"
            }
        }
        return out + "</svg>"
    }

    private func valid(_ p: ChartPoint) -> Bool {
        p.x.isFinite && p.y.isFinite && (x.scale == .linear || p.x > 0) && (y.scale == .linear || p.y > 0)
    }

    struct Domain {
        var lo: Double
        var hi: Double
    }

    static func domain(_ axis: ChartAxis, values: [Double]) -> Domain {
        let finite = values.filter { $0.isFinite && (axis.scale == .linear || $0 > 0) }
        var lo = axis.min ?? finite.min() ?? 0
        var hi = axis.max ?? finite.max() ?? 1
        switch axis.scale {
        case .log10:
            if axis.min == nil { lo = pow(10, floor(log10(max(lo, 1e-12)))) }
            if axis.max == nil { hi = pow(10, ceil(log10(max(hi, lo * 10)))) }
            if hi <= lo { hi = lo * 10 }
        case .linear:
            if axis.includeZero && axis.min == nil { lo = min(lo, 0) }
            // A range of a few ulps (a mean of equal values) would make the tick step vanish and the
            // tick loop never end: treat it as a single value.
            if hi - lo <= max(abs(lo), abs(hi)) * 1e-9 { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
            if axis.max == nil {
                let step = niceStep((hi - lo) / 5)
                hi = (hi / step).rounded(.up) * step
                if axis.min == nil && !axis.includeZero { lo = (lo / step).rounded(.down) * step }
            }
        }
        return Domain(lo: lo, hi: hi)
    }

    static func fraction(_ v: Double, _ d: Domain, _ scale: ChartScale) -> Double {
        switch scale {
        case .linear: (v - d.lo) / (d.hi - d.lo)
        case .log10: (log10(v) - log10(d.lo)) / (log10(d.hi) - log10(d.lo))
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, floor(log10(raw)))
        let f = raw / p
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p
    }

    static func ticks(_ d: Domain, _ scale: ChartScale, format: (Double) -> String) -> [ChartTick] {
        switch scale {
        case .linear:
            let step = niceStep((d.hi - d.lo) / 5)
            var v = (d.lo / step).rounded(.up) * step
            var out: [ChartTick] = []
            while v <= d.hi + step * 1e-9 {
                out.append(ChartTick(value: v, label: format(abs(v) < step * 1e-9 ? 0 : v)))
                v += step
            }
            return out
        case .log10:
            let decades = Int((log10(d.hi) - log10(d.lo)).rounded())
            let multiples: [Double] = decades <= 2 ? [1, 2, 5] : [1]
            var out: [ChartTick] = []
            var p = d.lo
            while p <= d.hi * 1.0001 {
                for m in multiples where p * m <= d.hi * 1.0001 { out.append(ChartTick(value: p * m, label: format(p * m))) }
                p *= 10
            }
            return out
        }
    }

    static func safeID(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })
    }
}
