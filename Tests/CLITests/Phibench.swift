import Foundation
import TestSupport
import Testing

/// Runs the real `phibench` binary: `PHIBENCH_BIN` when set (make test points it at the release
/// build), else the debug build next to the tests.
struct Phibench {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["PHIBENCH_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        for config in ["debug", "release"] {
            let url = packageRoot.appendingPathComponent(".build/\(config)/phibench")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/phibench")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs phibench with `arguments` in `directory`; `interrupt` sends that signal after `after` seconds.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, interrupt: Int32? = nil, after: Double = 1,
                    environment: [String: String] = [:]) throws -> Output {
        let out = try ChildProcess.run(binary, arguments, environment: environment.mapValues { $0 }, directory: directory ?? packageRoot,
                                       signal: interrupt, after: after)
        return Output(status: out.status, stdout: out.stdout, stderr: out.stderr)
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `yaml` to a scenario file in `dir`.
    static func scenario(_ yaml: String, named name: String = "s.yaml", in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}
