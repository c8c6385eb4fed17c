import Crypto

/// What makes two results comparable: the same CPU model, core count, kernel, OS, build
/// configuration and allocator. Results with different fingerprints are never put in one series.
///
/// The hostname is deliberately not part of it, so a pool of identical CI runners shares series.
public struct MachineFingerprint: Sendable, Codable, Hashable {
    /// Stable short hash (16 hex digits of SHA-256) of the fields below.
    public var hash: String
    /// The same fields, readable: `Intel Xeon … · 2 cores · Linux 6.1.0 · Debian 12 · release · jemalloc`.
    public var text: String

    public init(hash: String, text: String) {
        self.hash = hash
        self.text = text
    }

    public init(cpuModel: String, cores: Int, kernel: String, os: String, configuration: String, jemalloc: Bool) {
        let fields = [
            ("cpu", cpuModel), ("cores", String(cores)), ("kernel", kernel), ("os", os),
            ("configuration", configuration), ("jemalloc", jemalloc ? "on" : "off"),
        ]
        // Canonical text for the hash: one `name=value` line per field, in this fixed order.
        let canonical = fields.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
        self.hash = Self.hex(SHA256.hash(data: Array(canonical.utf8)).prefix(8))
        self.text = [cpuModel, "\(cores) cores", kernel, os, configuration, jemalloc ? "jemalloc" : "no jemalloc"]
            .joined(separator: " · ")
    }

    /// Lower-case hex of `bytes`, two digits each.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
