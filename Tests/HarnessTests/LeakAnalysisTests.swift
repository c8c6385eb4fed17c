import BenchModel
import Testing
@testable import Harness

@Suite("Leak analysis")
struct LeakAnalysisTests {
    /// 200 one-second intervals of 15 episodes; `rss(i)` gives the RSS of interval i.
    func series(_ rss: (Int) -> Double) -> [TimeseriesPoint] {
        var seed: UInt64 = 7
        return (0..<200).map { i in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let noise = Double(seed >> 44) - Double(1 << 19)  // ±512 KiB
            let bytes: Double = max(0, rss(i) + noise).rounded(.down)
            let metrics: [String: Double] = [
                "throughput": 15, "e2e.p50": 100_000, "e2e.p99": 1_000_000, "e2e.max": 2_000_000,
                "memory.rss_end_bytes": bytes, "memory.jemalloc.allocated": (bytes / 2).rounded(.down),
            ]
            return TimeseriesPoint(tSeconds: Double(i + 1), intervalSeconds: 1, phase: 0, episodes: 15,
                                   episodesTotal: UInt64(15 * (i + 1)), targetRate: 15, queueDepth: 0, metrics: metrics)
        }
    }

    @Test("steady growth of 4 KiB per episode is a leak, with the slope it measured")
    func steadyGrowth() throws {
        let v = try #require(LeakAnalysis.verdict(series { 50e6 + Double($0) * 15 * 4096 }))
        #expect(v.leaking, "\(v.explanation)")
        #expect(abs(v.rssSlopeBytesPerEpisode - 4096) < 200)
        #expect(v.rssSlopeLow <= 4096 && v.rssSlopeHigh >= 4096)
    }

    @Test("a flat, noisy series is not a leak")
    func flat() throws {
        let v = try #require(LeakAnalysis.verdict(series { _ in 50e6 }))
        #expect(!v.leaking, "\(v.explanation)")
    }

    @Test("a one-off step early in the run is not a leak; growth that goes on to the end is")
    func stepVersusLateGrowth() throws {
        let step = try #require(LeakAnalysis.verdict(series { $0 < 60 ? 50e6 : 52e6 }))
        #expect(!step.leaking, "\(step.explanation)")
        let late = try #require(LeakAnalysis.verdict(series { $0 < 100 ? 50e6 : 50e6 + Double($0 - 100) * 15 * 4096 }))
        #expect(late.leaking, "\(late.explanation)")
    }

    @Test("too few intervals give no verdict rather than a guess")
    func tooFew() {
        #expect(LeakAnalysis.verdict(Array(series { _ in 50e6 }.prefix(5))) == nil)
    }
}
