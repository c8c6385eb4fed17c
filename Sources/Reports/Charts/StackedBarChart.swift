import BenchModel

/// Horizontal 100% stacked bars, one per result: the share of episode time per stage.
struct StackedBarChart {
    struct Segment {
        var name: String
        var value: Double
        var color: String
        /// Hover text.
        var detail: String
    }

    struct Row {
        var label: String
        var segments: [Segment]
    }

    var title: String
    var rows: [Row]
    var width = 1000.0

    func svg() -> String {
        var names: [(String, String, Bool)] = []
        for row in rows {
            for s in row.segments where !names.contains(where: { $0.0 == s.name }) { names.append((s.name, s.color, false)) }
        }
        let labelW = min(260, max(60, rows.map { SVG.textWidth($0.label, size: 12) }.max() ?? 60) + 12)
        let left = rows.count > 1 ? labelW : 12.0, right = 12.0
        let (legend, legendH) = SVG.legend(names, x: left, y: 30, width: width - left - right)
        let top = 34 + legendH + 6, barH = 30.0, gap = 12.0
        let totalH = top + Double(rows.count) * (barH + gap) + 4
        let barW = width - left - right
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(SVG.num(width)) \(SVG.num(totalH))\" class=\"chart\" role=\"img\" aria-label=\"\(Escape.xml(title))\" font-family=\"system-ui, -apple-system, Segoe UI, Roboto, sans-serif\">"
        out += "<title>\(Escape.xml(title))</title>"
        out += SVG.text(title, x: 12, y: 18, size: 14, weight: "600", fill: "#111")
        out += legend
        for (i, row) in rows.enumerated() {
            let y = top + Double(i) * (barH + gap)
            if rows.count > 1 { out += SVG.text(row.label, x: left - 8, y: y + barH / 2 + 4, size: 12, anchor: "end") }
            let total = row.segments.reduce(0) { $0 + max(0, $1.value) }
            guard total > 0 else {
                out += SVG.text("no stage timings", x: left, y: y + barH / 2 + 4, size: 12, fill: "#888")
                continue
            }
            var x = left
            for s in row.segments where s.value > 0 {
                let w = s.value / total * barW
                let share = s.value / total * 100
                out += "<rect x=\"\(SVG.num(x))\" y=\"\(SVG.num(y))\" width=\"\(SVG.num(w))\" height=\"\(SVG.num(barH))\" fill=\"\(s.color)\" stroke=\"#fff\" stroke-width=\"1\"><title>\(Escape.xml("\(s.name): \(Units.number(share))% — \(s.detail)"))</title></rect>"
                let label = "\(s.name) \(Units.number(share))%"
                if SVG.textWidth(label, size: 11) + 8 < w {
                    out += SVG.text(label, x: x + w / 2, y: y + barH / 2 + 4, size: 11, anchor: "middle", fill: "#fff", extra: " class=\"onbar\"")
                } else if SVG.textWidth(Units.number(share), size: 11) + 6 < w {
                    out += SVG.text(Units.number(share), x: x + w / 2, y: y + barH / 2 + 4, size: 11, anchor: "middle", fill: "#fff")
                }
                x += w
            }
        }
        return out + "</svg>"
    }
}
