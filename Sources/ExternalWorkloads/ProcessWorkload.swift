import BenchModel
import Foundation
import Synchronization

/// An episode that failed; its message is what the result's "first error" shows.
package struct EpisodeFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// A system under test made of child processes speaking `phibench-worker/1` (docs/worker-protocol.md).
///
/// One child per harness worker thread, so exactly one episode is in flight per child and the hot
/// path is a blocking write and a `poll`ed read on that thread: no locks, no thread hops. Faults
/// are measured, not fatal: a child that exits, hangs past `timeout` or breaks the protocol fails
/// that episode (with the reason), is killed and is started again before its next episode, up to
/// `max_restarts` per trial; past that, `onFatal` is called once (the CLI stops the run and exits 1)
/// and every further episode fails at once.
package final class ProcessWorkload: Workload {
    package let vocabulary: WorkloadVocabulary
    package var runsOutsideProcess: Bool { true }
    let spec: ProcessWorkloadSpec
    let handshake: ProcessHandshake
    let seed: UInt64
    let logDirectory: String
    let slots: [Slot]
    let counts = EventCounters<Counter>()
    let restartsLeft: Atomic<Int>
    let fatal = Mutex<String?>(nil)
    let faultLog = Mutex<[String]>([])
    let onFatal: @Sendable (String) -> Void
    /// Hot-path lookups: stage and sample index by name; whether stage i is top-level.
    let stageIndex: [String: Int]
    let sampleIndex: [String: Int]
    let topLevel: [Bool]

    /// Starts one child, reads its handshake and stops it again: what the run's catalogue and the
    /// threshold check need before any load. Its stderr goes to `logPath`.
    /// - Throws: ``ProcessWorkloadError`` (exit status 2 in the CLI, naming the command).
    package static func preflight(_ spec: ProcessWorkloadSpec, seed: UInt64, logPath: String) throws(ProcessWorkloadError) -> ProcessHandshake {
        let (child, reply) = try startChild(spec, worker: 0, seed: seed, logPath: logPath)
        defer { child.stop() }
        return try vocabulary(from: reply, spec: spec, worker: 0)
    }

    /// Starts `spec.workers` children (stderr to `worker-<n>.log` in `logDirectory`) and completes
    /// every handshake; each must declare what `expected` (the preflight) declared, if given.
    /// - Parameter onFatal: called once when the restart limit is reached, with the message.
    /// - Throws: ``ProcessWorkloadError`` when a child cannot start or fails its handshake.
    package init(spec: ProcessWorkloadSpec, seed: UInt64, logDirectory: String, expected: ProcessHandshake? = nil,
                onFatal: @escaping @Sendable (String) -> Void = { _ in }) throws(ProcessWorkloadError) {
        self.spec = spec
        self.seed = seed
        self.logDirectory = logDirectory
        self.onFatal = onFatal
        restartsLeft = Atomic(spec.maxRestarts)
        var slots: [Slot] = []
        var first = expected
        defer { if slots.count < spec.workers { slots.forEach { $0.child?.kill9() } } }
        for worker in 0..<spec.workers {
            let log = Self.logPath(logDirectory, worker)
            let (child, reply) = try Self.startChild(spec, worker: worker, seed: seed, logPath: log)
            let declared: ProcessHandshake
            do {
                declared = try Self.vocabulary(from: reply, spec: spec, worker: worker)
            } catch {
                child.kill9()
                throw error
            }
            if let first, first != declared {
                child.kill9()
                throw .vocabularyDiffers(command: Self.commandText(spec.argv), worker: worker,
                                         expected: first.vocabulary.stages.map(\.name) + first.vocabulary.samples,
                                         got: declared.vocabulary.stages.map(\.name) + declared.vocabulary.samples)
            }
            first = declared
            slots.append(Slot(index: worker, child: child))
        }
        self.slots = slots
        handshake = first!
        vocabulary = handshake.vocabulary
        stageIndex = handshake.stageIndex
        sampleIndex = Dictionary(uniqueKeysWithValues: vocabulary.samples.enumerated().map { ($1, $0) })
        topLevel = vocabulary.stages.map { $0.parent == nil }
    }

    deinit {
        // Every child at once: close all stdins, then give each its grace period (in parallel).
        let children = slots.compactMap(\.child)
        children.forEach { $0.closeInput() }
        // Each child's grace period runs in parallel: the slowest, not the sum, bounds the wait.
        nonisolated(unsafe) let stopping = children
        DispatchQueue.concurrentPerform(iterations: stopping.count) { stopping[$0].stop() }
    }

    static func logPath(_ directory: String, _ worker: Int) -> String {
        URL(fileURLWithPath: directory).appendingPathComponent("worker-\(worker).log").path
    }

    package func makeWorker(id: Int) throws -> Worker {
        guard slots.indices.contains(id) else {
            // The scenario loader keeps worker threads ≤ workload.workers; a library caller may not.
            throw EpisodeFailure("worker thread \(id) has no child: workload.workers is \(slots.count)")
        }
        return Worker(workload: self, slot: slots[id])
    }

    package func statistics() -> WorkloadStatistics { counts.statistics }

    package func details() -> JSONValue? {
        var out: [String: JSONValue] = [
            "protocol": .string(WorkerProtocol.version),
            "command": .string(Self.commandText(spec.argv)),
            "directory": .string(spec.directory),
            "workers": .number(Double(spec.workers)),
            "stages": .string(handshake.workerStages.joined(separator: ", ")),
            "restarts": .number(Double(counts.value(.restarts))),
            "logs": .string(URL(fileURLWithPath: logDirectory).appendingPathComponent("worker-<n>.log").path),
        ]
        let faults = faultLog.withLock { $0 }
        if !faults.isEmpty { out["faults"] = .array(faults.map(JSONValue.string)) }
        if let f = fatal.withLock({ $0 }) { out["stopped"] = .string(f) }
        return .object(out)
    }

    /// Process ids of the current children, by worker index (nil where a retired child awaits its restart).
    package var childProcessIDs: [Int32?] { slots.map { $0.child?.pid } }

    /// Set when the restart limit was reached: why the run stopped.
    package var fatalReason: String? { fatal.withLock { $0 } }

    /// The per-thread side: one child, one episode at a time.
    package struct Worker: WorkloadWorker {
        let workload: ProcessWorkload
        let slot: Slot

        package mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            try workload.run(episode, on: slot, timings: &timings)
        }
    }

    /// A child and the buffers of the thread that drives it. Used by one worker thread at a time
    /// (thread `index` of each phase; phases run one after another), hence unchecked.
    final class Slot: @unchecked Sendable {
        let index: Int
        var child: ChildProcess?
        var line: [UInt8] = []
        let decoder = JSONDecoder()

        init(index: Int, child: ChildProcess) {
            self.index = index
            self.child = child
            line.reserveCapacity(64)
        }
    }
}
