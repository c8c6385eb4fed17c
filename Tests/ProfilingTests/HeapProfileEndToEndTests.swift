import Foundation
import Testing
import TestSupport
import BenchModel
@testable import Profiling

private let childOutputVariable = "PHIBENCH_HEAP_E2E_OUT"

/// Heap profiling as `phibench profile --heap` does it, in a child process: this test binary runs
/// itself with only ``HeapProfileChild`` selected, and the child re-executes itself once more
/// through ``HeapProfiler/ensureEnabled(lgSample:)`` to get `MALLOC_CONF` set before jemalloc starts.
@Suite struct HeapProfileEndToEndTests {
    @Test(.enabled(if: HeapProfiler.support != .notLinked && HeapProfiler.support != .unsupported,
                   "needs jemalloc built with --enable-prof"),
          .timeLimit(.minutes(1)))
    func heapProfileOfAChildProcess() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("phibench-heap-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let child = try ChildProcess.run(URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
                                         ["--testing-library", "swift-testing", "--filter", "HeapProfileChild"],
                                         environment: [childOutputVariable: directory.path, "MALLOC_CONF": nil, HeapProfiler.relaunchMarker: nil])
        #expect(child.status == 0, "child failed:\n\(child.stdout)\(child.stderr)")

        let folded = try String(contentsOf: directory.appendingPathComponent("heap.folded"), encoding: .utf8)
        let topSite = try String(contentsOf: directory.appendingPathComponent("top-site.txt"), encoding: .utf8)
        var total = 0.0, inFunction = 0.0
        for line in folded.split(separator: "\n") {
            let space = try #require(line.lastIndex(of: " "))
            let bytes = try #require(Double(line[line.index(after: space)...]))
            total += bytes
            if line.contains("allocateForHeapProfile") { inFunction += bytes }
        }
        // 2,000 arrays of 1,000 bytes (plus headers), estimated from ~1-in-4 KiB samples.
        #expect(inFunction > 0.5 * total, "\(folded)")
        #expect(inFunction > 1_000_000 && inFunction < 8_000_000, "estimated \(inFunction) bytes")
        #expect(topSite.contains("allocateForHeapProfile"), "top site: \(topSite)")

        // The raw dump is also readable offline, from its own memory map.
        let offline = try HeapProfile(contentsOf: directory.appendingPathComponent("heap.prof").path)
            .symbolicated(.recordedMappings)
        #expect(offline.stacks.contains { $0.frames.contains { $0.contains("allocateForHeapProfile") } })
    }
}

/// Runs only inside the child process started by ``HeapProfileEndToEndTests``.
@Suite struct HeapProfileChild {
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childOutputVariable] != nil))
    func profileAllocations() throws {
        let directory = try #require(ProcessInfo.processInfo.environment[childOutputVariable])
        try HeapProfiler.ensureEnabled(lgSample: 12)  // re-executes this binary once
        let heap = try HeapProfiler()
        try heap.start()
        let kept = allocateForHeapProfile(count: 2_000)
        try heap.stop()
        let profile = try heap.dump(to: directory + "/heap.prof")
        let report = profile.symbolicated()
        try report.folded(.liveBytes).write(toFile: directory + "/heap.folded", atomically: true, encoding: .utf8)
        let top = report.topSites(limit: 1, by: .liveBytes).first?.function ?? "none"
        try top.write(toFile: directory + "/top-site.txt", atomically: true, encoding: .utf8)
        #expect(kept.count == 2_000)
    }
}
