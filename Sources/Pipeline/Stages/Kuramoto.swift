#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kuramoto oscillators on a subgraph of the TIG, integrated with classic RK4:
/// dθᵢ/dt = ωᵢ + (K/n)·Σⱼ wᵢⱼ·sin(θⱼ − θᵢ), n the number of oscillators.
///
/// A scratch object: all buffers are allocated once for the largest subgraph, and ``load(_:where:)``
/// refills them in place, so an episode allocates nothing. The coupling sum uses
/// sin(θⱼ − θᵢ) = sin θⱼ cos θᵢ − cos θⱼ sin θᵢ, so each derivative evaluation needs n sines and
/// n cosines rather than one per edge. Owned by one worker; not thread-safe.
package final class KuramotoNetwork {
    /// Oscillators currently loaded.
    package private(set) var count = 0
    /// Directed edges currently loaded (each undirected edge twice).
    package private(set) var edgeCount = 0
    private let nodeCapacity: Int
    private let rowStart: UnsafeMutableBufferPointer<Int32>
    private let cols: UnsafeMutableBufferPointer<Int32>
    private let w: UnsafeMutableBufferPointer<Double>
    private let localIndex: UnsafeMutableBufferPointer<Int32>
    private let members: UnsafeMutableBufferPointer<Int32>
    private let theta, omega, k1, k2, k3, k4, tmp, sinv, cosv: UnsafeMutableBufferPointer<Double>

    /// Sizes the buffers for subgraphs of up to `nodeCapacity` nodes and `edgeCapacity` directed edges.
    package init(nodeCapacity: Int, edgeCapacity: Int) {
        self.nodeCapacity = nodeCapacity
        func doubles() -> UnsafeMutableBufferPointer<Double> {
            let b = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(nodeCapacity, 1))
            b.initialize(repeating: 0)
            return b
        }
        rowStart = .allocate(capacity: nodeCapacity + 1)
        rowStart.initialize(repeating: 0)
        cols = .allocate(capacity: max(edgeCapacity, 1))
        cols.initialize(repeating: 0)
        w = .allocate(capacity: max(edgeCapacity, 1))
        w.initialize(repeating: 0)
        localIndex = .allocate(capacity: max(nodeCapacity, 1))
        localIndex.initialize(repeating: -1)
        members = .allocate(capacity: max(nodeCapacity, 1))
        members.initialize(repeating: 0)
        theta = doubles(); omega = doubles()
        k1 = doubles(); k2 = doubles(); k3 = doubles(); k4 = doubles()
        tmp = doubles(); sinv = doubles(); cosv = doubles()
    }

    deinit {
        for b in [rowStart, cols, localIndex, members] { b.deallocate() }
        for b in [w, theta, omega, k1, k2, k3, k4, tmp, sinv, cosv] { b.deallocate() }
    }

    /// Loads the subgraph of `graph` induced by the nodes for which `isMember` is true.
    package func load(_ graph: TIGGraph, where isMember: (Int) -> Bool) {
        precondition(graph.nodeCount <= nodeCapacity, "graph larger than the network's capacity")
        var n = 0
        for v in 0..<graph.nodeCount {
            if isMember(v) {
                localIndex[v] = Int32(n)
                members[n] = Int32(v)
                n += 1
            } else {
                localIndex[v] = -1
            }
        }
        var e = 0
        graph.rowStart.withUnsafeBufferPointer { rows in
            graph.neighbors.withUnsafeBufferPointer { nbrs in
                graph.weights.withUnsafeBufferPointer { weights in
                    for i in 0..<n {
                        rowStart[i] = Int32(e)
                        let v = Int(members[i])
                        for edge in Int(rows[v])..<Int(rows[v + 1]) {
                            let j = localIndex[Int(nbrs[edge])]
                            if j >= 0 {
                                cols[e] = j
                                w[e] = weights[edge]
                                e += 1
                            }
                        }
                    }
                }
            }
        }
        rowStart[n] = Int32(e)
        count = n
        edgeCount = e
    }

    /// Graph node id of oscillator `i`.
    package func member(_ i: Int) -> Int { Int(members[i]) }

    /// Calls `body(i, j, weight)` for each edge of the loaded subgraph once (i < j, oscillator indices).
    package func forEachEdge(_ body: (Int, Int, Double) -> Void) {
        for i in 0..<count {
            for e in Int(rowStart[i])..<Int(rowStart[i + 1]) where Int(cols[e]) > i {
                body(i, Int(cols[e]), w[e])
            }
        }
    }

    /// Phase of oscillator `i`, radians.
    package func phase(_ i: Int) -> Double { theta[i] }

    /// Sets oscillator `i`'s phase (radians) and natural frequency (rad/s).
    package func set(_ i: Int, phase: Double, frequency: Double) {
        theta[i] = phase
        omega[i] = frequency
    }

    /// The order parameter r = |mean(e^{iθ})| of the loaded oscillators, [0, 1].
    package var orderParameter: Double {
        var c = 0.0, s = 0.0
        for i in 0..<count {
            c += cos(theta[i])
            s += sin(theta[i])
        }
        return count == 0 ? 0 : (c * c + s * s).squareRoot() / Double(count)
    }

    /// The order parameter r = |mean(e^{iθ})| of `phases`, [0, 1]; 0 for no phases.
    package static func orderParameter(_ phases: [Double]) -> Double {
        var c = 0.0, s = 0.0
        for p in phases {
            c += cos(p)
            s += sin(p)
        }
        return phases.isEmpty ? 0 : (c * c + s * s).squareRoot() / Double(phases.count)
    }

    /// One RK4 step of `dt` seconds with coupling `coupling` (K), then phase noise of amplitude
    /// `noise` rad/√s (zero-mean uniform with the variance of N(0, noise²·dt)).
    /// All four slopes of every oscillator are computed before any phase changes.
    /// - Returns: the order parameter after the step.
    @discardableResult
    package func step(coupling: Double, dt: Double, noise: Double, rng: inout Xoshiro256) -> Double {
        let n = count
        guard n > 0 else { return 0 }
        let kn = coupling / Double(n)
        derivative(of: theta, into: k1, kn)
        for i in 0..<n { tmp[i] = theta[i] + 0.5 * dt * k1[i] }
        derivative(of: tmp, into: k2, kn)
        for i in 0..<n { tmp[i] = theta[i] + 0.5 * dt * k2[i] }
        derivative(of: tmp, into: k3, kn)
        for i in 0..<n { tmp[i] = theta[i] + dt * k3[i] }
        derivative(of: tmp, into: k4, kn)
        let sixth = dt / 6
        let amplitude = noise * (3 * dt).squareRoot()
        var c = 0.0, s = 0.0
        for i in 0..<n {
            var next = theta[i] + sixth * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i])
            if amplitude > 0 { next += amplitude * rng.symmetric() }
            theta[i] = next
            c += cos(next)
            s += sin(next)
        }
        return (c * c + s * s).squareRoot() / Double(n)
    }

    private func derivative(of phases: UnsafeMutableBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>, _ kn: Double) {
        let n = count
        for i in 0..<n {
            sinv[i] = sin(phases[i])
            cosv[i] = cos(phases[i])
        }
        for i in 0..<n {
            var sumSin = 0.0, sumCos = 0.0
            for e in Int(rowStart[i])..<Int(rowStart[i + 1]) {
                let j = Int(cols[e])
                sumSin += w[e] * sinv[j]
                sumCos += w[e] * cosv[j]
            }
            out[i] = omega[i] + kn * (cosv[i] * sumSin - sinv[i] * sumCos)
        }
    }
}
