import Foundation
import BenchModel

/// What one generator of a distributed test runs, as a POSIX `sh` script shared by every launcher
/// that runs generators elsewhere (a Kubernetes pod, an ssh host): `phibench run` of its segment
/// from the common start, with the result printed to stdout between ``ResultCodec/logBegin`` and
/// ``ResultCodec/logEnd`` so it can be collected from the log. Run output goes to stderr.
///
/// The script reads its environment: `JOB_COMPLETION_INDEX` (0-based, what Kubernetes sets in an
/// Indexed Job: segment index+1 of N), `PHIBENCH_SCENARIO` (the scenario file), `PHIBENCH_START_AT`
/// (ISO 8601) and optionally `PHIBENCH` (the binary, default `phibench` on PATH) and `TMPDIR`.
package struct SegmentCommand: Sendable, Equatable {
    /// Segments in the test.
    package var segments: Int
    /// `--set` overrides, passed to every generator.
    package var overrides: [String]

    package init(segments: Int, overrides: [String]) {
        self.segments = segments
        self.overrides = overrides
    }

    /// The script (exit status: phibench's).
    package var script: String {
        let sets = overrides.map { " --set \(shellQuoted($0))" }.joined()
        return """
            set -u
            i=$((JOB_COMPLETION_INDEX + 1))
            out="${TMPDIR:-/tmp}/phibench-segment-$i"
            "${PHIBENCH:-phibench}" run "$PHIBENCH_SCENARIO" --segment "$i/\(segments)" --start-at "$PHIBENCH_START_AT" --out "$out" --quiet\(sets) >&2
            status=$?
            if [ -f "$out/result.json" ]; then
              printf '\\n%s\\n' '\(ResultCodec.logBegin)'
              cat "$out/result.json"
              printf '\\n%s\\n' '\(ResultCodec.logEnd)'
            fi
            exit $status

            """
    }

    /// The arguments of `phibench run` for segment `index` (1-based) of a local launch.
    package func runArguments(scenario: String, index: Int, startAt: String, out: String) -> [String] {
        ["run", scenario, "--segment", "\(index)/\(segments)", "--start-at", startAt, "--out", out, "--quiet"]
            + overrides.flatMap { ["--set", $0] }
    }
}

/// `text` as one word for `sh`: single-quoted, each `'` written `'\''`.
package func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
