import Foundation
import Synchronization
import Testing
import BenchModel
@testable import Profiling

/// A profile as jemalloc 5.3 writes it (`MALLOC_CONF=prof:true,prof_accum:true,lg_prof_sample:16`,
/// 100,000 `malloc(64)`, half freed), trimmed to a few mappings.
let capturedHeapProfile = """
heap_v2/65536
  t*: 54: 3456 [98: 6272]
  t0: 54: 3456 [98: 6272]
@ 0x7f0fda6a2630 0x7f0fda6a2d21 0x7f0fda695f24 0x7f0fda622045 0x558c1bc07177 0x558c1bc071ef 0x7f0fda44524a
  t*: 50: 3200 [90: 5760]
  t0: 50: 3200 [90: 5760]
@ 0x7f0fda6a2630 0x558c1bc07180
  t*: 4: 256 [8: 512]
  t0: 4: 256 [8: 512]

MAPPED_LIBRARIES:
558c1bc06000-558c1bc07000 r--p 00000000 fe:00 16221620                   /tmp/jeprobe/q
558c1bc07000-558c1bc08000 r-xp 00001000 fe:00 16221620                   /tmp/jeprobe/q
7f0fda4ce000-7f0fda6ed000 rw-p 00000000 00:00 0 
7f0fda600000-7f0fda609000 r--p 00000000 fe:00 4907106                    /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
7f0fda609000-7f0fda6af000 r-xp 00009000 fe:00 4907106                    /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
7ffd5e1f1000-7ffd5e212000 rw-p 00000000 00:00 0                          [stack]

"""

@inline(never)
func allocateForHeapProfile(count: Int) -> [[UInt8]] {
    (0..<count).map { [UInt8](repeating: UInt8(truncatingIfNeeded: $0), count: 1_000) }
}

@inline(never)
func addressesInsideAKnownFunction() -> [UInt] {
    let addresses = currentStackAddresses()
    // Work after the call, so that a release build does not make it a tail call (which leaves this
    // function's frame off the stack it captures).
    knownFunctionSink.add(addresses.count, ordering: .relaxed)
    return addresses
}

@Suite struct HeapProfileTests {
    @Test func parsesJemallocText() throws {
        let profile = try HeapProfile(parsing: capturedHeapProfile)
        #expect(profile.sampleIntervalBytes == 65_536)
        #expect(profile.totals == .init(liveObjects: 54, liveBytes: 3_456, allocatedObjects: 98, allocatedBytes: 6_272))
        #expect(profile.records.count == 2)
        #expect(profile.records[0].addresses.count == 7)
        #expect(profile.records[0].addresses[4] == 0x558c_1bc0_7177)
        #expect(profile.records[1].counts == .init(liveObjects: 4, liveBytes: 256, allocatedObjects: 8, allocatedBytes: 512))
        #expect(profile.mappings.count == 4, "anonymous mappings and [stack] are skipped")
        #expect(profile.mappings[1] == .init(start: 0x558c_1bc0_7000, end: 0x558c_1bc0_8000, offset: 0x1000,
                                             permissions: "r-xp", path: "/tmp/jeprobe/q"))
    }

    @Test func estimatesScaleSampledCountsLikeJeprof() throws {
        let profile = try HeapProfile(parsing: capturedHeapProfile)
        let estimate = profile.totals.estimate(interval: profile.sampleIntervalBytes)
        // 64-byte objects at one sample per 64 KiB: each sample stands for ~1024.5 allocations.
        let scale = 1 / (1 - exp(-64.0 / 65_536))
        #expect(abs(estimate.liveObjects - 54 * scale) < 1e-6)
        #expect(abs(estimate.allocatedBytes - 6_272 * scale) < 1e-6)
        // The program really made 100,000 allocations, 50,000 still live.
        #expect(estimate.allocatedObjects > 80_000 && estimate.allocatedObjects < 120_000)
        #expect(estimate.liveObjects > 40_000 && estimate.liveObjects < 70_000)
        // Allocations far above the interval are sampled every time: no scaling.
        let big = HeapProfile.Counts(liveObjects: 10, liveBytes: 10 << 24).estimate(interval: 4_096)
        #expect(abs(big.liveObjects - 10) < 1e-9)
    }

    @Test(arguments: [
        ("", 1),
        ("heap_v1/100\n", 1),
        ("heap_v2/512\n@ 0x10 zz\n", 2),
        ("heap_v2/512\n@ 0x10\n  t*: 1: 2\n", 3),
        ("heap_v2/512\nsomething else\n", 2),
    ])
    func rejectsMalformedProfiles(text: String, line: Int) {
        #expect {
            try HeapProfile(parsing: text)
        } throws: { error in
            guard case ProfilerError.heapProfileFormat(let at, _) = error else { return false }
            return at == line
        }
    }

    @Test func recordedMappingsNameAddressesOffline() throws {
        // A profile of this very process, built by hand: a stack through a known function and the
        // real memory map, then symbolised from the map and the files' symbol tables alone.
        let stack = addressesInsideAKnownFunction().map { UInt64($0) }
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        let text = "heap_v2/4096\n  t*: 1: 8192 [1: 8192]\n@ "
            + stack.map { "0x" + String($0, radix: 16) }.joined(separator: " ")
            + "\n  t*: 1: 8192 [1: 8192]\n\nMAPPED_LIBRARIES:\n" + maps
        let report = try HeapProfile(parsing: text).symbolicated(.recordedMappings)
        let only = try #require(report.stacks.first)
        #expect(only.frames.last == "ProfilingTests.addressesInsideAKnownFunction()")
        #expect(only.site == "ProfilingTests.addressesInsideAKnownFunction()")
        #expect(only.frames.contains { $0.contains("recordedMappingsNameAddressesOffline") })
        // One 8 KiB allocation at one sample per 4 KiB was sampled with probability 1 − e⁻².
        let expected = 8_192 / (1 - exp(-2.0))
        #expect(abs(only.estimate.allocatedBytes - expected) < 1e-6)
        #expect(abs(report.totals.liveBytes - expected) < 1e-6)
        let sites = report.topSites(limit: 5, episodes: 4)
        #expect(sites.count == 1)
        #expect(abs((sites.first?.bytesPerEpisode ?? 0) - expected / 4) < 1e-6)
        #expect(report.folded(.liveBytes).hasSuffix(";ProfilingTests.addressesInsideAKnownFunction() 9474\n"))
    }

    @Test func heapProfilingReportsWhyItIsUnavailable() throws {
        switch HeapProfiler.support {
        case .ready:
            _ = try HeapProfiler()  // started with MALLOC_CONF=prof:true
        case .needsRestart:
            #expect(throws: ProfilerError.heapProfilingNotEnabled) { try HeapProfiler() }
            #expect("\(ProfilerError.heapProfilingNotEnabled)".contains("MALLOC_CONF"))
        case .unsupported:
            #expect(throws: ProfilerError.jemallocWithoutProfiling) { try HeapProfiler() }
        case .notLinked:
            #expect(throws: ProfilerError.jemallocNotLinked) { try HeapProfiler() }
        }
    }

    @Test func mallocConfKeepsTheUsersOptions() {
        #expect(HeapProfiler.mallocConf(lgSample: 12) == "prof:true,prof_active:false,prof_accum:true,lg_prof_sample:12")
        #expect(HeapProfiler.mallocConf(lgSample: 19, existing: "narenas:2").hasPrefix("narenas:2,prof:true"))
    }
}
