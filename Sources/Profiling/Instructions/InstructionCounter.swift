import BenchModel
import CValgrind
import Foundation
import Synchronization

/// The counted part of `phibench instructions`, run inside the process valgrind started: warm-up
/// episodes uninstrumented, then a fixed number of episodes closed loop on the calling thread with
/// callgrind collecting, each episode through the function `phibench_episode` and each stage
/// through `phibench_stage_NN` (NN = the stage's index), whose inclusive costs the parent reads.
package enum InstructionCounter {
    /// What the counted run did, written next to the callgrind output for the parent to read.
    package struct Summary: Sendable, Codable, Equatable {
        /// The workload's stage names, in index order.
        package var stageNames: [String]
        package var warmupEpisodes: UInt64
        /// Episodes run while callgrind collected.
        package var episodes: UInt64
        /// Counted episodes that threw (their instructions are in the counts).
        package var failedEpisodes: UInt64
        /// What the first failing episode threw.
        package var firstError: String?
        /// The allocator the counted thread used (`jemalloc, arena 9 of its own`).
        package var allocator: String?

        package init(stageNames: [String], warmupEpisodes: UInt64, episodes: UInt64, failedEpisodes: UInt64 = 0,
                    firstError: String? = nil) {
            self.stageNames = stageNames
            self.warmupEpisodes = warmupEpisodes
            self.episodes = episodes
            self.failedEpisodes = failedEpisodes
            self.firstError = firstError
        }

        enum CodingKeys: String, CodingKey {
            case stageNames = "stage_names"
            case warmupEpisodes = "warmup_episodes"
            case episodes
            case failedEpisodes = "failed_episodes"
            case firstError = "first_error"
            case allocator
        }
    }

    /// The most episodes one count may run (warm-up and counted each): far beyond what a gate needs,
    /// small enough that no per-episode sum can overflow.
    package static let maxEpisodes: UInt64 = 10_000_000

    /// The symbol whose inclusive cost is stage `index`'s, or nil past the last trampoline.
    package static func stageSymbol(_ index: Int) -> String? {
        guard index >= 0, index < Int(PHIBENCH_STAGE_TRAMPOLINES) else { return nil }
        return index < 10 ? "phibench_stage_0\(index)" : "phibench_stage_\(index)"
    }

    /// Empty stages measured after the counted episodes to find what attribution costs per call.
    package static let overheadProbes: UInt64 = 100

    /// The symbol whose inclusive cost is one episode's.
    package static let episodeSymbol = "phibench_episode"

    /// Whether this binary's client requests reach callgrind (it was built with valgrind's headers).
    package static var clientRequestsAvailable: Bool { phibench_valgrind_headers() != 0 }

    /// Whether this process runs under valgrind.
    package static var runningOnValgrind: Bool { phibench_running_on_valgrind() != 0 }

    /// The extra work `scenario`'s faults put into stages, as (stage index, iterations).
    /// - Throws: ``InstructionCountError/unsupportedFault(index:fault:)`` for a fault that is not a
    ///   fixed amount of work (a wall-time `extra:`, a stall, a leak),
    ///   ``InstructionCountError/unknownStage(_:known:)`` for a stage the workload lacks.
    package static func injectedWork(_ faults: [Fault], stageNames: [String]) throws(InstructionCountError) -> (stage: Int, iterations: UInt64)? {
        var work: (Int, UInt64)?
        for (i, fault) in faults.enumerated() {
            switch fault {
            case .slowWork(let stage, let iterations):
                guard let index = stageNames.firstIndex(of: stage) else { throw .unknownStage(stage, known: stageNames) }
                work = (index, iterations)
            case .slow(let stage, _):
                throw .unsupportedFault(index: i, fault: "`slow: \(stage), extra:` (a wall-time spin)")
            case .stall:
                throw .unsupportedFault(index: i, fault: "a stall (a wall-time pause)")
            case .leak:
                throw .unsupportedFault(index: i, fault: "a leak")
            }
        }
        return work
    }

    /// Creates a workload with `makeWorkload` and runs `warmup` episodes, then `episodes` counted
    /// ones, on one worker, with the work `faults` inject. Episode numbers start at 0, so the same
    /// settings always count the same stimuli.
    ///
    /// Everything happens on a ``CountingThread``, whose stack and heap do not depend on what other
    /// threads of the process did or when: addresses decide which path vectorised loops and the
    /// allocator take, and so the count.
    /// - Throws: ``InstructionCountError/notUnderValgrind`` outside valgrind,
    ///   ``InstructionCountError/clientRequestsMissing`` without client requests,
    ///   ``InstructionCountError/invalidSetting(_:)`` for episode counts out of range or a workload
    ///   that cannot start, fault errors from ``injectedWork(_:stageNames:)``.
    package static func run<W: Workload>(makeWorkload: @escaping @Sendable () throws -> W, faults: [Fault], warmup: UInt64,
                                        episodes: UInt64) throws(InstructionCountError) -> Summary {
        guard clientRequestsAvailable else { throw .clientRequestsMissing }
        guard runningOnValgrind else { throw .notUnderValgrind }
        try validate(warmup: warmup, episodes: episodes)
        let outcome = Mutex<Result<Summary, InstructionCountError>?>(nil)
        try CountingThread.run { allocator in
            let result = Result { () throws(InstructionCountError) -> Summary in
                let workload: W
                do {
                    workload = try makeWorkload()
                } catch {
                    throw .invalidSetting("the workload could not start: \(error)")
                }
                var summary = try count(workload, faults: faults, warmup: warmup, episodes: episodes)
                summary.allocator = allocator
                return summary
            }
            outcome.withLock { $0 = result }
        }
        guard let result = outcome.withLock({ $0 }) else { fatalError("the counting thread finished without a result") }
        return try result.get()
    }

    private static func count<W: Workload>(_ workload: W, faults: [Fault], warmup: UInt64,
                                           episodes: UInt64) throws(InstructionCountError) -> Summary {
        let stageNames = workload.stageNames
        let work = try injectedWork(faults, stageNames: stageNames)
        var worker: W.Worker
        do {
            worker = try workload.makeWorker(id: 0)
        } catch {
            throw .invalidSetting("the workload's worker could not start: \(error)")
        }
        var timings = StageTimings(stageCount: stageNames.count, workStage: work?.stage, workIterations: work?.iterations ?? 0)
        timings.router = CallgrindStageRouter()
        var summary = Summary(stageNames: stageNames, warmupEpisodes: warmup, episodes: episodes)

        for episode in 0..<warmup {
            timings.reset()
            _ = try? worker.runEpisode(episode, timings: &timings)
        }
        phibench_callgrind_start_instrumentation()
        phibench_callgrind_zero_stats()
        phibench_callgrind_toggle_collect()
        for episode in warmup..<(warmup + episodes) {
            timings.reset()
            var failure: (any Error)?
            callThroughEpisodeTrampoline {
                do { try worker.runEpisode(episode, timings: &timings) } catch { failure = error }
            }
            if let failure {
                summary.failedEpisodes += 1
                if summary.firstError == nil { summary.firstError = "\(failure)" }
            }
        }
        // What attribution itself costs: an empty stage measured through the last trampoline,
        // which no workload with fewer stages uses. Every stage figure includes this much per call.
        if stageNames.count < Int(PHIBENCH_STAGE_TRAMPOLINES) {
            var probe = StageTimings(stageCount: Int(PHIBENCH_STAGE_TRAMPOLINES))
            probe.router = timings.router
            for _ in 0..<overheadProbes { probe.measure(Int(PHIBENCH_STAGE_TRAMPOLINES) - 1) {} }
        }
        phibench_callgrind_toggle_collect()
        phibench_callgrind_stop_instrumentation()
        return summary
    }

    /// Checks episode counts: 0…``maxEpisodes`` warm-up, 1…``maxEpisodes`` counted.
    /// - Throws: ``InstructionCountError/invalidSetting(_:)`` naming the accepted range.
    package static func validate(warmup: UInt64, episodes: UInt64) throws(InstructionCountError) {
        guard (1...maxEpisodes).contains(episodes) else {
            throw .invalidSetting("--episodes must be 1…\(maxEpisodes), got \(episodes)")
        }
        guard warmup <= maxEpisodes else {
            throw .invalidSetting("--warmup must be 0…\(maxEpisodes) episodes, got \(warmup)")
        }
    }

    /// Calls `body` through the C trampoline `phibench_episode`.
    private static func callThroughEpisodeTrampoline(_ body: () -> Void) {
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                phibench_call_episode({ context in
                    context!.assumingMemoryBound(to: (() -> Void).self).pointee()
                }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    }
}

/// Calls each stage body through the C trampoline `phibench_stage_NN` for its index, so callgrind
/// attributes the body's instructions (and injected work) to that function.
final class CallgrindStageRouter: StageRouter {
    func call(stage: Int, _ body: () -> Void) {
        let index = stage >= 0 && stage < Int(PHIBENCH_STAGE_TRAMPOLINES) ? Int32(stage) : -1
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                phibench_call_stage(index, { context in
                    context!.assumingMemoryBound(to: (() -> Void).self).pointee()
                }, UnsafeMutableRawPointer(mutating: pointer))
            }
        }
    }
}
