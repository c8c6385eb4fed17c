#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Integrated information Φ of a small binary system, after Balduzzi & Tononi (2008):
/// the effective information a state generates across its minimum-information bipartition.
///
/// The system is k binary units with a logistic transition model derived from weights:
/// P(xᵢ′ = 1 | x) = σ(β·(Σⱼ wᵢⱼ·xⱼ + s·xᵢ − θᵢ)), θᵢ = (Σⱼ wᵢⱼ + s) / 2, units independent given x.
/// For the current state x₁ the whole system's cause repertoire is p(X₀ | x₁) (uniform prior);
/// a part's repertoire treats inputs from the other part as uniform noise. For each bipartition
/// {M, M̄}, EI = KL(p(X₀ | x₁) ‖ p(M₀ | m₁) ⊗ p(M̄₀ | m̄₁)); the MIP minimises EI / min(|M|, |M̄|);
/// Φ = EI(MIP), in bits. All 2^(k−1) − 1 bipartitions are tried, so the cost grows about as 4^k.
///
/// A scratch object sized once for `maxNodes`; owned by one worker; not thread-safe.
package final class PhiCalculator {
    /// Largest system this calculator can evaluate.
    package let maxNodes: Int
    private let weights: UnsafeMutableBufferPointer<Double>
    /// table[i·2^k + x₀] = P(unit i takes its current value | previous state x₀).
    private let table: UnsafeMutableBufferPointer<Double>
    private let posterior, q1, q2, a1, a2, b1, b2: UnsafeMutableBufferPointer<Double>
    private let members: UnsafeMutableBufferPointer<Int>
    private let complement: UnsafeMutableBufferPointer<Int>

    /// - Parameter maxNodes: 1...16 (the tables hold maxNodes · 2^maxNodes values).
    package init(maxNodes: Int) {
        precondition((1...16).contains(maxNodes), "PhiCalculator supports 1...16 nodes")
        self.maxNodes = maxNodes
        let states = 1 << maxNodes
        func zeros(_ n: Int) -> UnsafeMutableBufferPointer<Double> {
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
            b.initialize(repeating: 0)
            return b
        }
        weights = zeros(maxNodes * maxNodes)
        table = zeros(maxNodes * states)
        posterior = zeros(states)
        q1 = zeros(states)
        q2 = zeros(states)
        a1 = zeros(states)
        a2 = zeros(states)
        b1 = zeros(states)
        b2 = zeros(states)
        members = .allocate(capacity: maxNodes)
        members.initialize(repeating: 0)
        complement = .allocate(capacity: maxNodes)
        complement.initialize(repeating: 0)
    }

    deinit {
        for b in [weights, table, posterior, q1, q2, a1, a2, b1, b2] { b.deallocate() }
        members.deallocate()
        complement.deallocate()
    }

    /// Φ in bits of a `k`-unit system in state `state` (bit i = unit i).
    /// - Parameters:
    ///   - weights: k×k row-major; `weights[i*k + j]` is the influence of unit j on unit i
    ///     (the diagonal is ignored; `selfWeight` is used instead).
    ///   - gain: β of the logistic units (> 0).
    ///   - selfWeight: s, each unit's weight on its own previous value.
    package func phi(weights w: [Double], nodes k: Int, state: UInt32, gain: Double, selfWeight: Double) -> Double {
        precondition(k >= 1 && k <= maxNodes && w.count == k * k, "weights must be k×k with k ≤ maxNodes")
        for i in 0..<(k * k) { weights[i] = w[i] }
        return compute(k: k, state: state, gain: gain, selfWeight: selfWeight)
    }

    /// Φ of the TIG subsystem on `nodes` (graph ids ascending, k = nodes.count) in `state`. The
    /// transition model's weights are the graph's effective connectivity between the nodes: the
    /// direct edge weight plus half the two-hop path weight through any node of the graph, so
    /// nodes linked through an unselected neighbour still influence each other.
    func phi(graph: TIGGraph, nodes: UnsafeBufferPointer<Int32>, state: UInt32, gain: Double, selfWeight: Double) -> Double {
        let k = nodes.count
        for i in 0..<(k * k) { weights[i] = 0 }
        graph.rowStart.withUnsafeBufferPointer { rows in
            graph.neighbors.withUnsafeBufferPointer { nbrs in
                graph.weights.withUnsafeBufferPointer { w in
                    for i in 0..<k {
                        let a = Int(nodes[i])
                        for e in Int(rows[a])..<Int(rows[a + 1]) {
                            let b = Int(nbrs[e])
                            if let j = Self.position(of: b, in: nodes), j != i { weights[i * k + j] += w[e] }
                            for f in Int(rows[b])..<Int(rows[b + 1]) {
                                if let j = Self.position(of: Int(nbrs[f]), in: nodes), j != i {
                                    weights[i * k + j] += 0.5 * w[e] * w[f]
                                }
                            }
                        }
                    }
                }
            }
        }
        return compute(k: k, state: state, gain: gain, selfWeight: selfWeight)
    }

    /// Index of `node` in the ascending list `nodes`, by binary search.
    private static func position(of node: Int, in nodes: UnsafeBufferPointer<Int32>) -> Int? {
        var lo = 0, hi = nodes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(nodes[mid]) < node { lo = mid + 1 } else { hi = mid }
        }
        return lo < nodes.count && Int(nodes[lo]) == node ? lo : nil
    }

    private func compute(k: Int, state: UInt32, gain: Double, selfWeight: Double) -> Double {
        guard k >= 2 else { return 0 }
        let states = 1 << k
        let full = states - 1
        buildTable(k: k, state: state, gain: gain, selfWeight: selfWeight)

        // The whole system's cause repertoire and its negative entropy.
        for x in 0..<states { posterior[x] = table[x] }
        for i in 1..<k {
            let row = table.baseAddress! + i * states
            for x in 0..<states { posterior[x] *= row[x] }
        }
        var z = 0.0
        for x in 0..<states { z += posterior[x] }
        var negentropy = 0.0
        for x in 0..<states {
            let p = posterior[x] / z
            posterior[x] = p
            if p > 0 { negentropy += p * log(p) }
        }

        var bestNormalized = Double.infinity
        var bestEI = 0.0
        // Bipartitions {M, M̄} with the top unit always in M̄, so each is visited once.
        for m in 1..<(states >> 1) {
            var sizeM = 0, sizeC = 0
            for i in 0..<k {
                if m & (1 << i) != 0 { members[sizeM] = i; sizeM += 1 } else { complement[sizeC] = i; sizeC += 1 }
            }
            product(into: q1, rows: members, count: sizeM, states: states)
            product(into: q2, rows: complement, count: sizeC, states: states)
            let c = full & ~m
            for x in 0..<states {
                let i1 = x & m, i2 = x & c
                a1[i1] += q1[x]
                b1[i1] += posterior[x]
                a2[i2] += q2[x]
                b2[i2] += posterior[x]
            }
            let ei = negentropy - crossEntropy(a1, b1, mask: m) - crossEntropy(a2, b2, mask: c)
            let normalized = ei / Double(min(sizeM, sizeC))
            if normalized < bestNormalized {
                bestNormalized = normalized
                bestEI = ei
            }
        }
        return max(0, bestEI / M_LN2)
    }

    /// Fills `table` for the current state.
    private func buildTable(k: Int, state: UInt32, gain: Double, selfWeight: Double) {
        let states = 1 << k
        for i in 0..<k {
            var rowSum = selfWeight
            for j in 0..<k where j != i { rowSum += weights[i * k + j] }
            let threshold = 0.5 * rowSum
            let on = state & (1 << UInt32(i)) != 0
            let row = table.baseAddress! + i * states
            // input(x) = input(x without its lowest bit) + weight of that bit: O(2^k) per unit.
            row[0] = 0
            for x in 1..<states {
                let j = (x & -x).trailingZeroBitCount
                row[x] = row[x & (x - 1)] + (j == i ? selfWeight : weights[i * k + j])
            }
            for x in 0..<states {
                let p = 1 / (1 + exp(-gain * (row[x] - threshold)))
                row[x] = on ? p : 1 - p
            }
        }
    }

    /// out[x] = Π over `rows` of table[row][x]; 1 for an empty set.
    private func product(into out: UnsafeMutableBufferPointer<Double>, rows: UnsafeMutableBufferPointer<Int>, count: Int, states: Int) {
        let base = table.baseAddress!
        let first = base + rows[0] * states
        for x in 0..<states { out[x] = first[x] }
        for r in 1..<count {
            let row = base + rows[r] * states
            for x in 0..<states { out[x] *= row[x] }
        }
    }

    /// Σ over the part's states of P(part state)·log p(part state | part's current state), where
    /// `b` holds the whole posterior's marginal and `a` the part's unnormalised repertoire, both
    /// indexed by states masked with `mask`. Clears the entries it read, leaving `a` and `b` zero.
    private func crossEntropy(_ a: UnsafeMutableBufferPointer<Double>, _ b: UnsafeMutableBufferPointer<Double>, mask: Int) -> Double {
        var z = 0.0
        var s = mask
        while true {
            z += a[s]
            if s == 0 { break }
            s = (s - 1) & mask
        }
        var sum = 0.0
        s = mask
        while true {
            let p = b[s]
            if p > 0 && a[s] > 0 { sum += p * log(a[s] / z) }
            a[s] = 0
            b[s] = 0
            if s == 0 { break }
            s = (s - 1) & mask
        }
        return sum
    }
}
