import Foundation

/// Byte-exact golden files under `Tests/Fixtures/json-coder/`: what a writer produced before a change,
/// compared with what it produces now (#25: the JSON coder must not change one byte of any file).
package enum GoldenFile {
    /// The folder the golden files are in.
    package static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/json-coder")

    /// The repository's root (for committed files the code reads, e.g. `reports/baselines/`).
    package static let repository = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The golden bytes named `name`, or (with `PHIBENCH_WRITE_GOLDEN=1`, to record them from a build
    /// known to be right) `data` written there and returned.
    package static func expected(_ name: String, recording data: Data) throws -> Data {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["PHIBENCH_WRITE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: url)
        }
        return try Data(contentsOf: url)
    }

    /// The first line where `a` and `b` differ, for a readable failure.
    package static func firstDifference(_ a: Data, _ b: Data) -> String {
        let x = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let y = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(x.count, y.count) {
            let l = i < x.count ? String(x[i]) : "<end>", r = i < y.count ? String(y[i]) : "<end>"
            if l != r { return "line \(i + 1): got \(l.prefix(200)) expected \(r.prefix(200))" }
        }
        return "identical"
    }
}
