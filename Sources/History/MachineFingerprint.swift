import BenchModel

/// A machine fingerprint as the history stores it: a stable hash of the ``MachineFingerprint`` fields
/// (CPU model, core count, kernel, OS, build configuration, allocator) and their readable text.
/// Results with different hashes are never put in one series; the hostname is not part of it, so a
/// pool of identical CI runners shares series.
package struct HistoryMachine: Sendable, Codable, Hashable {
    /// Stable short hash (16 hex digits of SHA-256) of the fingerprint's fields.
    package var hash: String
    /// The same fields, readable: `Intel Xeon … · 2 cores · 6.1.0 · Debian 12 · release · jemalloc`.
    package var text: String

    package init(hash: String, text: String) {
        self.hash = hash
        self.text = text
    }

    package init(_ fingerprint: MachineFingerprint) {
        let f = fingerprint
        let fields = [
            ("cpu", f.cpuModel), ("cores", String(f.cores)), ("kernel", f.kernel), ("os", f.os),
            ("configuration", f.configuration), ("jemalloc", f.jemalloc ? "on" : "off"),
        ]
        // Canonical text for the hash: one `name=value` line per field, in this fixed order.
        let canonical = fields.map { "\($0.0)=\($0.1)" }.joined(separator: "\n")
        self.hash = Self.hex(SHA256.hash(data: Array(canonical.utf8)).prefix(8))
        self.text = f.text
    }

    package init(cpuModel: String, cores: Int, kernel: String, os: String, configuration: String, jemalloc: Bool) {
        self.init(MachineFingerprint(cpuModel: cpuModel, cores: cores, kernel: kernel, os: os,
                                     configuration: configuration, jemalloc: jemalloc))
    }

    /// Lower-case hex of `bytes`, two digits each.
    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { byte in byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
    }
}
