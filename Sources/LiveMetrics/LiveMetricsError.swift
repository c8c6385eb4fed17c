/// Why the live metrics endpoint cannot start.
package enum LiveMetricsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The listen address is not `HOST:PORT` (IPv6 as `[::1]:PORT`).
    case badAddress(String, reason: String)
    /// The host does not resolve to an address of this machine's families.
    case unresolvableHost(String, reason: String)
    /// Binding failed (address in use, not an address of this machine, no permission).
    case cannotListen(String, reason: String)

    package var description: String {
        switch self {
        case .badAddress(let text, let reason):
            "--metrics-listen \(text): \(reason); expected HOST:PORT such as 127.0.0.1:9464 (port 0 picks a free port)"
        case .unresolvableHost(let text, let reason):
            "--metrics-listen \(text): cannot resolve the host: \(reason)"
        case .cannotListen(let text, let reason):
            "--metrics-listen \(text): cannot listen: \(reason)"
        }
    }
}
