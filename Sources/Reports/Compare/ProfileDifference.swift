import BenchModel
import Foundation

/// Two results' sampling profiles, side by side: what `compare` draws as a differential flame graph
/// when both results carry a profile of the same kind (`phibench profile` writes them).
///
/// The sides are normalised per episode, so that runs of different length or throughput compare:
/// a CPU profile's samples become microseconds of CPU per episode (one sample stands for
/// 1 / effective Hz seconds of CPU), a heap profile's sampled bytes become bytes per episode.
public struct ProfileDifference: Sendable, Equatable {
    public var before: String
    public var after: String
    public var beforeScale: Double
    public var afterScale: Double
    /// What a scaled count is: `µs CPU/episode` or `bytes/episode`.
    public var unit: String
    /// `cpu` or `heap`.
    public var kind: String
    /// The differential flame graph, drawn once: compare.html embeds it and diff-flame.svg is it.
    public var svg: String = ""

    /// The pair, or why there is none (a readable reason, for the report's notes).
    public static func make(before: BenchResult, beforeFolded: String?, after: BenchResult,
                            afterFolded: String?) -> Result<ProfileDifference, Unavailable> {
        guard let p = before.profile, let q = after.profile else {
            return .failure(Unavailable(reason: "only one side carries a profile"))
        }
        guard p.kind == q.kind else {
            return .failure(Unavailable(reason: "the sides profiled different things (\(p.kind) and \(q.kind))"))
        }
        guard let beforeFolded, let afterFolded else {
            let missing = beforeFolded == nil ? "before" : "after"
            return .failure(Unavailable(reason: "the \(missing) side's folded stacks (\((missing == "before" ? p : q).foldedFile ?? "profile.folded")) were not found next to its result"))
        }
        guard let a = scale(p), let b = scale(q) else {
            return .failure(Unavailable(reason: "a profile without its episode count or sampling rate cannot be put per episode"))
        }
        var difference = ProfileDifference(before: beforeFolded, after: afterFolded, beforeScale: a.scale, afterScale: b.scale,
                                           unit: a.unit, kind: p.kind)
        difference.svg = FlameGraph.differentialSVG(before: beforeFolded, after: afterFolded, beforeScale: a.scale, afterScale: b.scale,
                                                    title: "After against before, per episode", width: 1160, unit: a.unit)
        return .success(difference)
    }

    /// Why two results' profiles cannot be compared.
    public struct Unavailable: Error, Sendable, Equatable {
        public var reason: String
    }

    /// What one count of `profile` is per episode, and its unit.
    static func scale(_ profile: ProfileInfo) -> (scale: Double, unit: String)? {
        guard let episodes = profile.episodes, episodes > 0 else { return nil }
        if profile.kind == "heap" { return (1 / Double(episodes), "bytes/episode") }
        let hz = profile.effectiveHz.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? Double(profile.hz)
        guard hz > 0 else { return nil }
        return (1e6 / hz / Double(episodes), "µs CPU/episode")
    }

    /// Both sides in difffolded.pl's `stack A B` format, per episode.
    public func folded() -> String {
        FlameGraph.differentialFolded(before: before, after: after, beforeScale: beforeScale, afterScale: afterScale, digits: 3)
    }
}
