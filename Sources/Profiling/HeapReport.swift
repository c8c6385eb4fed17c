import BenchModel

/// A heap profile with names instead of addresses and estimates instead of sampled counts.
package struct HeapReport: Sendable, Codable, Equatable {
    /// One distinct allocation stack.
    package struct Stack: Sendable, Codable, Equatable {
        /// Frame names, root first, the allocator call last; jemalloc's own frames removed.
        package var frames: [String]
        /// The first frame, from the allocation outwards, outside the allocator and the language
        /// runtime (libjemalloc, libc, libstdc++, libswiftCore, standard-library generics compiled
        /// into the program): the code that asked for memory.
        package var site: String
        package var estimate: HeapProfile.Estimate

        package init(frames: [String], site: String, estimate: HeapProfile.Estimate) {
            self.frames = frames
            self.site = site
            self.estimate = estimate
        }
    }

    /// Which figure a flame graph or a ranking weighs stacks by.
    package enum Metric: String, Sendable, Codable, CaseIterable {
        case allocatedBytes = "allocated_bytes"
        case allocatedObjects = "allocated_objects"
        case liveBytes = "live_bytes"
        case liveObjects = "live_objects"

        func value(_ estimate: HeapProfile.Estimate) -> Double {
            switch self {
            case .allocatedBytes: estimate.allocatedBytes
            case .allocatedObjects: estimate.allocatedObjects
            case .liveBytes: estimate.liveBytes
            case .liveObjects: estimate.liveObjects
            }
        }
    }

    /// Mean bytes between samples.
    package var sampleIntervalBytes: UInt64
    /// Estimated totals: the sum over ``stacks``. (jemalloc's own header totals are aggregated
    /// differently and can disagree with the stacks; they stay available as ``HeapProfile/totals``.)
    package var totals: HeapProfile.Estimate
    /// Stacks with the same names merged.
    package var stacks: [Stack]

    package init(sampleIntervalBytes: UInt64, totals: HeapProfile.Estimate, stacks: [Stack]) {
        self.sampleIntervalBytes = sampleIntervalBytes
        self.totals = totals
        self.stacks = stacks
    }

    /// Allocation sites ranked by `metric` (allocated bytes by default), with per-episode figures
    /// when `episodes` is given and positive.
    package func topSites(limit: Int = 20, by metric: Metric = .allocatedBytes, episodes: UInt64? = nil)
        -> [ProfileInfo.AllocationSite] {
        var bySite: [String: HeapProfile.Estimate] = [:]
        for stack in stacks { bySite[stack.site] = (bySite[stack.site] ?? HeapProfile.Estimate()) + stack.estimate }
        let perEpisode = episodes.flatMap { $0 > 0 ? Double($0) : nil }
        return bySite
            .sorted { (metric.value($0.value), $1.key) > (metric.value($1.value), $0.key) }
            .prefix(limit)
            .map { site, estimate in
                ProfileInfo.AllocationSite(
                    function: site, allocatedBytes: estimate.allocatedBytes, allocatedObjects: estimate.allocatedObjects,
                    liveBytes: estimate.liveBytes, liveObjects: estimate.liveObjects,
                    bytesPerEpisode: perEpisode.map { estimate.allocatedBytes / $0 },
                    objectsPerEpisode: perEpisode.map { estimate.allocatedObjects / $0 })
            }
    }

    /// The stacks in folded format weighed by `metric` (rounded to whole bytes or objects), for a
    /// flame graph of where memory is allocated.
    package func folded(_ metric: Metric = .allocatedBytes) -> String {
        FoldedStacks.render(stacks.map { ($0.frames, UInt64(metric.value($0.estimate).rounded())) })
    }
}

extension HeapProfile {
    /// Where addresses are looked up.
    package enum SymbolSource: Sendable {
        /// `dladdr` in this process: right when this process wrote the profile (the usual case).
        case currentProcess
        /// The profile's own `MAPPED_LIBRARIES` and the mapped files' symbol tables: works for a
        /// profile written by another process, as long as its binaries are still on disk.
        case recordedMappings
    }

    /// Names every stack's frames and scales the sampled counts up to estimates.
    package func symbolicated(_ source: SymbolSource = .currentProcess) -> HeapReport {
        var resolver = FrameResolver(source: source, mappings: mappings)
        var merged: [[String]: (site: String, estimate: Estimate)] = [:]
        for record in records {
            let frames = record.addresses.map { resolver.frame(of: $0) }
            // jemalloc's own frames (prof_backtrace, imalloc, malloc…) come first; drop them.
            let application = frames.drop(while: { isJemalloc($0.object) })
            let kept = application.isEmpty ? frames[...] : application
            let site = kept.first(where: { !isRuntimeLibrary($0.object) && !isRuntimeFunction($0.name) })?.name
                ?? kept.first?.name ?? "[unknown]"
            let names = kept.reversed().map(\.name)
            let estimate = record.counts.estimate(interval: sampleIntervalBytes)
            let previous = merged[names]?.estimate ?? Estimate()
            merged[names] = (site, previous + estimate)
        }
        let stacks = merged.map { HeapReport.Stack(frames: $0.key, site: $0.value.site, estimate: $0.value.estimate) }
            .sorted { $0.frames.lexicographicallyPrecedes($1.frames) }
        let totals = stacks.reduce(Estimate()) { $0 + $1.estimate }
        return HeapReport(sampleIntervalBytes: sampleIntervalBytes, totals: totals, stacks: stacks)
    }
}

private func isJemalloc(_ object: String) -> Bool { baseName(object).hasPrefix("libjemalloc") }

/// Libraries whose frames are allocation plumbing rather than the code that wanted memory.
private func isRuntimeLibrary(_ object: String) -> Bool {
    let name = baseName(object)
    return name.hasPrefix("libjemalloc") || name.hasPrefix("libc.so") || name.hasPrefix("libstdc++")
        || name.hasPrefix("libswiftCore.so") || name.hasPrefix("libgcc_s")
}

/// Standard-library and runtime code compiled into the application (inlinable and specialised
/// generics such as `Swift.Array.init(repeating:count:)`) is plumbing too.
private func isRuntimeFunction(_ name: String) -> Bool {
    name.hasPrefix("Swift.") || name.hasPrefix("static Swift.") || name.hasPrefix("swift_")
        || name.hasPrefix("_swift_") || name.hasPrefix("swift::") || name.contains(" in Swift.")
}

/// Names heap-profile addresses from either source.
private struct FrameResolver {
    let source: HeapProfile.SymbolSource
    let mappings: [HeapProfile.Mapping]
    /// The lowest mapped address of each file: where its ELF header, and so its load base, is.
    let loadBases: [String: UInt64]
    var symbolizer = Symbolizer()
    var tables = SymbolTables()
    let demangler = Demangler()
    var cache: [UInt64: Symbolizer.Frame] = [:]

    init(source: HeapProfile.SymbolSource, mappings: [HeapProfile.Mapping]) {
        self.source = source
        self.mappings = mappings.sorted { $0.start < $1.start }
        var bases: [String: UInt64] = [:]
        for mapping in mappings where mapping.offset == 0 {
            bases[mapping.path] = min(bases[mapping.path] ?? .max, mapping.start)
        }
        loadBases = bases
    }

    /// jemalloc records return addresses (it unwinds with `_Unwind_Backtrace`), hence `- 1`.
    mutating func frame(of address: UInt64) -> Symbolizer.Frame {
        switch source {
        case .currentProcess:
            return symbolizer.frame(of: UInt(address), isReturnAddress: true)
        case .recordedMappings:
            if let known = cache[address] { return known }
            let lookup = address > 0 ? address - 1 : address
            var frame = Symbolizer.Frame(name: "[unknown]", object: "")
            if let mapping = mappings.last(where: { $0.start <= lookup }), lookup < mapping.end {
                let base = loadBases[mapping.path] ?? (mapping.start - mapping.offset)
                frame = Symbolizer.Frame(
                    name: tables.name(of: UInt(lookup), in: mapping.path, loadBase: UInt(base), demangler: demangler),
                    object: mapping.path)
            }
            cache[address] = frame
            return frame
        }
    }
}
