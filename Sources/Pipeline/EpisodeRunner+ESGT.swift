#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BenchModel
import MemoryLayer

extension EpisodeRunner {
    /// ESGT: PREPARE (trigger checks) → SYNCHRONIZE (Kuramoto on the recruited subgraph) →
    /// BROADCAST (focus to the workspace) → SUSTAIN → DISSOLVE (coupling ramps to zero).
    mutating func runESGT(_ n: UInt64, _ out: inout EpisodeOutcome) {
        let c = context.config.esgt
        let t = stimulus.timestamp
        out.phaseReached = .prepare
        if out.salience < out.threshold {
            out.blockedBy = .salience
        } else if out.arousal < c.minArousal {
            out.blockedBy = .arousal
        } else if out.recruited < c.minNodes {
            out.blockedBy = .recruitment
        } else if let block = gate.blocker(at: t) {
            out.blockedBy = block
        }
        guard out.blockedBy == nil else { return }
        out.triggered = true

        out.phaseReached = .synchronize
        let activity = tig.activity
        let peak = tig.maxActivity
        let cut = context.config.tig.recruit * peak
        kuramoto.load(context.graph) { activity[$0] >= cut && activity[$0] > 0 }
        // Stimulus-evoked phase reset: strongly driven nodes start close to a common phase.
        var rng = Xoshiro256(seed: SplitMix64.hash(context.seed, n, 0xE5_67))
        let common = rng.uniform() * 2 * .pi
        for i in 0..<kuramoto.count {
            let node = kuramoto.member(i)
            let drive = activity[node] / peak
            kuramoto.set(i, phase: common + .pi * (1 - drive) * rng.symmetric(), frequency: context.frequencies[node])
        }
        var r = 0.0
        var steps = 0
        repeat {
            r = kuramoto.step(coupling: c.coupling, dt: c.dt, noise: c.noise, rng: &rng)
            steps += 1
        } while steps < c.steps && r < c.coherence
        out.steps = steps
        out.orderParameter = r
        recordSynchrony(ignited: r >= c.coherence)
        guard r >= c.coherence else {
            out.blockedBy = .coherence
            return
        }
        out.ignited = true
        gate.record(at: t)
        context.ignitions.add(1, ordering: .relaxed)

        out.phaseReached = .broadcast
        broadcast(token: stimulus.token, focus: out.attention.focus, strength: r)

        out.phaseReached = .sustain
        for _ in 0..<c.sustainSteps {
            r = kuramoto.step(coupling: c.coupling, dt: c.dt, noise: c.noise, rng: &rng)
        }
        out.phaseReached = .dissolve
        let ramp = c.dissolveSteps
        for s in 0..<ramp {
            let k = c.coupling * (1 - Double(s + 1) / Double(ramp))
            r = kuramoto.step(coupling: k, dt: c.dt, noise: c.noise, rng: &rng)
        }
        out.finalOrderParameter = r
    }

    /// Keeps what the memory layer stores of the event: which nodes phase-locked (binary features:
    /// within π/4 of the mean phase), and for an ignition its coupling graph, each edge weighted by
    /// its TIG weight times cos(θⱼ − θᵢ) at the end of SYNCHRONIZE.
    private mutating func recordSynchrony(ignited: Bool) {
        var c = 0.0, s = 0.0
        for i in 0..<kuramoto.count {
            c += cos(kuramoto.phase(i))
            s += sin(kuramoto.phase(i))
        }
        let mean = atan2(s, c)
        var locked = [Float](repeating: 0, count: context.graph.nodeCount)
        for i in 0..<kuramoto.count {
            let d = remainder(kuramoto.phase(i) - mean, 2 * .pi)
            if abs(d) < .pi / 4 { locked[kuramoto.member(i)] = 1 }
        }
        participation = locked
        guard ignited else { return }
        var edges: [GraphEdge] = []
        edges.reserveCapacity(kuramoto.edgeCount / 2)
        let k = kuramoto
        kuramoto.forEachEdge { i, j, w in
            edges.append(GraphEdge(a: UInt16(i), b: UInt16(j), weight: Float(w * cos(k.phase(j) - k.phase(i)))))
        }
        coupling = GraphSnapshot(nodes: (0..<kuramoto.count).map { UInt16(kuramoto.member($0)) }, edges: edges)
    }

    /// Writes the focused content's embedding, scaled by synchrony, into the workspace.
    /// The embedding is a pure function of (seed, token, focus).
    private mutating func broadcast(token: Int, focus: Int, strength: Double) {
        let keep = Float(context.config.esgt.retention)
        let gain = (1 - keep) * Float(strength)
        var rng = Xoshiro256(seed: SplitMix64.hash(context.seed, UInt64(token), UInt64(focus), 0xB40A_D))
        workspace.withUnsafeMutableBufferPointer { w in
            for j in 0..<w.count {
                w[j] = keep * w[j] + gain * Float(rng.symmetric())
            }
        }
    }

    /// Φ of the k most active TIG nodes, through the cache. Returns whether it was a cache hit.
    mutating func runPhi(_ out: inout EpisodeOutcome) -> Bool {
        let p = context.config.phi
        let (key, state) = phiNodes.withUnsafeMutableBufferPointer { nodes in
            tig.activity.withUnsafeBufferPointer { activity in
                Self.phiKey(activity, k: p.nodes, binarize: p.binarize, nodes: nodes)
            }
        }
        if let cached = context.phiCache.lookup(key) {
            out.phi = cached
            out.phiCacheHit = true
            return true
        }
        let graph = context.graph
        let value = phiNodes.withUnsafeBufferPointer { nodes in
            phi.phi(graph: graph, nodes: nodes, state: state, gain: p.gain, selfWeight: p.selfWeight)
        }
        context.phiCache.insert(key, value)
        out.phi = value
        out.phiCacheHit = false
        return false
    }

    /// The Φ cache key of the k most active nodes and their binarised state; fills `nodes` with
    /// those nodes in ascending id order (one node set always maps to one key and one system).
    ///
    /// This is most of what a cache hit costs (measured: ~300 ns of a ~600 ns warm hit; the table
    /// lookup is ~30 ns), so it runs on raw buffers with the k-th best activity in a register, and
    /// most nodes are rejected four at a time by one comparison.
    static func phiKey(_ activity: UnsafeBufferPointer<Double>, k: Int, binarize: Double,
                       nodes: UnsafeMutableBufferPointer<Int32>) -> (key: UInt64, state: UInt32) {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { values in
            // Top k by activity, ties to the lower id, by insertion into a short sorted list whose
            // values are kept beside it (no reload through the node ids).
            var filled = 0
            var kth = -Double.infinity
            let n = activity.count
            var v = 0
            while v < n {
                // Blocks of four: one well-predicted branch rejects all four in the common case.
                if filled == k && v + 4 <= n {
                    let a0 = activity[v], a1 = activity[v + 1], a2 = activity[v + 2], a3 = activity[v + 3]
                    if !(a0 > kth || a1 > kth || a2 > kth || a3 > kth) {
                        v += 4
                        continue
                    }
                }
                let a = activity[v]
                if filled < k || a > kth {
                    var i = filled < k ? filled : k - 1
                    while i > 0 && values[i - 1] < a {
                        nodes[i] = nodes[i - 1]
                        values[i] = values[i - 1]
                        i -= 1
                    }
                    nodes[i] = Int32(v)
                    values[i] = a
                    if filled < k { filled += 1 }
                    if filled == k { kth = values[k - 1] }
                }
                v += 1
            }
            let top = values[0]
            for i in 1..<k {
                let v = nodes[i]
                var j = i
                while j > 0 && nodes[j - 1] > v {
                    nodes[j] = nodes[j - 1]
                    j -= 1
                }
                nodes[j] = v
            }
            var state: UInt32 = 0
            var key = SplitMix64.hash(UInt64(k), 0x9417)
            let cut = binarize * top
            for i in 0..<k {
                if activity[Int(nodes[i])] >= cut && top > 0 { state |= 1 << UInt32(i) }
                key = SplitMix64.mix(key ^ UInt64(nodes[i]))
            }
            return (SplitMix64.hash(key, UInt64(state)), state)
        }
    }

    /// MEMORY.store: the episode's conscious state goes to the episodic store and its metrics to the
    /// metrics store (ring buffer, then compressed archive with importance-based cleanup).
    mutating func storeState(_ out: inout EpisodeOutcome) -> Result<Void, MemoryLayerError> {
        let phiValue = out.phi ?? 0
        out.importance = clamp01(0.4 * out.salience + (out.ignited ? 0.3 : 0) + 0.3 * min(1, phiValue / 2))
        let emotion = SIMD3<Float>(Float(1 - 2 * out.needs.mean), Float(out.arousal), Float(out.attention.confidence))
        // The recruited nodes' activity, 0 elsewhere: sparse when few are recruited.
        let cut = context.config.tig.recruit * tig.maxActivity
        let activation = tig.activity.map { $0 >= cut && $0 > 0 ? Float($0) : 0 }
        let state = ConsciousState(
            version: out.episode, phi: phiValue, embedding: workspace, emotion: [emotion.x, emotion.y, emotion.z],
            attentionFocus: Int32(out.attention.focus), timestamp: out.timestamp, importance: out.importance,
            stream: stream, activation: activation, participation: participation, graph: coupling)
        let metrics = EpisodeMetrics(
            episode: out.episode, timestamp: out.timestamp, phi: phiValue, arousal: out.arousal, salience: out.salience,
            emotion: emotion, attentionFocus: Int32(out.attention.focus), ignited: out.ignited)
        let memory = context.memory
        return Result { () throws(MemoryLayerError) in
            try memory.store(state)
            try memory.record(metrics: metrics)
        }
    }

    /// MEMORY.query: the states most similar to the current workspace.
    func query() -> Result<Void, MemoryLayerError> {
        let memory = context.memory
        let k = context.config.memoryQuery.k
        let embedding = workspace
        return Result { () throws(MemoryLayerError) in
            blackHole(try memory.similar(to: embedding, k: k))
        }
    }
}
