import BenchModel
import Foundation

extension ProcessWorkload {
    /// Runs one episode on `slot`'s child: writes `episode`, waits for its answer until the timeout,
    /// records the stages, the samples and `transport`. A fault fails the episode and retires the
    /// child; the next episode on this slot starts a new one.
    func run(_ episode: UInt64, on slot: Slot, timings: inout StageTimings) throws {
        if let reason = fatal.withLock({ $0 }) { throw EpisodeFailure(reason) }
        let child: ChildProcess
        if let c = slot.child {
            child = c
        } else {
            child = try restart(slot)
        }
        let begin = monotonicNanoseconds()
        WorkerProtocol.episodeLine(episode, into: &slot.line)
        guard child.write(slot.line) else {
            _ = child.waitForExit(seconds: 1)
            throw fault(slot, .crashed, "worker \(slot.index) closed its stdin (\(child.exitDescription))\(stderrTail(child))")
        }
        let reply: WorkerProtocol.Reply
        switch child.readLine(deadline: begin &+ UInt64(spec.timeout * 1e9)) {
        case .line(let bytes):
            do {
                reply = try bytes.withUnsafeBytes { raw in
                    try slot.decoder.decode(WorkerProtocol.Reply.self, from: Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: raw.baseAddress!),
                                                                                 count: raw.count, deallocator: .none))
                }
            } catch {
                throw fault(slot, .violated, "worker \(slot.index) answered episode \(episode) with a line that is not a protocol message: \(WorkerProtocol.quote(bytes))")
            }
        case .end:
            _ = child.waitForExit(seconds: 1)
            throw fault(slot, .crashed, "worker \(slot.index) died during episode \(episode) (\(child.exitDescription))\(stderrTail(child))")
        case .timeout:
            throw fault(slot, .timedOut, "worker \(slot.index) did not answer episode \(episode) within \(Units.formatNanoseconds(spec.timeout * 1e9)) (killed)")
        case .tooLong:
            throw fault(slot, .violated, "worker \(slot.index) wrote a line longer than \(ChildProcess.maxLineBytes) bytes in episode \(episode)")
        }

        guard reply.id == episode else {
            let got = reply.id.map(String.init) ?? "none"
            throw fault(slot, .violated, "worker \(slot.index) answered id \(got) to episode \(episode) (type \"\(reply.type)\")")
        }
        switch reply.type {
        case "done":
            var covered: UInt64 = 0
            for (name, value) in reply.stages ?? [:] {
                guard let index = stageIndex[name] else {
                    throw fault(slot, .violated, "worker \(slot.index) reported unknown stage \"\(name)\" in episode \(episode); its handshake declared \(handshake.workerStages.joined(separator: ", "))")
                }
                guard value.isFinite, value >= 0, value < 1e15 else {
                    throw fault(slot, .violated, "worker \(slot.index) reported stage \"\(name)\" = \(value) ns in episode \(episode); expected a duration in ns ≥ 0")
                }
                let ns = UInt64(value.rounded())
                timings.add(index, ns)
                if topLevel[index] { covered &+= ns }
            }
            for (name, value) in reply.metrics ?? [:] {
                guard let index = sampleIndex[name] else {
                    throw fault(slot, .violated, "worker \(slot.index) reported undeclared metric \"\(name)\" in episode \(episode); declare it in init_ok's \"metrics\"")
                }
                guard value.isFinite else {
                    throw fault(slot, .violated, "worker \(slot.index) reported metric \"\(name)\" = \(value) in episode \(episode)")
                }
                timings.sample(index, value)
            }
            let elapsed = monotonicNanoseconds() &- begin
            timings.add(transportIndex, elapsed > covered ? elapsed - covered : 0)
        case "error":
            counts.add(.reported)
            throw EpisodeFailure("worker \(slot.index), episode \(episode): \(reply.message ?? "(no message)")")
        default:
            throw fault(slot, .violated, "worker \(slot.index) answered episode \(episode) with type \"\(reply.type)\"; expected done or error")
        }
    }

    var transportIndex: Int { vocabulary.stages.count - 1 }

    /// Counts the fault, retires the child (killed, reaped), notes the reason, spends one restart,
    /// and returns the episode's error. Past the limit, the run is stopped through `onFatal`.
    func fault(_ slot: Slot, _ kind: Counter, _ reason: String) -> EpisodeFailure {
        counts.add(kind)
        slot.child?.kill9()
        slot.child = nil
        faultLog.withLock { if $0.count < 20 { $0.append(reason) } }
        appendToLog(slot.index, "--- phibench: \(reason); the child was stopped ---")
        if restartsLeft.subtract(1, ordering: .relaxed).newValue < 0 {
            stopRun("workload stopped: \(spec.maxRestarts + 1) faults exceeded workload.max_restarts (\(spec.maxRestarts)) in this trial; the last: \(reason)")
        }
        return EpisodeFailure(reason)
    }

    /// Starts a new child for `slot` (after a fault) and checks it declares what the first did.
    func restart(_ slot: Slot) throws -> ChildProcess {
        counts.add(.restarts)
        appendToLog(slot.index, "--- phibench: restarting worker \(slot.index) ---")
        do {
            let (child, reply) = try Self.startChild(spec, worker: slot.index, seed: seed, logPath: Self.logPath(logDirectory, slot.index))
            let declared = try Self.vocabulary(from: reply, spec: spec, worker: slot.index)
            guard declared == handshake else {
                child.kill9()
                throw ProcessWorkloadError.vocabularyDiffers(
                    command: Self.commandText(spec.argv), worker: slot.index,
                    expected: handshake.vocabulary.stages.map(\.name), got: declared.vocabulary.stages.map(\.name))
            }
            slot.child = child
            return child
        } catch {
            let message = "workload stopped: worker \(slot.index) could not be restarted: \(error)"
            stopRun(message)
            throw EpisodeFailure(message)
        }
    }

    private func stopRun(_ message: String) {
        let first = fatal.withLock { f -> Bool in
            guard f == nil else { return false }
            f = message
            return true
        }
        if first { onFatal(message) }
    }

    private func stderrTail(_ child: ChildProcess) -> String {
        let lines = child.lastLogLines(3)
        return lines.isEmpty ? "" : "; its stderr ended: " + lines.joined(separator: " | ")
    }

    /// A line of phibench's own in a worker's log, so the log reads in order with the faults.
    func appendToLog(_ worker: Int, _ text: String) {
        guard let handle = FileHandle(forWritingAtPath: Self.logPath(logDirectory, worker)) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((text + "\n").utf8))
    }
}
