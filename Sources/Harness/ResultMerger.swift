import BenchModel

/// Combines results of the same scenario run separately (e.g. interleaved A/B trials) into one
/// result with every trial in `trials[]`, so compare's statistics see them all. The merged figures
/// come from ``ResultAssembly`` exactly as with `phibench run --trials`, so merging N single-trial
/// runs gives the same percentiles as one run of N trials would have.
public enum ResultMerger {
    public enum MergeError: Error, CustomStringConvertible, Equatable {
        case nothingToMerge
        case mismatch(file: String, field: String, expected: String, found: String)
        case noHistograms(file: String)
        /// Another build (commit) or machine than the first result's: merged, its difference would
        /// pass for noise (or hide a change).
        case mixedOrigin(file: String, differences: String)

        public var description: String {
            switch self {
            case .nothingToMerge: "merge needs at least one result"
            case .mismatch(let f, let field, let e, let found):
                "\(f): \(field) is '\(found)' but the first result has '\(e)'; only results of the same scenario and workload merge"
            case .mixedOrigin(let f, let d):
                "\(f): not of the first result's build and machine (\(d)); merge results of one build on one machine, or pass --allow-mixed"
            case .noHistograms(let f):
                "\(f): its trials carry no latency histograms (a phibench.result/1 file), so merged percentiles cannot be computed; re-run it with this phibench"
            }
        }
    }

    /// Merges `results` (named by `files` for errors): trials concatenated and renumbered, figures
    /// re-derived; the time series and events are the first result's, the workload details the last's.
    /// Results of another commit or machine than the first are refused unless `allowMixed`.
    public static func merge(_ results: [BenchResult], files: [String], allowMixed: Bool = false) throws(MergeError) -> BenchResult {
        guard var merged = results.first else { throw .nothingToMerge }
        for (r, file) in zip(results, files).dropFirst() {
            if !allowMixed {
                var d = MachineFingerprint(r).differences(from: MachineFingerprint(merged))
                if r.build.commit != merged.build.commit || r.build.dirty != merged.build.dirty {
                    d.append("commit \(r.build.commit.prefix(10))\(r.build.dirty ? "+dirty" : "") vs \(merged.build.commit.prefix(10))\(merged.build.dirty ? "+dirty" : "")")
                }
                if !d.isEmpty { throw .mixedOrigin(file: file, differences: d.joined(separator: "; ")) }
            }
            if r.scenario.name != merged.scenario.name {
                throw .mismatch(file: file, field: "scenario.name", expected: merged.scenario.name, found: r.scenario.name)
            }
            if r.workload.name != merged.workload.name {
                throw .mismatch(file: file, field: "workload.name", expected: merged.workload.name, found: r.workload.name)
            }
            if r.catalogue.histogramKeys != merged.catalogue.histogramKeys {
                throw .mismatch(file: file, field: "catalogue.histograms (the stages)",
                                expected: merged.catalogue.histogramKeys.joined(separator: ","),
                                found: r.catalogue.histogramKeys.joined(separator: ","))
            }
        }
        for (r, file) in zip(results, files) where r.trials.contains(where: { $0.summary.episodes > 0 && $0.summary.span.histograms.isEmpty }) {
            throw .noHistograms(file: file)
        }
        let trials = results.flatMap(\.trials).enumerated().map { i, t in
            var t = t
            t.trial = i
            return t
        }
        let (summary, phases) = ResultAssembly.merge(trials, catalogue: merged.catalogue)
        merged.schema = BenchResult.schemaID
        merged.trials = trials
        merged.summary = summary
        merged.phases = phases
        merged.durationSeconds = results.reduce(0) { $0 + $1.durationSeconds }
        merged.interrupted = results.contains { $0.interrupted }
        merged.workload.details = results.last?.workload.details
        var warnings: [RunWarning] = []
        for w in results.flatMap(\.warnings) where !warnings.contains(w) { warnings.append(w) }
        merged.warnings = warnings
        merged.thresholds = []
        return merged
    }
}
