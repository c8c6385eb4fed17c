import ArgumentParser
import BenchModel
import Foundation
import Harness
import Launchers

struct DistributeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distribute",
        abstract: "Run a scenario from N generators, one execution segment each, and judge the merged result.",
        discussion: """
            --local runs the N generators as processes here and merges their results into OUT/merged \\
            (exit status: the merged thresholds', as phibench merge). --kubernetes writes OUT/job.yaml \\
            (a ConfigMap with the scenario and an Indexed Job whose completion index is the segment) and \\
            OUT/collect.sh (the pods' logs into one merged result), and prints the commands to run.
            Examples:
              phibench distribute scenarios/smoke.yaml --segments 4 --local --out runs/dist
              phibench distribute scenarios/smoke.yaml --segments 4 --ssh gen1,gen2 --out runs/dist
              phibench distribute scenarios/smoke.yaml --segments 8 --kubernetes --image ghcr.io/me/phibench:1 --start-in 3m --out k8s
            """)

    @Argument(help: "Scenario file (YAML).")
    var scenario: String

    @Option(help: "Generators, each running one segment i/N (1…1000).")
    var segments: Int

    @Flag(help: "Run the generators as processes on this machine.")
    var local = false

    @Flag(help: "Write a Kubernetes Indexed Job and its collect script instead of running anything.")
    var kubernetes = false

    @Option(help: ArgumentHelp("Run the generators over ssh on these hosts (comma-separated; segment i on host i mod H), each with phibench on its PATH.",
                               valueName: "HOSTS"))
    var ssh: String?

    @Option(name: .shortAndLong, help: "Directory for the segments' results and the merged result (or the manifest).")
    var out: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a scenario value for every generator (as run --set).", valueName: "KEY=VALUE"))
    var overrides: [String] = []

    @Option(name: .customLong("start-in"), help: "How far ahead the common start is (default 5s local, 15s ssh, 2m Kubernetes: pods must be scheduled and images pulled first).")
    var startIn: DurationArgument?

    @Flag(help: "Merge even when a generator left no result (the merged result is marked partial).")
    var partial = false

    @Option(help: "Kubernetes: container image with phibench on its PATH.")
    var image: String?

    @Option(help: "Kubernetes: the Job's name (default phibench-<scenario name>).")
    var name: String?

    @Option(help: "Kubernetes: namespace.")
    var namespace: String?

    @Flag(help: "No summary table.")
    var quiet = false

    func validate() throws {
        guard (1...1000).contains(segments) else { throw ValidationError("--segments must be 1…1000, got \(segments)") }
        guard [local, kubernetes, ssh != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("choose one launcher: --local, --ssh HOSTS or --kubernetes")
        }
        if let ssh, sshHosts(ssh).isEmpty { throw ValidationError("--ssh: no host in '\(ssh)'") }
        if kubernetes, image == nil { throw ValidationError("--kubernetes needs --image (an image with phibench on its PATH)") }
        if !kubernetes, image != nil || name != nil || namespace != nil {
            throw ValidationError("--image, --name and --namespace are for --kubernetes")
        }
    }

    func run() async throws {
        let loaded = try loadScenario(scenario, overrides: overrides)
        let dir = URL(fileURLWithPath: out, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw InputError("\(out): cannot create the output directory: \(error.localizedDescription)")
        }
        let command = SegmentCommand(segments: segments, overrides: overrides)
        let startAt = formatISOTime(Date().timeIntervalSince1970 + (startIn?.seconds ?? (kubernetes ? 120 : ssh != nil ? 15 : 5)))
        if kubernetes {
            try writeKubernetes(command: command, scenarioName: loaded.record.name, startAt: startAt, dir: dir)
            return
        }
        if let ssh {
            try await runOverSSH(hosts: sshHosts(ssh), command: command, startAt: startAt, dir: dir)
            return
        }
        let launcher = LocalLauncher(binary: LocalLauncher.currentExecutable, command: command)
        if !quiet { printError("distribute: \(segments) generators from \(startAt), results in \(out)") }
        // SIGINT from a terminal reaches the generators too (one process group); SIGTERM sent to
        // this process alone is passed on. Either way they write what they measured, which is merged.
        let stop = StopSignal()
        stop.installSignalHandlers()
        let outcomes: [LocalLauncher.Outcome]
        do {
            outcomes = try launcher.run(scenario: scenario, startAt: startAt, directory: dir) {
                stop.signal == SIGTERM ? SIGTERM : nil
            }
        } catch {
            throw InputError("cannot start the generators: \(error)")
        }
        for o in outcomes where o.status == 2 {
            let log = (try? String(contentsOfFile: o.log, encoding: .utf8)) ?? ""
            throw InputError("segment \(o.index)/\(segments) refused its input (exit 2); \(o.log):\n\(log.suffix(2000))")
        }
        for o in outcomes where o.result == nil {
            printError("segment \(o.index)/\(segments): no result (exit \(o.status)); see \(o.log)")
        }
        let done = outcomes.compactMap(\.result)
        guard !done.isEmpty else { throw InputError("no generator wrote a result; see \(out)/segment-*.log") }
        let results = try done.map { try loadResult($0) }
        let status = try mergeSegments(results, files: done, into: dir.appendingPathComponent("merged"), partial: partial, quiet: quiet)
        if let interrupted = stop.exitStatus { throw ExitCode(interrupted) }
        if status != 0 { throw ExitCode(status) }
    }

    private func sshHosts(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Each generator over ssh, its log (with the result between marker lines) merged.
    private func runOverSSH(hosts: [String], command: SegmentCommand, startAt: String, dir: URL) async throws {
        let text: String
        do { text = try String(contentsOfFile: scenario, encoding: .utf8) } catch { throw InputError("\(scenario): cannot read: \(error.localizedDescription)") }
        if !quiet { printError("distribute: \(segments) generators on \(hosts.joined(separator: ", ")) from \(startAt), logs in \(out)") }
        let outcomes: [SSHLauncher.Outcome]
        do {
            outcomes = try SSHLauncher(hosts: hosts, command: command).run(scenarioText: text, startAt: startAt, directory: dir)
        } catch {
            throw InputError("cannot start ssh: \(error)")
        }
        var logs: [String] = []
        for o in outcomes {
            let data = FileManager.default.contents(atPath: o.log) ?? Data()
            if ResultCodec.resultInLog(data) != nil {
                logs.append(o.log)
            } else {
                printError("segment \(o.index)/\(segments) on \(o.host): no result (exit \(o.status)); see \(o.log)")
                if o.status == 2 { throw InputError("segment \(o.index)/\(segments) on \(o.host) refused its input (exit 2); see \(o.log)") }
            }
        }
        guard !logs.isEmpty else { throw InputError("no generator wrote a result; see \(out)/segment-*.log") }
        let results = try logs.map { try loadResult($0) }
        let status = try mergeSegments(results, files: logs, into: dir.appendingPathComponent("merged"), partial: partial, quiet: quiet)
        if status != 0 { throw ExitCode(status) }
    }

    private func writeKubernetes(command: SegmentCommand, scenarioName: String, startAt: String, dir: URL) throws {
        let jobName = name ?? "phibench-" + String(scenarioName.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
        guard KubernetesJob.isValidName(jobName) else {
            throw InputError("--name '\(jobName)': a Job name is 1–52 of a–z, 0–9 and '-', starting and ending with a letter or digit")
        }
        let text: String
        do { text = try String(contentsOfFile: scenario, encoding: .utf8) } catch { throw InputError("\(scenario): cannot read: \(error.localizedDescription)") }
        let job = KubernetesJob(name: jobName, image: image ?? "", scenario: text, command: command, startAt: startAt, namespace: namespace)
        let manifest = dir.appendingPathComponent("job.yaml"), collect = dir.appendingPathComponent("collect.sh")
        do {
            try job.manifest.write(to: manifest, atomically: true, encoding: .utf8)
            try job.collectScript(directory: dir.appendingPathComponent("results").path).write(to: collect, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: collect.path)
        } catch {
            throw InputError("\(out): cannot write the manifest: \(error.localizedDescription)")
        }
        let ns = namespace.map { " -n \($0)" } ?? ""
        print("""
            wrote \(manifest.relativePath) (ConfigMap \(jobName)-scenario + Indexed Job \(jobName), \(segments) pods) and \(collect.relativePath)
            common start \(startAt): apply it before then.

              kubectl apply\(ns) -f \(manifest.relativePath)
              kubectl wait\(ns) --for=condition=complete --timeout=1h job/\(jobName)
              \(collect.relativePath)
            """)
    }
}
