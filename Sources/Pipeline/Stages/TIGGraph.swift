/// TIG's fabric: an undirected, weighted, scale-free small-world graph in CSR form.
///
/// Built once per workload by the Holme–Kim model: preferential attachment (scale-free degrees)
/// where each attachment may be followed by triadic closure (high clustering, short paths).
/// The graph starts from a clique of `edgesPerNode + 1` nodes, so it has exactly
/// C(m+1, 2) + (N − m − 1)·m edges and is connected. Immutable, shared by every worker.
package struct TIGGraph: Sendable, Equatable {
    /// Number of nodes.
    package let nodeCount: Int
    /// CSR row starts, `nodeCount + 1` entries: node i's neighbours are
    /// `neighbors[rowStart[i]..<rowStart[i+1]]`.
    package let rowStart: [Int32]
    /// Neighbour ids, each undirected edge stored in both directions.
    package let neighbors: [Int32]
    /// Edge weights in (0, 1], parallel to ``neighbors``.
    package let weights: [Double]
    /// Symmetrically normalised weights wᵢⱼ / √(sᵢ·sⱼ), sᵢ node i's total weight, for propagation
    /// (spectral radius 1, and well-connected nodes gather more activity than by row averaging).
    package let normalizedWeights: [Double]

    /// Number of undirected edges.
    package var edgeCount: Int { neighbors.count / 2 }

    /// Number of neighbours of `node`.
    package func degree(of node: Int) -> Int { Int(rowStart[node + 1] - rowStart[node]) }

    /// Weight of the edge between `a` and `b`, 0 when there is none.
    package func weight(_ a: Int, _ b: Int) -> Double {
        for e in Int(rowStart[a])..<Int(rowStart[a + 1]) where Int(neighbors[e]) == b {
            return weights[e]
        }
        return 0
    }

    /// The exact edge count ``init(nodes:edgesPerNode:triadic:minWeight:seed:)`` produces.
    package static func expectedEdgeCount(nodes: Int, edgesPerNode m: Int) -> Int {
        m * (m + 1) / 2 + (nodes - m - 1) * m
    }

    /// Builds the graph.
    /// - Parameters:
    ///   - nodes: N ≥ edgesPerNode + 1.
    ///   - edgesPerNode: m, edges each new node brings.
    ///   - triadic: probability that a step after the first is a triadic closure.
    ///   - minWeight: weights are uniform in [minWeight, 1].
    ///   - seed: the same seed gives the same graph.
    package init(nodes: Int, edgesPerNode m: Int, triadic: Double, minWeight: Double, seed: UInt64) {
        precondition(m >= 1 && nodes >= m + 1, "TIGGraph needs edgesPerNode ≥ 1 and nodes ≥ edgesPerNode + 1")
        var rng = Xoshiro256(seed: SplitMix64.hash(seed, 0x716_6EA9))
        var adjacency = Array(repeating: [Int](), count: nodes)
        // Every edge end once: a uniform pick from it is a pick proportional to degree.
        var ends: [Int] = []
        ends.reserveCapacity(2 * Self.expectedEdgeCount(nodes: nodes, edgesPerNode: m))

        func connect(_ a: Int, _ b: Int) {
            adjacency[a].append(b)
            adjacency[b].append(a)
            ends.append(a)
            ends.append(b)
        }
        for a in 0...m {
            for b in (a + 1)..<(m + 1) { connect(a, b) }
        }
        var chosen: [Int] = []
        for v in (m + 1)..<nodes {
            chosen.removeAll(keepingCapacity: true)
            var lastAttached = -1
            while chosen.count < m {
                var target = -1
                if lastAttached >= 0 && rng.uniform() < triadic {
                    // Triadic closure: a neighbour of the node we last attached to by preference.
                    let candidates = adjacency[lastAttached].filter { $0 != v && !chosen.contains($0) }
                    if !candidates.isEmpty { target = candidates[rng.below(candidates.count)] }
                }
                if target < 0 {
                    repeat { target = ends[rng.below(ends.count)] } while chosen.contains(target)
                    lastAttached = target
                }
                chosen.append(target)
            }
            for t in chosen { connect(v, t) }
        }

        var rowStart: [Int32] = [0]
        var neighbors: [Int32] = []
        for list in adjacency {
            for n in list.sorted() { neighbors.append(Int32(n)) }
            rowStart.append(Int32(neighbors.count))
        }
        // Symmetric weights: one draw per undirected edge, keyed by its endpoints.
        var weights = Array(repeating: 0.0, count: neighbors.count)
        for a in 0..<nodes {
            for e in Int(rowStart[a])..<Int(rowStart[a + 1]) {
                let b = Int(neighbors[e])
                let key = SplitMix64.hash(seed, UInt64(min(a, b)), UInt64(max(a, b)), 0xED6E)
                weights[e] = minWeight + (1 - minWeight) * Double(key >> 11) * 0x1.0p-53
            }
        }
        var strength = Array(repeating: 0.0, count: nodes)
        for a in 0..<nodes {
            for e in Int(rowStart[a])..<Int(rowStart[a + 1]) { strength[a] += weights[e] }
        }
        var normalized = weights
        for a in 0..<nodes {
            for e in Int(rowStart[a])..<Int(rowStart[a + 1]) {
                normalized[e] = weights[e] / (strength[a] * strength[Int(neighbors[e])]).squareRoot()
            }
        }
        nodeCount = nodes
        self.rowStart = rowStart
        self.neighbors = neighbors
        self.weights = weights
        normalizedWeights = normalized
    }
}
