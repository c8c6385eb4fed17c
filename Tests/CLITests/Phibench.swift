import Foundation
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
        let p = Process()
        p.executableURL = binary
        p.arguments = arguments
        p.currentDirectoryURL = directory ?? packageRoot
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        if let interrupt {
            Thread.sleep(forTimeInterval: after)
            kill(p.processIdentifier, interrupt)
        }
        // Read both pipes before waiting so a chatty child never blocks on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
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
