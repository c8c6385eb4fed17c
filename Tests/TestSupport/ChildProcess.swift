import Foundation

/// Runs a child process to completion for a test: both pipes drained while it runs (so a chatty
/// child never blocks on a full pipe), optional standard input, and an optional signal sent after a
/// delay. The one copy of what ten tests used to write out each (#25).
package enum ChildProcess {
    package struct Output: Sendable {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    /// - Parameters:
    ///   - environment: added to this process's environment (a value of `nil` removes the variable).
    ///   - directory: the working directory (this process's when nil).
    ///   - input: written to the child's standard input, which is then closed (none: inherited).
    ///   - signal: sent `after` seconds after the start (say SIGINT, to test an interrupted run).
    package static func run(_ executable: URL, _ arguments: [String], environment: [String: String?] = [:],
                           directory: URL? = nil, input: Data? = nil, signal: Int32? = nil, after: Double = 1) throws -> Output {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        p.standardOutput = out
        p.standardError = err
        if input != nil { p.standardInput = inPipe }
        try p.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if let input {
            inPipe.fileHandleForWriting.write(input)
            try? inPipe.fileHandleForWriting.close()
        }
        if let signal {
            Thread.sleep(forTimeInterval: after)
            kill(p.processIdentifier, signal)
        }
        group.wait()
        p.waitUntilExit()
        return Output(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// Where the tests find the repository and the tools they run.
package enum TestTools {
    /// The package's root directory.
    package static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `examples/` of the repository.
    package static let examples = packageRoot.appendingPathComponent("examples")

    /// python3 on PATH (resolved to the interpreter itself, past wrappers like pyenv's shims, so a
    /// restarted child starts quickly), or nil: tests that need it are disabled with that reason.
    package static let python: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(dir)/python3"
            guard FileManager.default.isExecutableFile(atPath: path) else { continue }
            guard let out = try? ChildProcess.run(URL(fileURLWithPath: path), ["-c", "import sys; print(sys.executable)"]) else { return path }
            let resolved = out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return FileManager.default.isExecutableFile(atPath: resolved) ? resolved : path
        }
        return nil
    }()
}

/// `examples/service.py` (the example HTTP service) on a free loopback port, for one test; killed
/// when released.
package final class ExampleService: @unchecked Sendable {
    package let process = Process()
    package let port: Int

    package struct StartError: Error, CustomStringConvertible {
        package var text: String
        package var description: String { "examples/service.py did not say its port: \(text)" }
    }

    package init() throws {
        guard let python = TestTools.python else { throw StartError(text: "python3 is not on PATH") }
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestTools.examples.appendingPathComponent("service.py").path, "--port", "0"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line says where it listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let colon = text.lastIndex(of: ":"),
              let port = Int(text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw StartError(text: text)
        }
        self.port = port
    }

    package func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    deinit {
        // SIGKILL: the test process may have SIGTERM ignored, and children inherit that.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
