import BenchModel
import Foundation
import Synchronization

/// The pipeline's episodic and metrics store. One instance per run, shared by every worker.
///
/// INTERFACE STUB: the `off` level below is the naive baseline; the optimised levels are to be built
/// behind the same API (see DESIGN.md "The memory layer").
public final class MemoryStore: Sendable {
    public let level: MemoryLevel
    private let states = Mutex<[ConsciousState]>([])

    /// Creates a store at `level`, keeping on-disk tiers (if the level has any) under `directory`.
    /// - Throws: ``MemoryLayerError`` when the directory or a tier cannot be set up.
    public init(level: MemoryLevel, directory: URL?) throws(MemoryLayerError) {
        self.level = level
    }

    /// Stores `state` and returns its id.
    /// - Throws: ``MemoryLayerError`` when the state cannot be stored.
    @discardableResult
    public func store(_ state: ConsciousState) throws(MemoryLayerError) -> UInt64 {
        states.withLock { s in
            s.append(state)
            return UInt64(s.count - 1)
        }
    }

    /// The state stored under `id`, or nil if there is none.
    public func retrieve(_ id: UInt64) throws(MemoryLayerError) -> ConsciousState? {
        states.withLock { s in id < s.count ? s[Int(id)] : nil }
    }

    /// Ids and cosine similarities of the `k` stored states most similar to `embedding`, best first.
    public func similar(to embedding: [Float], k: Int) throws(MemoryLayerError) -> [(id: UInt64, score: Float)] {
        states.withLock { s in
            var scored: [(id: UInt64, score: Float)] = []
            scored.reserveCapacity(s.count)
            for (i, st) in s.enumerated() {
                scored.append((UInt64(i), cosine(st.embedding, embedding)))
            }
            scored.sort { $0.score > $1.score }
            return Array(scored.prefix(k))
        }
    }

    /// Statistics for result.json.
    public func statistics() -> MemoryLayerStats {
        let count = states.withLock { UInt64($0.count) }
        return MemoryLayerStats(level: level.rawValue, storedStates: count)
    }
}

func cosine(_ a: [Float], _ b: [Float]) -> Float {
    var dot: Float = 0, na: Float = 0, nb: Float = 0
    for i in 0..<min(a.count, b.count) {
        dot += a[i] * b[i]
        na += a[i] * a[i]
        nb += b[i] * b[i]
    }
    let d = (na * nb).squareRoot()
    return d == 0 ? 0 : dot / d
}

/// Why the memory layer could not do what it was asked.
public enum MemoryLayerError: Error, CustomStringConvertible, Equatable {
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .io(let path, let reason): "\(path): \(reason)"
        }
    }
}
