import BenchModel
import Foundation

/// One side of a real A/B: a phibench binary, the scenario it runs and its overrides.
public struct ABSide: Sendable, Equatable, Codable {
    public var binary: String
    public var scenario: String
    /// `--set KEY=VALUE` overrides for this side's runs.
    public var overrides: [String]
    /// Extra environment for this side's processes (e.g. PHIBENCH_COMMIT for its label).
    public var environment: [String: String]
    public var label: String

    public init(binary: String, scenario: String, overrides: [String] = [], environment: [String: String] = [:], label: String) {
        self.binary = binary
        self.scenario = scenario
        self.overrides = overrides
        self.environment = environment
        self.label = label
    }
}

/// Runs `binary run SCENARIO --trials k --quiet --out DIR` per process and reads its result.json:
/// each complete trial is one workload instance.
public struct ProcessUnitSource: ABUnitSource {
    public var sides: [ABSideID: ABSide]
    public var instances: Int
    public var directory: URL
    /// Results as read, by side, in order (for the merged per-side results).
    public private(set) var results: [ABSideID: [BenchResult]] = [:]

    public init(a: ABSide, b: ABSide, instances: Int, directory: URL) {
        sides = [.a: a, .b: b]
        self.instances = instances
        self.directory = directory
    }

    public mutating func run(_ side: ABSideID, index: Int) throws(ABError) -> ABUnit {
        guard let s = sides[side] else { throw .sideFailed(side: side, index: index, detail: "no such side") }
        let dir = directory.appendingPathComponent("\(side.rawValue)-\(index + 1)")
        var args = ["run", s.scenario, "--trials", String(instances), "--quiet", "--out", dir.path]
        for o in s.overrides { args += ["--set", o] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: s.binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(s.environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        let stealBefore = Self.stealSeconds()
        let started = DispatchTime.now().uptimeNanoseconds
        do { try p.run() } catch {
            throw .sideFailed(side: side, index: index, detail: "cannot start \(s.binary): \(error.localizedDescription)")
        }
        p.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let steal = zip(stealBefore, Self.stealSeconds()).map { $1 - $0 }
        // 1 is a failed scenario threshold: the run measured, and the gate judges the figures. 130 and
        // 143: the run was interrupted with us (Ctrl-C reaches the whole process group) and wrote what it
        // measured; its complete trials count, and the engine stops after it.
        guard p.terminationReason == .exit, [0, 1, 130, 143].contains(p.terminationStatus) else {
            throw .sideFailed(side: side, index: index, detail: "\(s.binary) run exited with status \(p.terminationStatus); its output is in \(dir.path)")
        }
        let file = dir.appendingPathComponent("result.json")
        let result: BenchResult
        do { result = try ResultCodec.load(file) } catch {
            throw .sideFailed(side: side, index: index, detail: "\(file.path): \(error)")
        }
        results[side, default: []].append(result)
        return Self.unit(result, side: side, index: index, seconds: seconds, steal: steal.first, file: file.path)
    }

    /// The per-instance values of every numeric metric of `result`'s complete trials.
    public static func unit(_ result: BenchResult, side: ABSideID, index: Int, seconds: Double, steal: Double?, file: String?) -> ABUnit {
        var values: [String: [Double]] = [:]
        var metrics: [String: ABMetricInfo] = [:]
        let trials = result.completeTrials
        for d in result.catalogue.descriptors {
            let v = trials.compactMap { $0.summary.metric(d.key) }.filter(\.isFinite)
            guard v.count == trials.count, !v.isEmpty else { continue }
            values[d.key] = v
            let worse: Bool? = switch d.direction {
            case .lowerIsBetter: true
            case .higherIsBetter: false
            case .informational: nil
            }
            metrics[d.key] = ABMetricInfo(higherIsWorse: worse, gatedByDefault: d.gated, unit: d.unit)
        }
        return ABUnit(side: side, index: index, values: values, metrics: metrics, seconds: seconds, stealSeconds: steal, resultFile: file)
    }

    /// Steal time of all CPUs so far (the `cpu` line of /proc/stat, 8th value, in USER_HZ = 1/100 s);
    /// empty where unreadable.
    static func stealSeconds() -> [Double] {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return [] }
        let fields = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        return fields.count > 7 ? [fields[7] / 100] : []
    }
}
