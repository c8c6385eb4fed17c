import BenchModel

/// A workload of pure busy work, for testing the harness and measuring its own overhead: each stage
/// spins for a fixed time. With zero work it is the "no-op" workload (`phibench run --workload noop`).
public final class SyntheticWorkload: Workload {
    public let vocabulary: WorkloadVocabulary
    /// Busy nanoseconds per stage, per episode.
    public let stageNanoseconds: [UInt64]
    /// Bytes allocated (and freed) per episode, to give allocation counters something to count.
    public let allocationBytes: Int

    public init(stages: [(name: String, nanoseconds: UInt64)] = [("A", 0), ("B", 0)], allocationBytes: Int = 0) {
        vocabulary = WorkloadVocabulary(name: "noop", stages: stages.map { .init($0.name) })
        stageNanoseconds = stages.map(\.nanoseconds)
        self.allocationBytes = allocationBytes
    }

    public func makeWorker(id: Int) throws -> Worker { Worker(workload: self) }


    public struct Worker: WorkloadWorker {
        let workload: SyntheticWorkload

        init(workload: SyntheticWorkload) { self.workload = workload }

        public mutating func runEpisode(_ episode: UInt64, timings: inout StageTimings) throws {
            for (i, ns) in workload.stageNanoseconds.enumerated() {
                timings.measure(i) {
                    if workload.allocationBytes > 0 {
                        let p = UnsafeMutableRawPointer.allocate(byteCount: workload.allocationBytes, alignment: 16)
                        p.storeBytes(of: UInt8(truncatingIfNeeded: episode), as: UInt8.self)
                        p.deallocate()
                    }
                    spin(nanoseconds: ns)
                }
            }
        }
    }
}
