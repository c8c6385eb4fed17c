import Foundation

/// Runs the N generators of a distributed test as processes on this machine (tests, and using
/// every core with process isolation): `phibench run --segment i/N --start-at T` each, output to
/// `<directory>/segment-<i>.log`, result in `<directory>/segment-<i>/result.json`.
package struct LocalLauncher: Sendable {
    /// What one generator did.
    package struct Outcome: Sendable, Equatable {
        package var index: Int
        package var status: Int32
        /// The result file when the generator wrote one.
        package var result: String?
        package var log: String
    }

    package var binary: String
    package var command: SegmentCommand

    package init(binary: String, command: SegmentCommand) {
        self.binary = binary
        self.command = command
    }

    /// Starts every generator, waits for all, and says what each did. When `forward` returns a
    /// signal number (this process was asked to stop), that signal is sent once to every generator
    /// still running, so each stops its load and writes what it measured.
    /// - Throws: when a process cannot be started (the ones already started are killed first).
    package func run(scenario: String, startAt: String, directory: URL,
                    forward: () -> Int32? = { nil }) throws -> [Outcome] {
        var running: [(Int, Process, String, String)] = []
        for i in 1...command.segments {
            let out = directory.appendingPathComponent("segment-\(i)").path
            let log = directory.appendingPathComponent("segment-\(i).log").path
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = command.runArguments(scenario: scenario, index: i, startAt: startAt, out: out)
            try p.startGenerator(log: log, orTerminate: running.map { $0.1 })
            running.append((i, p, out, log))
        }
        var forwarded = false
        while running.contains(where: { $0.1.isRunning }) {
            if !forwarded, let signal = forward() {
                forwarded = true
                for (_, p, _, _) in running where p.isRunning { kill(p.processIdentifier, signal) }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return running.map { i, p, out, log in
            p.waitUntilExit()
            let result = out + "/result.json"
            return Outcome(index: i, status: p.terminationStatus,
                           result: FileManager.default.fileExists(atPath: result) ? result : nil, log: log)
        }
    }

    /// This executable's path (`/proc/self/exe` on Linux).
    package static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
