import BenchModel
import ExternalWorkloads
import Foundation
import Harness

/// `workload: { process: [python3, worker.py], workers: 2 }`: any program speaking `phibench-worker/1`
/// on its stdin/stdout (docs/worker-protocol.md), one child per worker thread. The workers' handshake
/// is checked when the workload is prepared, before any load: its stages come from the workers.
struct ProcessProvider: ExternalProvider {
    static let kind = "process"
    static let preflightKey = "workload.process"
    static let keys = ["process", "workers", "timeout", "handshake_timeout", "max_restarts", "params"]
    static let example = "process: [python3, worker.py], workers: 2"

    var parameters: [WorkloadParameter] {
        [
            WorkloadParameter(name: "workload.process", defaultValue: "(required)",
                              description: "the worker's command as a list of arguments, run without a shell from the scenario's folder"),
            WorkloadParameter(name: "workload.workers", defaultValue: "1", description: "child processes (1 to 1,024), one episode in flight each"),
            WorkloadParameter(name: "workload.timeout", defaultValue: "2s", description: "longest answer to one episode before the child is killed"),
            WorkloadParameter(name: "workload.handshake_timeout", defaultValue: "10s", description: "longest answer to the handshake"),
            WorkloadParameter(name: "workload.max_restarts", defaultValue: "10", description: "child restarts allowed in one trial before the run stops (exit 1)"),
            WorkloadParameter(name: "workload.params", defaultValue: "{}", description: "a mapping passed to every child in its init message"),
        ]
    }

    static func concurrency(_ spec: ProcessWorkloadSpec) -> (limit: Int, setting: String, described: String, unit: String) {
        (spec.workers, "workload.workers", "workload.workers (\(spec.workers) child processes)", "child")
    }

    func preflight(_ spec: ProcessWorkloadSpec, _ input: WorkloadInput) throws(ProcessWorkloadError) -> any PreparedWorkload {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("phibench-preflight-\(getpid()).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let handshake = try ProcessWorkload.preflight(spec, seed: input.scenario.seed, logPath: log)
        return ProcessTarget(spec: spec, handshake: handshake, notes: RunNotes())
    }

    /// The worker processes `section` describes; children start in `directory`.
    static func spec(_ section: SettingValue?, directory: String) throws(WorkloadSettingError) -> ProcessWorkloadSpec {
        let (fields, argvValue) = try head(section)
        let items = try SettingReader.list(argvValue, key: "workload.process",
                                           expected: "the command as a list of arguments (no shell), like [python3, worker.py]")
        guard !items.isEmpty else {
            throw WorkloadSettingError(key: "workload.process", "got an empty list, expected a command, like [python3, worker.py]")
        }
        var argv: [String] = []
        for (i, item) in items.enumerated() {
            let arg = try SettingReader.text(item, key: "workload.process[\(i)]", expected: "a command-line argument")
            guard !arg.contains("\0") else {
                throw SettingReader.invalid(item, key: "workload.process[\(i)]", expected: "an argument without NUL")
            }
            argv.append(arg)
        }
        guard !argv[0].trimmingCharacters(in: [" ", "\t"]).isEmpty else {
            throw WorkloadSettingError(key: "workload.process[0]", "got an empty name, expected a program name or path")
        }
        var spec = ProcessWorkloadSpec(argv: argv, directory: directory)
        if let v = fields["workers"] { spec.workers = try SettingReader.integer(v, key: "workload.workers", maximum: 1024) }
        if let v = fields["timeout"] { spec.timeout = try SettingReader.duration(v, key: "workload.timeout") }
        if let v = fields["handshake_timeout"] { spec.handshakeTimeout = try SettingReader.duration(v, key: "workload.handshake_timeout") }
        if let v = fields["max_restarts"] {
            spec.maxRestarts = try SettingReader.integer(v, key: "workload.max_restarts", minimum: 0, maximum: 1_000_000)
        }
        if let v = fields["params"], !v.isNull {
            guard case .mapping = v else {
                throw SettingReader.invalid(v, key: "workload.params",
                                            expected: "a mapping passed to every child in its init message, e.g. `params: { size: 64 }`")
            }
            spec.params = v.json
        }
        return spec
    }
}

/// Worker processes (phibench-worker/1), their handshake already checked.
struct ProcessTarget: ExternalTarget {
    let spec: ProcessWorkloadSpec
    let handshake: ProcessHandshake
    let notes: RunNotes

    var vocabulary: WorkloadVocabulary { handshake.vocabulary }
    var concurrency: Int? { spec.workers }
    var record: JSONValue? { JSONValue.of(["process": spec], encoder: JSONCoding.encoder()) }

    func makeWorkload(_ context: WorkloadContext) throws -> ProcessWorkload {
        try ProcessWorkload(spec: spec, seed: context.seed, logDirectory: context.directory?.path ?? ".", expected: handshake) { message in
            notes.fail(message)
        }
    }
}
