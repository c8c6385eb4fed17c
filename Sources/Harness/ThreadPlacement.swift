import BenchModel
import CPause
import Synchronization

/// Where the harness pins its threads (the scenario's `affinity:`), resolved against the CPUs this
/// process may run on. Without an affinity nothing is pinned.
struct ThreadPlacement: Sendable {
    /// Worker i's CPU is `workers[i % workers.count]`; empty: workers are not pinned.
    let workers: [Int]
    /// The sampler's CPU, or nil.
    let sampler: Int?

    static let none = ThreadPlacement(workers: [], sampler: nil)

    private init(workers: [Int], sampler: Int?) {
        self.workers = workers
        self.sampler = sampler
    }

    /// Resolves `affinity` against the process's allowed CPUs.
    /// - Throws: ``HarnessError/invalid(_:)`` naming `affinity` when it names a CPU the process may not
    ///   use (absent, offline, or outside a `taskset`), with the CPUs it may.
    init(_ affinity: Affinity?) throws(HarnessError) {
        guard let affinity else {
            self = .none
            return
        }
        let allowed = Self.allowedCPUs()
        guard !allowed.isEmpty else { throw .invalid("affinity: cannot read the CPUs this process may run on (sched_getaffinity failed)") }
        let (workerCPUs, sampler) = affinity.resolve(allowed: allowed)
        let unknown = (workerCPUs + [sampler]).filter { !allowed.contains($0) }
        guard unknown.isEmpty else {
            let list = allowed.map(String.init).joined(separator: ", ")
            throw .invalid("affinity: CPU \(unknown.map(String.init).joined(separator: ", ")) is not one this process may run on; expected CPUs from [\(list)]")
        }
        self.init(workers: workerCPUs, sampler: sampler)
    }

    /// Pins the calling thread as worker `id`; nothing when workers are not pinned.
    func pinWorker(_ id: Int) throws(HarnessError) {
        guard !workers.isEmpty else { return }
        try Self.pin(to: workers[id % workers.count], thread: "worker \(id)")
    }

    /// Pins the calling thread as the sampler; nothing when the sampler is not pinned.
    func pinSampler() throws(HarnessError) {
        guard let sampler else { return }
        try Self.pin(to: sampler, thread: "the sampler")
    }

    private static func pin(to cpu: Int, thread: String) throws(HarnessError) {
        let rc = phibench_pin_current_thread(Int32(cpu))
        guard rc == 0 else { throw .invalid("affinity: cannot pin \(thread) to CPU \(cpu): sched_setaffinity failed with error \(rc)") }
    }

    /// The CPUs the calling thread may run on, ascending (empty if they cannot be read).
    static func allowedCPUs() -> [Int] {
        var cpus = [Int32](repeating: 0, count: 1024)
        let n = cpus.withUnsafeMutableBufferPointer { phibench_allowed_cpus($0.baseAddress, Int32($0.count)) }
        return n > 0 ? cpus.prefix(Int(n)).map(Int.init) : []
    }

    /// The CPU the calling thread runs on now, or nil.
    static func currentCPU() -> Int? {
        let cpu = phibench_current_cpu()
        return cpu >= 0 ? Int(cpu) : nil
    }
}
