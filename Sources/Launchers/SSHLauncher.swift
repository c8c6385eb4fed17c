import Foundation

/// Runs the N generators of a distributed test on other machines over `ssh`: segment i on host
/// `hosts[(i − 1) mod H]`, the scenario sent on stdin, ``SegmentCommand/script`` run there with the
/// segment's index and the common start, its output (the result between marker lines, the run's
/// messages) saved to `<directory>/segment-<i>.log` for `merge`. The hosts need `phibench` on their
/// PATH (or `PHIBENCH` set) and `sh`; ssh must log in without a prompt (keys, an agent).
package struct SSHLauncher: Sendable {
    package struct Outcome: Sendable, Equatable {
        package var index: Int
        package var host: String
        package var status: Int32
        package var log: String
    }

    package var hosts: [String]
    package var command: SegmentCommand
    /// The ssh program (looked up on PATH).
    package var ssh: String

    package init(hosts: [String], command: SegmentCommand, ssh: String = "ssh") {
        self.hosts = hosts
        self.command = command
        self.ssh = ssh
    }

    /// The remote command for segment `index` (1-based): one `sh` command line.
    package func remoteCommand(index: Int, startAt: String) -> String {
        "f=$(mktemp) && cat > \"$f\" && JOB_COMPLETION_INDEX=\(index - 1) PHIBENCH_SCENARIO=\"$f\" PHIBENCH_START_AT=\(shellQuoted(startAt)) "
            + "sh -c \(shellQuoted(command.script)); s=$?; rm -f \"$f\"; exit $s"
    }

    /// Starts every generator, waits for all, and says what each did.
    /// - Throws: when ssh cannot be started (the ones already started are killed first).
    package func run(scenarioText: String, startAt: String, directory: URL) throws -> [Outcome] {
        var running: [(Int, String, Process, String)] = []
        for i in 1...command.segments {
            let host = hosts[(i - 1) % hosts.count]
            let log = directory.appendingPathComponent("segment-\(i).log").path
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [ssh, "-o", "BatchMode=yes", host, remoteCommand(index: i, startAt: startAt)]
            let input = Pipe()
            p.standardInput = input
            try p.startGenerator(log: log, orTerminate: running.map { $0.2 })
            input.fileHandleForWriting.write(Data(scenarioText.utf8))
            try? input.fileHandleForWriting.close()
            running.append((i, host, p, log))
        }
        return running.map { i, host, p, log in
            p.waitUntilExit()
            return Outcome(index: i, host: host, status: p.terminationStatus, log: log)
        }
    }
}
