import BenchModel

extension ProfileInfo {
    /// The `profile` entry of result.json for a CPU profile.
    /// - Parameters:
    ///   - profile: the stopped profiler's result.
    ///   - foldedFile: where ``CPUProfile/folded()`` was written, relative to the run directory.
    ///   - flameGraphFile: where the SVG was written, relative to the run directory.
    ///   - episodes: episodes completed while profiling.
    ///   - measuredOverhead: a ``CPUProfiler/measureOverhead(hz:iterations:rounds:)`` result; without
    ///     it ``overheadPct`` is the handler's share of the CPU time (a lower bound).
    ///   - topFunctions: how many functions to list.
    package init(cpu profile: CPUProfile, foldedFile: String?, flameGraphFile: String? = nil,
                episodes: UInt64? = nil, measuredOverhead: SamplingOverhead? = nil, topFunctions: Int = 20) {
        self.init(
            kind: "cpu", samples: UInt64(profile.samples), hz: profile.hz, foldedFile: foldedFile,
            flameGraphFile: flameGraphFile, droppedSamples: profile.droppedSamples,
            durationSeconds: profile.wallSeconds, cpuSeconds: profile.cpuSeconds, effectiveHz: profile.effectiveHz,
            handlerNsPerSample: profile.handlerNanosecondsPerSample,
            overheadPct: measuredOverhead?.overheadPercent ?? profile.handlerOverheadPercent,
            episodes: episodes, topFunctions: profile.topFunctions(limit: topFunctions))
    }

    /// The `profile` entry of result.json for a heap profile.
    /// - Parameters:
    ///   - profile: the parsed dump (for its sample count and interval).
    ///   - report: `profile.symbolicated()`.
    ///   - rawFile: the jemalloc dump, relative to the run directory (input to `jeprof`).
    ///   - foldedFile: where `report.folded()` was written, relative to the run directory.
    ///   - flameGraphFile: where the SVG was written, relative to the run directory.
    ///   - wallSeconds: time profiled, seconds.
    ///   - episodes: episodes completed while profiling, for per-episode figures.
    ///   - topSites: how many allocation sites to list (ranked by bytes allocated).
    package init(heap profile: HeapProfile, report: HeapReport, rawFile: String?, foldedFile: String?,
                flameGraphFile: String? = nil, wallSeconds: Double? = nil, episodes: UInt64? = nil, topSites: Int = 20) {
        var lg = 0
        while lg < 63, UInt64(1) << UInt64(lg) < profile.sampleIntervalBytes { lg += 1 }
        self.init(
            kind: "heap", samples: UInt64(profile.records.count), hz: 0, foldedFile: foldedFile,
            flameGraphFile: flameGraphFile, rawFile: rawFile, durationSeconds: wallSeconds, lgSample: lg,
            episodes: episodes, topAllocationSites: report.topSites(limit: topSites, episodes: episodes))
    }
}
