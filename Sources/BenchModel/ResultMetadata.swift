/// The scenario a result was produced from, as resolved.
public struct ScenarioRecord: Sendable, Codable, Equatable {
    public var name: String
    public var description: String
    /// Path of the scenario file as given on the command line.
    public var file: String
    /// `--set` overrides as given, in order.
    public var overrides: [String]
    /// The resolved scenario.
    public var spec: Scenario

    public init(name: String, description: String, file: String, overrides: [String], spec: Scenario) {
        self.name = name
        self.description = description
        self.file = file
        self.overrides = overrides
        self.spec = spec
    }
}

/// The machine a result was measured on.
public struct MachineInfo: Sendable, Codable, Equatable {
    public var hostname: String
    public var cpuModel: String
    /// Logical CPUs online.
    public var cores: Int
    public var memoryBytes: UInt64
    public var os: String
    public var kernel: String

    public init(hostname: String, cpuModel: String, cores: Int, memoryBytes: UInt64, os: String, kernel: String) {
        self.hostname = hostname
        self.cpuModel = cpuModel
        self.cores = cores
        self.memoryBytes = memoryBytes
        self.os = os
        self.kernel = kernel
    }
}

/// How the measuring binary was built.
public struct BuildInfo: Sendable, Codable, Equatable {
    /// `release` or `debug`.
    public var configuration: String
    public var compiler: String
    /// Git commit of the source tree, or `unknown`.
    public var commit: String
    /// True when the tree had uncommitted changes.
    public var dirty: Bool
    /// True when jemalloc is the allocator (the `Jemalloc` trait).
    public var jemalloc: Bool
    public var phibenchVersion: String

    public init(configuration: String, compiler: String, commit: String, dirty: Bool, jemalloc: Bool, phibenchVersion: String) {
        self.configuration = configuration
        self.compiler = compiler
        self.commit = commit
        self.dirty = dirty
        self.jemalloc = jemalloc
        self.phibenchVersion = phibenchVersion
    }
}

/// What must be the same for two results' timings to be comparable: CPU model and count, kernel, OS,
/// build configuration and allocator. The host name is left out: a CI fleet's machines of one kind
/// differ in name only.
public struct MachineFingerprint: Sendable, Codable, Equatable, Hashable {
    public var cpuModel: String
    public var cores: Int
    public var kernel: String
    public var os: String
    public var configuration: String
    public var jemalloc: Bool

    public init(machine: MachineInfo, build: BuildInfo) {
        cpuModel = machine.cpuModel
        cores = machine.cores
        kernel = machine.kernel
        os = machine.os
        configuration = build.configuration
        jemalloc = build.jemalloc
    }

    public init(_ result: BenchResult) { self.init(machine: result.machine, build: result.build) }

    public init(cpuModel: String, cores: Int, kernel: String, os: String, configuration: String, jemalloc: Bool) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.kernel = kernel
        self.os = os
        self.configuration = configuration
        self.jemalloc = jemalloc
    }

    /// The fields, readable: `AMD EPYC 7B13 · 2 cores · 6.1.0 · Debian 12 · release · jemalloc`.
    public var text: String {
        [cpuModel, "\(cores) cores", kernel, os, configuration, jemalloc ? "jemalloc" : "no jemalloc"]
            .joined(separator: " · ")
    }

    /// What differs from `other`, in words (`CPU AMD EPYC 7B13 vs Intel Xeon 8375C`); empty when nothing does.
    public func differences(from other: MachineFingerprint) -> [String] {
        var out: [String] = []
        if cpuModel != other.cpuModel { out.append("CPU \(cpuModel) vs \(other.cpuModel)") }
        if cores != other.cores { out.append("\(cores) vs \(other.cores) cores") }
        if kernel != other.kernel { out.append("kernel \(kernel) vs \(other.kernel)") }
        if os != other.os { out.append("OS \(os) vs \(other.os)") }
        if configuration != other.configuration { out.append("\(configuration) vs \(other.configuration) build") }
        if jemalloc != other.jemalloc { out.append("jemalloc \(jemalloc ? "on" : "off") vs \(other.jemalloc ? "on" : "off")") }
        return out
    }

    /// A short stable identifier (hex) of the fingerprint, for file names and history series.
    public var id: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(cpuModel)|\(cores)|\(kernel)|\(os)|\(configuration)|\(jemalloc)".utf8 {
            h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return String(h, radix: 16)
    }
}

/// A threshold expression and how the result measured up to it.
public struct ThresholdResult: Sendable, Codable, Equatable {
    /// The expression as written, e.g. `e2e.p99 < 5ms`.
    public var expression: String
    /// The metric path, e.g. `e2e.p99`.
    public var metric: String
    /// `<`, `<=`, `>`, `>=`, `==` or `!=`.
    public var op: String
    /// The limit in the metric's base unit (ns for latency, episodes/s for throughput).
    public var limit: Double
    /// The measured value in the same unit, nil when the run did not produce the metric.
    public var value: Double?
    public var passed: Bool
    /// Why it passed or failed, in words (e.g. `e2e.p99 = 1.2ms, limit < 5ms`).
    public var reason: String?

    public init(expression: String, metric: String, op: String, limit: Double, value: Double?, passed: Bool, reason: String? = nil) {
        self.expression = expression
        self.metric = metric
        self.op = op
        self.limit = limit
        self.value = value
        self.passed = passed
        self.reason = reason
    }
}
