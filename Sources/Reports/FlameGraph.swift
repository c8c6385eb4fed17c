import BenchModel
import Statistics

/// Flame graphs of folded stacks, as self-contained SVG.
///
/// The input is Brendan Gregg's folded format (`root;caller;callee count` per line, as written by
/// `Profiling.CPUProfile.folded()` and `HeapReport.folded(_:)`). The output is one `<svg>` element
/// with its script inline and no external references, so it works saved as `flame.svg` and opened
/// in a browser, and inlined into `report.html`. Interactions, as in `flamegraph.pl`:
/// hover shows a frame's count and share; click zooms into a frame (its ancestors stay, dimmed);
/// "Reset zoom" or a click on the root zooms out; the search box highlights frames whose name
/// contains the text (case-insensitive) and shows the share of samples they cover.
public enum FlameGraph {
    /// Renders folded stacks as a flame graph.
    /// - Parameters:
    ///   - folded: folded-stack text; lines that are not `frames count` are skipped.
    ///   - title: shown at the top (escaped).
    ///   - width: SVG width, pixels.
    ///   - unit: what a count is, for tooltips (`samples`, `bytes`).
    /// - Returns: an `<svg>` document; well-formed XML, usable inline in HTML.
    public static func svg(folded: String, title: String, width: Int = 1200, unit: String = "samples") -> String {
        let root = FlameNode.parse(folded)
        var svg = SVGWriter(root: root, title: title, width: max(width, 200), unit: unit, differential: false)
        return svg.render()
    }

    /// A differential flame graph of B against A, as flamegraph.pl draws `difffolded.pl` output:
    /// frames are B's (width = B's count), coloured by the change of the frame's own count, red where
    /// it grew and blue where it shrank, deeper for a larger change (the largest change is the
    /// deepest colour); unchanged frames are pale. Code only A ran has no width in B and is not drawn;
    /// the subtitle says how much of it there was.
    /// - Parameters:
    ///   - before: A's folded stacks; `beforeScale` multiplies its counts (say, 1 / A's episodes).
    ///   - after: B's folded stacks; `afterScale` multiplies its counts.
    ///   - unit: what a scaled count is, for tooltips (`instructions/episode`).
    /// - Returns: an `<svg>` document with the same zoom, search and hover as ``svg(folded:title:width:unit:)``.
    public static func differentialSVG(before: String, after: String, beforeScale: Double = 1, afterScale: Double = 1,
                                       title: String, width: Int = 1200, unit: String = "samples") -> String {
        let root = FlameNode.parse(after, before: before, afterScale: afterScale, beforeScale: beforeScale)
        var svg = SVGWriter(root: root, title: title, width: max(width, 200), unit: unit, differential: true)
        return svg.render()
    }

    /// The two sides as one folded file, `frames countA countB` per stack (the format of
    /// flamegraph.pl's `difffolded.pl`, which `flamegraph.pl` draws as a differential graph), counts
    /// scaled and written with `digits` decimals; stacks sorted.
    public static func differentialFolded(before: String, after: String, beforeScale: Double = 1, afterScale: Double = 1,
                                          digits: Int = 2) -> String {
        var rows: [String: (a: Double, b: Double)] = [:]
        for (stack, count) in FlameNode.lines(before) { rows[String(stack), default: (0, 0)].a += count * beforeScale }
        for (stack, count) in FlameNode.lines(after) { rows[String(stack), default: (0, 0)].b += count * afterScale }
        return rows.sorted { $0.key < $1.key }
            .map { "\($0.key) \(Units.fixed($0.value.a, digits: digits)) \(Units.fixed($0.value.b, digits: digits))\n" }.joined()
    }
}

/// One frame of the merged call tree; the root is the synthetic `all`.
final class FlameNode {
    let name: String
    var value: Double = 0
    /// A's count, in a differential graph (`value` is B's).
    var before: Double = 0
    private(set) var children: [FlameNode] = []
    private var index: [String: Int] = [:]

    init(name: String) { self.name = name }

    func child(_ name: String) -> FlameNode {
        if let at = index[name] { return children[at] }
        let node = FlameNode(name: name)
        index[name] = children.count
        children.append(node)
        return node
    }

    var depth: Int { 1 + (children.map(\.depth).max() ?? 0) }

    /// Merges `frames count` lines into a tree; children are ordered by name, as flamegraph.pl does.
    static func parse(_ folded: String) -> FlameNode {
        let root = FlameNode(name: "all")
        root.add(folded, scale: 1, to: \.value)
        root.sort()
        return root
    }

    /// One tree of both sides: B's counts in `value`, A's in `before`.
    static func parse(_ after: String, before: String, afterScale: Double, beforeScale: Double) -> FlameNode {
        let root = FlameNode(name: "all")
        root.add(after, scale: afterScale, to: \.value)
        root.add(before, scale: beforeScale, to: \.before)
        root.sort()
        return root
    }

    /// The `frames count` lines of folded text; lines that are not, or whose count is not a positive
    /// finite number, are skipped.
    static func lines(_ folded: String) -> [(stack: Substring, count: Double)] {
        folded.split(whereSeparator: \.isNewline).compactMap { line in
            guard let space = line.lastIndex(of: " "), let count = Double(line[line.index(after: space)...]),
                  count > 0, count.isFinite else { return nil }
            let stack = line[..<space]
            return stack.isEmpty ? nil : (stack, count)
        }
    }

    private func add(_ folded: String, scale: Double, to side: ReferenceWritableKeyPath<FlameNode, Double>) {
        for (stack, count) in Self.lines(folded) {
            let scaled = count * scale
            guard scaled.isFinite else { continue }
            self[keyPath: side] += scaled
            var node = self
            for frame in stack.split(separator: ";", omittingEmptySubsequences: false) {
                node = node.child(String(frame))
                node[keyPath: side] += scaled
            }
        }
    }

    /// A's and B's own counts (the frame's count less its children's).
    var selfValue: Double { value - children.reduce(0) { $0 + $1.value } }
    var selfBefore: Double { before - children.reduce(0) { $0 + $1.before } }
    /// The largest change of a frame's own count anywhere in the tree.
    var largestSelfChange: Double { children.reduce(abs(selfValue - selfBefore)) { max($0, $1.largestSelfChange) } }
    /// A's count in frames B never ran (zero width in B).
    var onlyBefore: Double { value == 0 ? before : children.reduce(0) { $0 + $1.onlyBefore } }

    private func sort() {
        children.sort { $0.name < $1.name }
        index = [:]
        for child in children { child.sort() }
    }
}

/// Writes the SVG text for a tree.
private struct SVGWriter {
    let root: FlameNode
    let title: String
    let width: Int
    let unit: String
    /// Colour by the change of each frame's own count (``FlameGraph/differentialSVG``).
    let differential: Bool
    let largestChange: Double
    var out = ""

    static let frameHeight = 16
    static let fontSize = 12.0
    static let charWidth = 0.59  // of the font size, for Verdana-like fonts
    static let pad = 10.0
    static let top = 60  // title, buttons, search
    /// Room above the frames: a differential graph has its legend under the search line.
    var top: Int { differential ? Self.top + 16 : Self.top }
    static let bottom = 28  // details line
    static let minWidth = 0.1  // px; narrower frames are left out, as flamegraph.pl does

    init(root: FlameNode, title: String, width: Int, unit: String, differential: Bool) {
        self.root = root
        self.title = title
        self.width = width
        self.unit = unit
        self.differential = differential
        largestChange = differential ? root.largestSelfChange : 0
    }

    var height: Int { top + root.depth * Self.frameHeight + Self.bottom }

    mutating func render() -> String {
        let id = "fg" + String(stableHash(title + "\u{0}" + String(root.value) + String(root.children.count)), radix: 16)
        let w = width, h = height
        out += #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" id="\#(id)" class="flamegraph" "#
        out += #"width="\#(w)" height="\#(h)" viewBox="0 0 \#(w) \#(h)" "#
        out += #"data-total="\#(root.value)" data-unit="\#(Escape.xml(unit))" data-pad="\#(Self.pad)" "#
        out += #"style="font-family:Verdana,sans-serif;font-size:\#(Int(Self.fontSize))px">"# + "\n"
        out += #"<rect x="0" y="0" width="\#(w)" height="\#(h)" fill="rgb(248,248,242)"/>"# + "\n"
        out += #"<text x="\#(w / 2)" y="22" text-anchor="middle" style="font-size:16px">\#(Escape.xml(title))</text>"# + "\n"
        if differential {
            var legend = "width: B · colour: change of a frame's own \(unit), red grew, blue shrank (deepest: "
                + "\(signed(largestChange)))"
            let gone = root.onlyBefore
            if gone > 0 { legend += " · code only A ran, not drawn: \(signed(-gone))" }
            out += #"<text x="\#(w / 2)" y="68" text-anchor="middle" style="font-size:11px;fill:rgb(90,90,90)">"#
                + Escape.xml(legend) + "</text>\n"
        }
        out += #"<text class="fg-reset" x="\#(Int(Self.pad))" y="46" style="cursor:pointer;opacity:0.3">Reset zoom</text>"# + "\n"
        out += #"<text class="fg-matched" x="\#(w - 330)" y="46" text-anchor="end"></text>"# + "\n"
        out += #"<foreignObject x="\#(w - 320)" y="32" width="\#(Int(310))" height="22">"#
        out += #"<input xmlns="http://www.w3.org/1999/xhtml" class="fg-search" type="search" placeholder="Search (substring)" "#
        out += #"style="width:300px;font-size:12px;box-sizing:border-box"/></foreignObject>"# + "\n"
        out += #"<g class="fg-frames">"# + "\n"
        if root.value > 0 {
            let scale = (Double(width) - 2 * Self.pad) / root.value
            emit(root, x: 0, depth: 0, scale: scale)
        } else {
            out += #"<text x="\#(w / 2)" y="\#(top + 20)" text-anchor="middle">No samples</text>"# + "\n"
        }
        out += "</g>\n"
        out += #"<text class="fg-details" x="\#(Int(Self.pad))" y="\#(h - 10)"> </text>"# + "\n"
        out += "<script type=\"text/ecmascript\"><![CDATA[\n(function(){var svg=document.getElementById(\"\(id)\");\n"
        out += flameGraphScript + "\n})();\n]]></script>\n</svg>\n"
        return out
    }

    private mutating func emit(_ node: FlameNode, x: Double, depth: Int, scale: Double) {
        let pixelWidth = node.value * scale
        guard pixelWidth >= Self.minWidth else { return }
        let px = Self.pad + x * scale
        let y = height - Self.bottom - (depth + 1) * Self.frameHeight
        let share = node.value / root.value * 100
        let name = Escape.xml(node.name)
        var tip = "\(node.name) (\(Units.fixed(node.value, digits: differential ? 1 : 0)) \(unit), \(Units.fixed(share, digits: 2))%)"
        if differential {
            tip += " · A \(Units.fixed(node.before, digits: 1)), Δ \(signed(node.value - node.before))"
                + " · own: A \(Units.fixed(node.selfBefore, digits: 1)), B \(Units.fixed(node.selfValue, digits: 1)), Δ \(signed(node.selfValue - node.selfBefore))"
        }
        // A differential frame's details line is its whole tooltip (the deltas); a plain one's is built by the script.
        let details = differential ? #" data-t="\#(Escape.xml(tip))""# : ""
        out += #"<g class="fg-f" data-x="\#(x)" data-w="\#(node.value)" data-d="\#(depth)" data-n="\#(name)"\#(details)>"#
        out += "<title>\(Escape.xml(tip))</title>"
        out += #"<rect x="\#(Units.fixed(px, digits: 1))" y="\#(y)" width="\#(Units.fixed(pixelWidth, digits: 1))" "#
        out += #"height="\#(Self.frameHeight - 1)" rx="2" fill="\#(differential ? deltaColor(node) : color(node.name, depth: depth))"/>"#
        out += #"<text x="\#(Units.fixed(px + 3, digits: 1))" y="\#(y + Self.frameHeight - 4)">"#
        out += Escape.xml(fitted(node.name, pixelWidth)) + "</text></g>\n"
        var childX = x
        for child in node.children {
            emit(child, x: childX, depth: depth + 1, scale: scale)
            childX += child.value
        }
    }

    /// The part of `name` that fits in `pixels`, with `..` when cut; empty when nothing useful fits.
    private func fitted(_ name: String, _ pixels: Double) -> String {
        let fits = Int((pixels - 6) / (Self.fontSize * Self.charWidth))
        if fits < 3 { return "" }
        if name.count <= fits { return name }
        return String(name.prefix(fits - 2)) + ".."
    }

    /// flamegraph.pl's differential palette: red for a frame whose own count grew, blue for one that
    /// shrank, `210 × (1 − |Δ| / largest |Δ|)` in the other channels; pale grey when unchanged.
    private func deltaColor(_ node: FlameNode) -> String {
        let delta = node.selfValue - node.selfBefore
        // Changes below a millionth of the graph are rounding, not change.
        guard largestChange > 0, abs(delta) > root.value * 1e-6 else { return "rgb(235,235,235)" }
        let pale = Int((210 * (1 - min(abs(delta) / largestChange, 1))).rounded())
        return delta > 0 ? "rgb(255,\(pale),\(pale))" : "rgb(\(pale),\(pale),255)"
    }

    /// `+12.3` / `-4.0`, one decimal.
    private func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + Units.fixed(value, digits: 1) }

    /// Warm colours as in flamegraph.pl's "hot" palette, stable per name; the root is grey.
    private func color(_ name: String, depth: Int) -> String {
        if depth == 0 { return "rgb(200,200,200)" }
        let hash = stableHash(name)
        let v1 = Double(hash & 0xFF) / 255, v2 = Double((hash >> 8) & 0xFF) / 255, v3 = Double((hash >> 16) & 0xFF) / 255
        return "rgb(\(205 + Int(50 * v3)),\(Int(230 * v1)),\(Int(55 * v2)))"
    }
}

/// Zoom, search and hover for one flame graph; `svg` is its root element. Kept free of `]]>` and
/// of document-wide ids so several graphs can share a page.
private let flameGraphScript = #"""
var total=+svg.getAttribute("data-total"),unit=svg.getAttribute("data-unit"),pad=+svg.getAttribute("data-pad");
var W=+svg.getAttribute("width")-2*pad,fs=12,cw=0.59;
var frames=Array.prototype.slice.call(svg.querySelectorAll("g.fg-f"));
var details=svg.querySelector(".fg-details"),reset=svg.querySelector(".fg-reset");
var matched=svg.querySelector(".fg-matched"),search=svg.querySelector(".fg-search");
function info(g){return{x:+g.getAttribute("data-x"),w:+g.getAttribute("data-w"),d:+g.getAttribute("data-d"),n:g.getAttribute("data-n")};}
function fit(g,px){var t=g.querySelector("text"),n=info(g).n,k=Math.floor((px-6)/(fs*cw));
 t.textContent=k<3?"":(n.length<=k?n:n.slice(0,k-2)+"..");}
function place(g,x,w){var r=g.querySelector("rect"),t=g.querySelector("text");
 r.setAttribute("x",x.toFixed(1));r.setAttribute("width",w.toFixed(1));t.setAttribute("x",(x+3).toFixed(1));fit(g,w);}
function zoom(target){var z=info(target),s=W/z.w;reset.style.opacity=z.d===0?"0.3":"1";
 frames.forEach(function(g){var f=info(g);g.style.display="";g.style.opacity="";
  if(f.d<z.d&&f.x<=z.x&&f.x+f.w>=z.x+z.w){place(g,pad,W);g.style.opacity="0.5";}
  else if(f.d>=z.d&&f.x>=z.x&&f.x+f.w<=z.x+z.w){var w=f.w*s;if(w<0.1){g.style.display="none";}else{place(g,pad+(f.x-z.x)*s,w);}}
  else{g.style.display="none";}});}
function pct(v){return(100*v/total).toFixed(2)+"%";}
frames.forEach(function(g){
 g.style.cursor="pointer";
 g.addEventListener("click",function(){zoom(g);});
 g.addEventListener("mouseover",function(){var f=info(g);details.textContent=g.getAttribute("data-t")||(f.n+" ("+Math.round(f.w)+" "+unit+", "+pct(f.w)+")");});
 g.addEventListener("mouseout",function(){details.textContent=" ";});});
reset.addEventListener("click",function(){if(frames.length)zoom(frames[0]);});
function highlight(term){var q=term.toLowerCase(),spans=[];
 frames.forEach(function(g){var f=info(g),r=g.querySelector("rect");
  if(!r.hasAttribute("data-fill"))r.setAttribute("data-fill",r.getAttribute("fill"));
  var hit=q.length>0&&f.n.toLowerCase().indexOf(q)>=0;r.setAttribute("fill",hit?"rgb(230,0,230)":r.getAttribute("data-fill"));
  if(hit)spans.push([f.x,f.x+f.w]);});
 spans.sort(function(a,b){return a[0]-b[0]||b[1]-a[1];});var sum=0,end=-1;
 spans.forEach(function(s){if(s[0]>=end){sum+=s[1]-s[0];end=s[1];}else if(s[1]>end){sum+=s[1]-end;end=s[1];}});
 matched.textContent=q.length?"Matched: "+pct(sum):"";}
if(search){search.addEventListener("input",function(){highlight(search.value);});}
"""#
