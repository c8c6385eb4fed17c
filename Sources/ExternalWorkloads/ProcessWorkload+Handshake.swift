import BenchModel
import Foundation

/// What a worker declared in its handshake, turned into the run's vocabulary.
package struct ProcessHandshake: Sendable, Equatable {
    /// The worker's stages in order, then `transport`; its metrics as per-episode samples.
    package var vocabulary: WorkloadVocabulary
    /// Stage names as the worker declared them (without `transport`).
    package var workerStages: [String]

    /// How many top-level stages and samples the worker declared, for the hot path.
    var stageIndex: [String: Int] {
        Dictionary(uniqueKeysWithValues: workerStages.enumerated().map { ($1, $0) })
    }
}

/// Why a process workload could not start: exit status 2 before any load.
package enum ProcessWorkloadError: Error, CustomStringConvertible, Equatable {
    /// A child did not complete the handshake.
    case handshake(command: String, worker: Int, reason: String, log: [String])
    /// A child declared other stages or metrics than the first one did.
    case vocabularyDiffers(command: String, worker: Int, expected: [String], got: [String])

    package var description: String {
        switch self {
        case .handshake(let command, let worker, let reason, let log):
            let tail = log.isEmpty ? "" : "\n  last lines of its stderr:\n" + log.map { "    " + $0 }.joined(separator: "\n")
            return "worker \(worker) (`\(command)`) failed the \(WorkerProtocol.version) handshake: \(reason)\(tail)"
        case .vocabularyDiffers(let command, let worker, let expected, let got):
            return "worker \(worker) (`\(command)`) declared \(got.joined(separator: ", ")), but the first worker declared \(expected.joined(separator: ", ")); every child must declare the same stages and metrics"
        }
    }
}

extension ProcessWorkload {
    /// The command line as it reads in a message.
    static func commandText(_ argv: [String]) -> String {
        argv.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }

    /// Starts one child and completes its handshake.
    /// - Throws: ``ProcessWorkloadError/handshake(command:worker:reason:log:)``.
    static func startChild(_ spec: ProcessWorkloadSpec, worker: Int, seed: UInt64, logPath: String)
        throws(ProcessWorkloadError) -> (ChildProcess, WorkerProtocol.InitReply) {
        let child: ChildProcess
        do {
            child = try ChildProcess(argv: spec.argv, directory: spec.directory, logPath: logPath)
        } catch {
            throw .handshake(command: commandText(spec.argv), worker: worker, reason: error.description, log: [])
        }
        let reply = try handshake(child, spec, worker: worker, seed: seed)
        return (child, reply)
    }

    /// Sends `init` and reads `init_ok`; on failure the child is killed and the error says why.
    private static func handshake(_ child: ChildProcess, _ spec: ProcessWorkloadSpec, worker: Int, seed: UInt64)
        throws(ProcessWorkloadError) -> WorkerProtocol.InitReply {
        func fail(_ reason: String) -> ProcessWorkloadError {
            child.kill9()
            return .handshake(command: commandText(spec.argv), worker: worker, reason: reason, log: child.lastLogLines())
        }
        let deadline = monotonicNanoseconds() &+ UInt64(spec.handshakeTimeout * 1e9)
        guard child.write(WorkerProtocol.initLine(worker: worker, seed: seed, params: spec.params)) else {
            _ = child.waitForExit(seconds: 1)
            throw fail("it closed its stdin before the init message (\(child.exitDescription))")
        }
        switch child.readLine(deadline: deadline) {
        case .line(let bytes):
            let reply: WorkerProtocol.InitReply
            do {
                reply = try JSONDecoder().decode(WorkerProtocol.InitReply.self, from: Data(bytes))
            } catch {
                throw fail("expected {\"type\":\"init_ok\",\"stages\":[…]}, got \(WorkerProtocol.quote(bytes))")
            }
            if reply.type == "error" { throw fail("it refused: \(reply.message ?? "(no message)")") }
            guard reply.type == "init_ok" else {
                throw fail("expected a message of type init_ok, got type \"\(reply.type)\": \(WorkerProtocol.quote(bytes))")
            }
            guard let stages = reply.stages, !stages.isEmpty else {
                throw fail("init_ok must list at least one stage: {\"type\":\"init_ok\",\"stages\":[\"parse\",\"score\"]}")
            }
            _ = stages
            return reply
        case .end:
            _ = child.waitForExit(seconds: 1)
            throw fail("it exited before answering (\(child.exitDescription))")
        case .timeout:
            throw fail("no init_ok within \(Units.formatNanoseconds(spec.handshakeTimeout * 1e9)) (killed)")
        case .tooLong:
            throw fail("its first line is longer than \(ChildProcess.maxLineBytes) bytes")
        }
    }

    /// The run's vocabulary from an `init_ok`: the worker's stages, `transport`, its metrics as
    /// per-episode samples, and the harness's fault counters.
    static func vocabulary(from reply: WorkerProtocol.InitReply, spec: ProcessWorkloadSpec, worker: Int)
        throws(ProcessWorkloadError) -> ProcessHandshake {
        func bad(_ reason: String) -> ProcessWorkloadError {
            .handshake(command: commandText(spec.argv), worker: worker, reason: reason, log: [])
        }
        var stages: [WorkloadVocabulary.Stage] = []
        var seen: Set<String> = []
        for d in reply.stages ?? [] {
            if let problem = WorkerProtocol.validName(d.name) { throw bad("stage \"\(d.name)\" \(problem)") }
            guard seen.insert(d.name).inserted else { throw bad("stage \"\(d.name)\" is declared twice") }
            if let parent = d.parent {
                guard stages.contains(where: { $0.name == parent && $0.parent == nil }) else {
                    throw bad("stage \"\(d.name)\" names parent \"\(parent)\", which is not an earlier top-level stage")
                }
            }
            stages.append(.init(d.name, parent: d.parent, summary: d.summary ?? ""))
        }
        let workerStages = stages.map(\.name)
        stages.append(.init(WorkerProtocol.transportStage,
                            summary: "Service time the worker's stages do not cover: pipes, JSON, process wake-ups (service − Σ stages)."))

        let harnessKeys = Set(MetricCatalogue.harnessMetrics.map(\.key) + counterKeys)
        var samples: [String] = []
        var metrics = counterDescriptors
        for d in reply.metrics ?? [] {
            if let problem = WorkerProtocol.validName(d.name) { throw bad("metric \"\(d.name)\" \(problem)") }
            guard !harnessKeys.contains(d.name) else { throw bad("metric \"\(d.name)\" is a metric of the harness; choose another name") }
            guard seen.insert(d.name).inserted else { throw bad("metric \"\(d.name)\" is declared twice (or is also a stage)") }
            var unit = MetricUnit.ratio
            if let u = d.unit {
                guard let parsed = MetricUnit(rawValue: u) else {
                    throw bad("metric \"\(d.name)\" has unit \"\(u)\"; expected one of \(MetricUnit.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                unit = parsed
            }
            var direction = MetricDirection.informational
            if let dir = d.direction {
                guard let parsed = MetricDirection(rawValue: dir) else {
                    throw bad("metric \"\(d.name)\" has direction \"\(dir)\"; expected lower, higher or informational")
                }
                direction = parsed
            }
            samples.append(d.name)
            metrics.append(MetricDescriptor(key: d.name, label: d.name, unit: unit, direction: direction, source: .sampleMean(d.name),
                                            summary: d.summary ?? "Mean per episode, as the worker reported it.",
                                            series: true, origin: .workload))
        }
        let vocabulary = WorkloadVocabulary(name: "process", stages: stages, counters: counterKeys, samples: samples, metrics: metrics)
        return ProcessHandshake(vocabulary: vocabulary, workerStages: workerStages)
    }

    /// Keys of the counters every process workload keeps.
    enum Counter: Int, CounterKind {
        case restarts, reported, crashed, timedOut, violated

        var key: String {
            switch self {
            case .restarts: "worker.restarts"
            case .reported: "worker.errors.reported"
            case .crashed: "worker.errors.crashed"
            case .timedOut: "worker.errors.timeout"
            case .violated: "worker.errors.protocol"
            }
        }

        var summary: String {
            switch self {
            case .restarts: "Children restarted after a crash, a hang or a protocol violation."
            case .reported: "Episodes the worker answered with an error message."
            case .crashed: "Episodes lost because the child exited."
            case .timedOut: "Episodes the child did not answer within workload.timeout (it was killed)."
            case .violated: "Episodes answered with a bad line, an unknown id, stage or metric."
            }
        }
    }

    static let counterKeys = Counter.allCases.map(\.key)
    static let counterDescriptors = Counter.descriptors
}
