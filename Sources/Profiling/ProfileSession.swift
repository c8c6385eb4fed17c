import BenchModel
import Foundation
import Synchronization

/// One profiler around the measured part of a run: started and stopped from the runner's hooks (on
/// the run's thread), then written out.
package final class ProfileSession: Sendable {
    private enum Kind: Sendable {
        case cpu(CPUProfiler)
        case heap(HeapProfiler)
    }

    private struct State: Sendable {
        var cpu: CPUProfile?
        var startError: String?
        var started: UInt64 = 0
        var seconds: Double = 0
        var episodes: UInt64 = 0
    }

    private let kind: Kind
    private let lgSample: Int
    private let state = Mutex(State())

    /// Renders folded stacks as a flame graph SVG (title, unit of the weights).
    package typealias FlameGraphRenderer = @Sendable (_ folded: String, _ title: String, _ unit: String) -> String

    private let flameGraph: FlameGraphRenderer

    /// A CPU profile at `hz`, or a heap profile sampling every 2^`lgSample` bytes.
    /// - Throws: ``ProfilerError`` when heap profiling is not available in this process.
    package init(heap: Bool, hz: Int, lgSample: Int, flameGraph: @escaping FlameGraphRenderer) throws(ProfilerError) {
        self.lgSample = lgSample
        self.flameGraph = flameGraph
        kind = heap ? .heap(try HeapProfiler()) : .cpu(CPUProfiler(hz: hz))
    }

    /// Starts profiling (the runner calls this right after warm-up).
    @Sendable package func start() {
        do {
            switch kind {
            case .cpu(let p): try p.start()
            case .heap(let h): try h.start(lgSample: lgSample)
            }
            state.withLock { $0.started = monotonicNanoseconds() }
        } catch {
            state.withLock { $0.startError = error.description }
        }
    }

    /// Stops profiling (the runner calls this after the last measured episode).
    @Sendable package func stop(episodes: UInt64) {
        let end = monotonicNanoseconds()
        var profile: CPUProfile?
        switch kind {
        case .cpu(let p): profile = try? p.stop()
        case .heap(let h): try? h.stop()
        }
        state.withLock {
            $0.cpu = profile
            $0.episodes = episodes
            $0.seconds = $0.started > 0 ? Double(end - $0.started) / 1e9 : 0
        }
    }

    /// Writes the profile files into `dir` and returns the result's `profile` entry.
    /// - Throws: ``ProfilerError`` when the profiler did not start or a file cannot be written.
    package func write(to dir: URL, overhead: SamplingOverhead?) throws(ProfilerError) -> ProfileInfo {
        let s = state.withLock { $0 }
        if let e = s.startError { throw .noProfile("the profiler did not start: \(e)") }
        func save(_ text: String, _ name: String) throws(ProfilerError) {
            do { try Data(text.utf8).write(to: dir.appendingPathComponent(name), options: .atomic) } catch {
                throw .write(path: dir.appendingPathComponent(name).path, reason: error.localizedDescription)
            }
        }
        switch kind {
        case .cpu:
            guard let cpu = s.cpu else { throw .noProfile("the CPU profiler produced no profile") }
            let folded = cpu.folded()
            try save(folded, "profile.folded")
            try save(flameGraph(folded, "CPU flame graph", "samples"), "flame.svg")
            return ProfileInfo(cpu: cpu, foldedFile: "profile.folded", flameGraphFile: "flame.svg", episodes: s.episodes,
                               measuredOverhead: overhead)
        case .heap(let h):
            let dump: HeapProfile
            dump = try h.dump(to: dir.appendingPathComponent("heap.prof").path)
            let report = dump.symbolicated()
            let folded = report.folded(.allocatedBytes)
            try save(folded, "profile.folded")
            try save(flameGraph(folded, "Heap allocations (bytes)", "bytes"), "flame.svg")
            return ProfileInfo(heap: dump, report: report, rawFile: "heap.prof", foldedFile: "profile.folded",
                               flameGraphFile: "flame.svg", wallSeconds: s.seconds, episodes: s.episodes)
        }
    }

    /// A few lines for the terminal: what was sampled and the hottest functions or allocation sites.
    package func describe(_ info: ProfileInfo?) -> String {
        guard let info else { return "" }
        var lines: [String] = []
        if info.kind == "cpu" {
            lines.append("  profile   \(info.samples) samples at \(Units.fixed(info.effectiveHz ?? 0, digits: 0)) Hz effective (asked \(info.hz)), dropped \(info.droppedSamples ?? 0), handler \(Units.formatNanoseconds(info.handlerNsPerSample ?? 0))/sample, overhead ≈ \(Units.fixed(info.overheadPct ?? 0, digits: 2))%")
            let total = Double(max(info.samples, 1))
            for f in (info.topFunctions ?? []).prefix(10) {
                let selfPct = Units.fixed(Double(f.selfWeight) / total * 100, digits: 1)
                let totalPct = Units.fixed(Double(f.totalWeight) / total * 100, digits: 1)
                lines.append("    \(leftPad(selfPct, 5))% self  \(leftPad(totalPct, 5))% total  \(f.name)")
            }
        } else {
            lines.append("  heap profile  one sample per ~\(Units.formatBytes(Double(1 << (info.lgSample ?? 0)))) allocated; top allocation sites:")
            for site in (info.topAllocationSites ?? []).prefix(10) {
                let perEpisode = site.bytesPerEpisode.map { "  (\(Units.formatBytes($0))/episode)" } ?? ""
                lines.append("    \(leftPad(Units.formatBytes(site.allocatedBytes), 10))  \(site.function)\(perEpisode)")
            }
        }
        return lines.joined(separator: "\n")
    }
}


private func leftPad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}
