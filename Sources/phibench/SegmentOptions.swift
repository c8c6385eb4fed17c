import ArgumentParser
import BenchModel
import Foundation

/// `--segment` and `--start-at`: one generator's share of a distributed test.
struct SegmentOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run one execution segment of the test: i/N (the i-th of N, from 1) or a:b (fractions, e.g. 1/4:1/2).",
        discussion: "Each generator runs its share of every phase; phibench merge adds the segments' results.",
        valueName: "SEGMENT"))
    var segment: String?

    @Option(name: .customLong("start-at"), help: ArgumentHelp(
        "Common wall-clock start (ISO 8601, e.g. 2026-12-07T18:00:00Z): wait for it, then run each phase at the same time as the other generators.",
        valueName: "TIME"))
    var startAt: String?

    /// Refuses a bad segment, a start that is unparsable or past, and several trials with a segment.
    func check(trials: Int) throws {
        _ = try parsedSegment()
        _ = try parsedStartAt()
        if segment != nil, trials > 1 {
            throw ValidationError("--segment runs one trial (its phases line up with the other generators'); leave out --trials")
        }
    }

    func parsedSegment() throws -> ExecutionSegment? {
        guard let segment else { return nil }
        do { return try ExecutionSegment.parse(segment) } catch { throw ValidationError("--segment: \(error.description)") }
    }

    /// The start as seconds since 1970; nil without --start-at.
    func parsedStartAt() throws -> Double? {
        guard let text = startAt else { return nil }
        guard let time = parseISOTime(text) else {
            throw ValidationError("--start-at '\(text)': not an ISO 8601 time; expected e.g. 2026-12-07T18:00:00Z or 2026-12-07T18:00:00.250+01:00")
        }
        let now = Date().timeIntervalSince1970
        guard time > now else {
            throw ValidationError("--start-at \(text) is in the past (now \(formatISOTime(now))); give a time a little ahead, shared by every generator")
        }
        guard time - now <= 7 * 86_400 else {
            throw ValidationError("--start-at \(text) is more than a week ahead; a common start is meant to be minutes away")
        }
        return time
    }
}

/// Seconds since 1970 of an ISO 8601 time with a zone, with or without fractional seconds.
func parseISOTime(_ text: String) -> Double? {
    let plain = ISO8601DateFormatter()
    let fractional = ISO8601DateFormatter()
    fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    let t = text.trimmingCharacters(in: .whitespaces)
    return (plain.date(from: t) ?? fractional.date(from: t))?.timeIntervalSince1970
}

/// `time` (seconds since 1970) as ISO 8601 UTC with milliseconds.
func formatISOTime(_ time: Double) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return f.string(from: Date(timeIntervalSince1970: time))
}
