import Pipeline
import Testing

@Suite struct KuramotoTests {
    @Test func identicalPhasesHaveFullCoherence() {
        #expect(abs(KuramotoNetwork.orderParameter(Array(repeating: 1.234, count: 17)) - 1) < 1e-12)
    }

    @Test func uniformlySpreadPhasesHaveNone() {
        let n = 64
        let phases = (0..<n).map { 2 * Double.pi * Double($0) / Double(n) }
        #expect(KuramotoNetwork.orderParameter(phases) < 1e-12)
    }

    @Test func halfOpposedPhasesCancel() {
        #expect(KuramotoNetwork.orderParameter([0, .pi, 0, .pi]) < 1e-12)
        #expect(abs(KuramotoNetwork.orderParameter([0, 0, 0, .pi]) - 0.5) < 1e-12)
    }

    @Test func couplingSynchronisesAndNoCouplingDoesNot() {
        // A dense graph: nodes 12, 11 edges per node = complete graph.
        let graph = TIGGraph(nodes: 12, edgesPerNode: 11, triadic: 0, minWeight: 1, seed: 1)
        func run(coupling: Double) -> (start: Double, end: Double) {
            let net = KuramotoNetwork(nodeCapacity: 12, edgeCapacity: graph.neighbors.count)
            net.load(graph) { _ in true }
            #expect(net.count == 12 && net.edgeCount == 132)
            var rng = Xoshiro256(seed: 3)
            for i in 0..<12 { net.set(i, phase: 2 * .pi * rng.uniform(), frequency: 2 * .pi * 40) }
            let start = net.orderParameter
            for _ in 0..<60 { net.step(coupling: coupling, dt: 0.005, noise: 0.001, rng: &rng) }
            return (start, net.orderParameter)
        }
        let coupled = run(coupling: 20)
        let free = run(coupling: 0)
        #expect(coupled.end > 0.95)
        #expect(coupled.end > coupled.start + 0.3)
        #expect(abs(free.end - free.start) < 0.05)
    }
}

@Suite struct PhiTests {
    let calc = PhiCalculator(maxNodes: 8)

    /// Two 4-node blocks, strongly coupled inside, with `bridge` between them.
    func blocks(bridge: Double) -> [Double] {
        var w = Array(repeating: 0.0, count: 64)
        for i in 0..<8 {
            for j in 0..<8 where i != j {
                w[i * 8 + j] = (i < 4) == (j < 4) ? 0.8 : bridge
            }
        }
        return w
    }

    @Test func disconnectedHalvesHaveNoIntegratedInformation() {
        for state: UInt32 in [0b1111_0000, 0b1010_0110, 0xFF, 0] {
            let phi = calc.phi(weights: blocks(bridge: 0), nodes: 8, state: state, gain: 4, selfWeight: 0.5)
            #expect(abs(phi) < 1e-9, "state \(state): Φ = \(phi)")
        }
    }

    @Test func coupledSystemIntegratesInformation() {
        let phi = calc.phi(weights: blocks(bridge: 0.6), nodes: 8, state: 0b1010_0110, gain: 4, selfWeight: 0.5)
        #expect(phi > 0.01)
        // More coupling across the weakest cut integrates more.
        let weaker = calc.phi(weights: blocks(bridge: 0.2), nodes: 8, state: 0b1010_0110, gain: 4, selfWeight: 0.5)
        #expect(phi > weaker)
    }

    @Test func twoCopyGatesGiveTwoBits() {
        // Units that copy each other (near-deterministic logistic): Φ → 2 bits (Balduzzi & Tononi 2008).
        let phi = calc.phi(weights: [0, 1, 1, 0], nodes: 2, state: 0b11, gain: 60, selfWeight: 0)
        #expect(abs(phi - 2) < 1e-6)
    }

    @Test func isolatedUnitMakesTheSystemReducible() {
        var w = blocks(bridge: 0.5)
        for j in 0..<8 { w[7 * 8 + j] = 0; w[j * 8 + 7] = 0 }
        #expect(calc.phi(weights: w, nodes: 8, state: 0b0110_1101, gain: 4, selfWeight: 0.5) < 1e-9)
    }
}
