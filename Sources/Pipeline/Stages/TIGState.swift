/// TIG's per-worker node state: the focused content is injected into a few seed nodes and spread
/// along weighted edges, a few sparse matrix-vector products per episode. All buffers are
/// allocated once.
package struct TIGState: Sendable {
    /// Activity per node after the last propagation, ≥ 0.
    package private(set) var activity: [Double]
    /// The injected pattern of the last episode.
    package private(set) var injection: [Double]
    /// Largest activity after the last propagation.
    package private(set) var maxActivity = 0.0
    private var next: [Double]

    package init(nodes: Int) {
        activity = Array(repeating: 0, count: nodes)
        injection = activity
        next = activity
    }

    /// Injects content `(token, focus)` with strength `amplitude` into `seeds` distinct nodes.
    /// Which nodes, and their relative amplitudes, are a pure function of (seed, token, focus).
    package mutating func inject(seed: UInt64, token: Int, focus: Int, seeds: Int, amplitude: Double) {
        let n = injection.count
        for i in 0..<n { injection[i] = 0 }
        let amplitude = max(amplitude, 1e-9)
        var rng = Xoshiro256(seed: SplitMix64.hash(seed, UInt64(token), UInt64(focus), 0x1_4EC7))
        for _ in 0..<min(seeds, n) {
            var node = rng.below(n)
            while injection[node] != 0 { node = rng.below(n) }
            injection[node] = amplitude * (0.5 + 0.5 * rng.uniform())
        }
    }

    /// Spreads the injection for `hops` steps: x ← (1 − diffusion)·u + diffusion·Ŵx, where Ŵ is
    /// the symmetrically normalised weight matrix, starting from x = u.
    package mutating func propagate(on graph: TIGGraph, hops: Int, diffusion: Double) {
        let n = graph.nodeCount
        let keep = 1 - diffusion
        activity.withUnsafeMutableBufferPointer { x in
            injection.withUnsafeBufferPointer { u in
                for i in 0..<n { x[i] = u[i] }
                next.withUnsafeMutableBufferPointer { y in
                    graph.rowStart.withUnsafeBufferPointer { rows in
                        graph.neighbors.withUnsafeBufferPointer { cols in
                            graph.normalizedWeights.withUnsafeBufferPointer { w in
                                for _ in 0..<hops {
                                    for i in 0..<n {
                                        var sum = 0.0
                                        for e in Int(rows[i])..<Int(rows[i + 1]) {
                                            sum += w[e] * x[Int(cols[e])]
                                        }
                                        y[i] = keep * u[i] + diffusion * sum
                                    }
                                    for i in 0..<n { x[i] = y[i] }
                                }
                            }
                        }
                    }
                }
            }
        }
        var m = 0.0
        for a in activity where a > m { m = a }
        maxActivity = m
    }

    /// Nodes whose activity is at least `fraction` of the maximum (and above zero).
    package func recruitedCount(fraction: Double) -> Int {
        guard maxActivity > 0 else { return 0 }
        let cut = fraction * maxActivity
        var count = 0
        for a in activity where a >= cut && a > 0 { count += 1 }
        return count
    }
}
