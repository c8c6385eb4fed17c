import BenchModel
import Foundation
import Histogram
import Testing
import TestSupport
@testable import Reports

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite struct ChartTests {
    @Test func percentileAxisIsLabelledInNines() {
        let ticks = PercentileCurve.ticks(upTo: 50_000)
        #expect(ticks.map(\.label).prefix(6) == ["0%", "50%", "90%", "99%", "99.9%", "99.99%"])
        #expect(ticks.map(\.value).prefix(4) == [1, 2, 10, 100])
    }

    @Test func percentileCurveFollowsTheHistogram() throws {
        var h = Histogram<UInt64>(highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: .three)
        for v in 1...10_000 { _ = h.record(UInt64(v)) }
        let curve = PercentileCurve(h, name: "uniform")
        let atMedian = try #require(curve.points.first { abs($0.x - 2) < 0.01 })
        #expect(abs(atMedian.y - 5_000) < 10)
        let at99 = try #require(curve.points.first { abs($0.x - 100) < 0.5 })
        #expect(abs(at99.y - 9_900) < 20)
        #expect(curve.points.last == ChartPoint(x: 10_000, y: Double(h.max)))
        #expect(zip(curve.points, curve.points.dropFirst()).allSatisfy { $0.x < $1.x && $0.y <= $1.y })
        #expect(curve.markers.map { $0.label.split(separator: " ")[1] } == ["p50", "p90", "p99", "p99.9", "p99.99", "max"])
    }

    @Test("the curve's one-pass percentile walk gives exactly the library's valueAtPercentile")
    func onePassPercentilesMatchTheLibrary() {
        for seed in UInt64(1)...12 {
            var h = Histogram<UInt64>(highestTrackableValue: 1_000_000, numberOfSignificantValueDigits: .three)
            h.autoResize = true
            var x = seed
            for _ in 0..<(Int(seed) * 211) {
                x = x &* 6364136223846793005 &+ 1442695040888963407
                _ = h.record(1 + (x >> 33) % (1 << (seed % 24 + 6)))
            }
            var ps: [Double] = [0, 0.001, 1, 25, 50, 50, 90, 99, 99.9, 99.99, 99.9999, 100, 120]
            var j = 0.0
            while j < 6 {
                ps.append((1 - 1 / pow(10, j)) * 100)
                j += 1 / 40
            }
            ps.sort()
            let fast = h.values(atAscendingPercentiles: ps)
            for (p, v) in zip(ps, fast) { #expect(v == h.valueAtPercentile(p), "seed \(seed), p \(p)") }
        }
    }

    @Test func linearAndLogTicks() {
        #expect(LineChart.niceStep(0.37) == 0.5)
        #expect(LineChart.niceStep(13) == 20)
        #expect(LineChart.niceStep(700) == 1000)
        let d = LineChart.domain(ChartAxis(title: ""), values: [3, 47])
        #expect(d.lo == 0 && d.hi == 50)
        let t = LineChart.ticks(d, .linear, format: Units.tick).map(\.label)
        #expect(t == ["0", "10", "20", "30", "40", "50"])
        let log = LineChart.domain(ChartAxis(title: "", scale: .log10), values: [800, 2_000_000])
        #expect(log.lo == 100 && log.hi == 10_000_000)
        #expect(LineChart.ticks(log, .log10, format: Units.tick).count == 6)
    }

    @Test func formatting() {
        #expect(Units.tick(20) == "20" && Units.tick(2.5) == "2.5" && Units.tick(0.05) == "0.05" && Units.tick(1500) == "1,500")
        #expect(Units.change(0.301) == "+30.1%" && Units.change(-0.0214) == "-2.14%" && Units.change(nil) == "n/a")
        #expect(Units.grouped(1_234_567) == "1,234,567")
        #expect(Units.number(0.01234) == "0.012" && Units.number(0.87) == "0.87" && Units.number(12.34) == "12.3")
        #expect(Escape.csv("a,b") == "\"a,b\"" && Escape.csv("say \"hi\"") == "\"say \"\"hi\"\"\"" && Escape.csv("plain") == "plain")
        #expect(Escape.xml("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
        #expect(Escape.markdownCell("a|b\nc") == "a\\|b c")
    }

    @Test func chartsAreWellFormedXML() throws {
        let r = Fixture(episodesSimulated: 600).make()
        let inputs = [ChartInput(r, label: "a <&> \"b\"", color: Palette.result(0))]
        let svgs = [
            BenchCharts.percentiles(inputs, key: "e2e", title: "t <1>"), BenchCharts.stagePercentiles(inputs[0]),
            BenchCharts.latencyOverTime(inputs), BenchCharts.throughputOverTime(inputs), BenchCharts.memoryOverTime(inputs),
            BenchCharts.queueDepthOverTime(inputs),
            BenchCharts.seriesOverTime(inputs, descriptor: r.catalogue.descriptor("phi.cache_hit_rate")!),
            BenchCharts.seriesOverTime(inputs, descriptor: r.catalogue.descriptor("memory.bytes_allocated_per_episode")!),
            BenchCharts.stageShare(inputs),
            LineChart(id: "empty", title: "nothing", x: ChartAxis(title: "x"), y: ChartAxis(title: "y"), series: []).svg(),
        ]
        for svg in svgs {
            let text = try #require(svg)
            let parser = XMLParser(data: Data(text.utf8))
            #expect(parser.parse(), "not well-formed: \(parser.parserError.map { "\($0)" } ?? "") in \(text.prefix(200))")
        }
    }
}
