import Pipeline
import Testing

@Suite struct TIGGraphTests {
    func isConnected(_ g: TIGGraph) -> Bool {
        var seen = Array(repeating: false, count: g.nodeCount)
        var stack = [0]
        seen[0] = true
        while let v = stack.popLast() {
            for e in Int(g.rowStart[v])..<Int(g.rowStart[v + 1]) {
                let u = Int(g.neighbors[e])
                if !seen[u] { seen[u] = true; stack.append(u) }
            }
        }
        return seen.allSatisfy { $0 }
    }

    @Test(arguments: [(64, 5), (64, 3), (200, 2), (10, 9)])
    func connectedWithTheExpectedCounts(nodes: Int, m: Int) {
        let g = TIGGraph(nodes: nodes, edgesPerNode: m, triadic: 0.6, minWeight: 0.2, seed: 42)
        #expect(g.nodeCount == nodes)
        #expect(g.edgeCount == TIGGraph.expectedEdgeCount(nodes: nodes, edgesPerNode: m))
        #expect(g.rowStart.count == nodes + 1 && Int(g.rowStart[nodes]) == g.neighbors.count)
        #expect(isConnected(g))
    }

    @Test func noSelfLoopsOrDuplicatesAndSymmetricWeights() {
        let g = TIGGraph(nodes: 64, edgesPerNode: 5, triadic: 0.6, minWeight: 0.2, seed: 7)
        for v in 0..<g.nodeCount {
            let row = g.neighbors[Int(g.rowStart[v])..<Int(g.rowStart[v + 1])].map(Int.init)
            #expect(!row.contains(v) && Set(row).count == row.count)
            for u in row {
                #expect(g.weight(v, u) == g.weight(u, v))
                #expect(g.weight(v, u) >= 0.2 && g.weight(v, u) <= 1)
            }
        }
    }

    @Test func degreesAreHeavyTailed() {
        let g = TIGGraph(nodes: 1_000, edgesPerNode: 3, triadic: 0.6, minWeight: 0.2, seed: 42)
        let degrees = (0..<g.nodeCount).map { g.degree(of: $0) }
        let mean = Double(degrees.reduce(0, +)) / Double(degrees.count)
        let maxDegree = degrees.max()!
        // An Erdős–Rényi graph of the same density has a maximum degree near 15; preferential
        // attachment grows hubs of order m·√N.
        #expect(Double(maxDegree) > 5 * mean, "max \(maxDegree), mean \(mean)")
        // Most nodes stay near the minimum degree m.
        #expect(degrees.filter { $0 <= 2 * 3 }.count > degrees.count / 2)
    }

    @Test func triadicClosureRaisesClustering() {
        func clustering(_ triadic: Double) -> Double {
            let g = TIGGraph(nodes: 300, edgesPerNode: 3, triadic: triadic, minWeight: 0.2, seed: 5)
            var total = 0.0
            for v in 0..<g.nodeCount {
                let row = g.neighbors[Int(g.rowStart[v])..<Int(g.rowStart[v + 1])].map(Int.init)
                var links = 0
                for a in row { for b in row where a < b && g.weight(a, b) > 0 { links += 1 } }
                total += row.count > 1 ? Double(2 * links) / Double(row.count * (row.count - 1)) : 0
            }
            return total / Double(g.nodeCount)
        }
        #expect(clustering(0.9) > 2 * clustering(0))
    }

    @Test func sameSeedSameGraphOtherSeedOtherGraph() {
        let a = TIGGraph(nodes: 64, edgesPerNode: 5, triadic: 0.6, minWeight: 0.2, seed: 1)
        let b = TIGGraph(nodes: 64, edgesPerNode: 5, triadic: 0.6, minWeight: 0.2, seed: 1)
        let c = TIGGraph(nodes: 64, edgesPerNode: 5, triadic: 0.6, minWeight: 0.2, seed: 2)
        #expect(a == b)
        #expect(a != c)
    }
}
