import BenchModel
import Foundation
import Yams

/// Reads scenario YAML strictly into a ``Scenario``: unknown keys, bad units and impossible values are
/// errors naming the file, the line and the key (see ``ScenarioError``).
///
/// `--set KEY=VALUE` overrides are applied to the YAML document before validation, so an overridden
/// value is checked exactly like one from the file; its errors name `--set KEY` instead of a line.
/// `KEY` is a dotted path (`seed`, `stage.delay_us`, `phases[0].rate`); missing mappings on the
/// way are created. `VALUE` is YAML: a scalar or a flow collection (`[{kind: burst, count: 10}]`).
/// `KEY+=VALUE` appends to a list (a list VALUE appends each of its items).
///
/// Top-level sections besides the harness's own belong to the registered workloads (``WorkloadProvider``);
/// their settings are kept as dotted keys (structured sections as written) and checked by their
/// provider (``LoadedScenario/prepare(_:)``).
///
/// Defaults: `seed` 42, `warmup` 0, `interval` 1s, `description` empty, no faults, no thresholds;
/// open loop: `arrivals` uniform, `spin` by rate (see ``OpenLoopPlan/spinNanoseconds(_:for:)``).
public struct ScenarioLoader: Sendable {
    /// The largest scenario file read, bytes.
    public static let maxFileBytes = 1 << 20

    /// Reads, overrides and validates the scenario file at `file` (path as given on the command line);
    /// `workloads` are the providers whose sections it may have.
    /// - Throws: ``ScenarioError`` when the file cannot be read, is not YAML, an override is malformed,
    ///   or a value is invalid.
    public static func load(file: String, overrides: [String] = [],
                            workloads: WorkloadProviders = WorkloadProviders()) throws(ScenarioError) -> LoadedScenario {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            throw .unreadable(file: file, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(file: file, reason: "it is a directory; expected a .yaml scenario file")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .unreadable(file: file, reason: "permission denied or I/O error")
        }
        guard data.count <= maxFileBytes else {
            throw .unreadable(file: file, reason: "\(data.count) bytes; a scenario file may have at most \(maxFileBytes) (1 MiB)")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            throw .malformedYAML(file: file, line: nil, column: nil, problem: "the file is not valid UTF-8")
        }
        return try parse(yaml: yaml, file: file, overrides: overrides, workloads: workloads)
    }

    /// Parses, overrides and validates scenario text; `file` is only used to name the source in errors
    /// and in the returned record.
    /// - Throws: ``ScenarioError``.
    public static func parse(yaml: String, file: String, overrides: [String] = [],
                             workloads: WorkloadProviders = WorkloadProviders()) throws(ScenarioError) -> LoadedScenario {
        // Overrides are parsed first so a malformed `--set` is reported even when the file is also bad.
        var parsedOverrides: [ScenarioOverride] = []
        for text in overrides { parsedOverrides.append(try ScenarioOverride(text)) }

        let composed: Yams.Node?
        do {
            composed = try Yams.compose(yaml: yaml)
        } catch {
            let (line, column, problem) = yamlProblem(error)
            throw .malformedYAML(file: file, line: line, column: column, problem: problem)
        }
        guard let composed else { throw .empty(file: file) }
        var root = try DocNode(composed, path: "") { mark in
            .file(file, line: mark?.line ?? 1, column: mark?.column ?? 1)
        }
        if root.isNull { throw .empty(file: file) }
        guard case .mapping = root.value else {
            throw .invalidValue(root.location, key: "(top level)", value: root.described,
                                expected: "a mapping of scenario keys (name, phases, …)")
        }
        for override in parsedOverrides { try override.apply(to: &root) }

        var validator = ScenarioValidator()
        validator.workloads = workloads
        let scenario = try validator.scenario(from: root)
        let record = ScenarioRecord(name: scenario.name, description: scenario.description, file: file,
                                    overrides: overrides, spec: scenario)
        return LoadedScenario(record: record, locations: validator.reader.locations, sections: validator.sections,
                              directory: URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path)
    }
}

/// A validated scenario together with where each of its values came from, so that checks made later
/// (the workload's own settings, stage names, thresholds) can still point at a file line.
public struct LoadedScenario: Sendable, Equatable {
    /// The resolved scenario as it goes into `result.json`.
    public var record: ScenarioRecord
    /// Source of every value by dotted path: top-level keys (`seed`), workload keys
    /// (`stage.delay_us`), phases and their fields (`phases[1]`, `phases[1].rate`),
    /// faults (`inject[0]`, `inject[0].slow`) and thresholds (`thresholds[2]`).
    public var locations: [String: ScenarioLocation]
    /// The structured workload sections the scenario has, as written, by name (``WorkloadSection/structured``).
    public var sections: [String: SettingValue]
    /// The scenario file's folder (absolute): relative paths in workload settings are from here.
    public var directory: String

    public init(record: ScenarioRecord, locations: [String: ScenarioLocation], sections: [String: SettingValue] = [:],
                directory: String = "") {
        self.record = record
        self.locations = locations
        self.sections = sections
        self.directory = directory
    }

    /// The validated scenario.
    public var scenario: Scenario { record.spec }

    /// Where the value at `key` came from; a dotted path is walked up to the nearest known parent
    /// (`stage.limits` for `stage.limits.maxx` when only the former was written), and the file's
    /// first line when nothing matches.
    public func location(of key: String) -> ScenarioLocation {
        var path = Substring(key)
        while true {
            if let found = locations[String(path)] { return found }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return .file(record.file, line: 1)
    }

    /// An error for a value a later check rejected, located at `key`; e.g. a workload's complaint
    /// about `stage.delay_uz` becomes `smoke.yaml:9: stage.delay_uz: unknown key`.
    public func error(key: String, _ reason: String) -> ScenarioError {
        .rejected(location(of: key), key: key, reason: reason)
    }

    /// The workload `provider` describes with this scenario's settings for it (its plain sections'
    /// keys, its structured sections), and the scenario made to fit it: the record
    /// keeps the provider's resolved settings (``PreparedWorkload/record``), and a workload with a
    /// ``PreparedWorkload/concurrency`` gets that many worker threads when `workers` is not set.
    /// - Throws: ``ScenarioError/rejected(_:key:reason:)`` located at the setting the provider rejected.
    public mutating func prepare(_ provider: any WorkloadProvider) throws(ScenarioError) -> any PreparedWorkload {
        let owned = Set(provider.sections.filter(\.structured).map(\.name))
        let input = WorkloadInput(settings: WorkloadProviders.settings(scenario.workload, of: provider),
                                  sections: sections.filter { owned.contains($0.key) }, scenario: scenario, directory: directory)
        let prepared: any PreparedWorkload
        do {
            prepared = try provider.prepare(input)
        } catch {
            throw self.error(key: error.key, error.reason)
        }
        record.spec.external = prepared.record
        if record.spec.workers == nil, let n = prepared.concurrency { record.spec.workers = n }
        return prepared
    }

    /// Checks what needs the workload's stage names: `slow:` faults name a real stage, and every
    /// threshold parses against the stages and the scenario's phase count.
    /// - Parameter catalogue: the metrics of the workload the scenario drives.
    /// - Returns: the parsed thresholds, in scenario order.
    /// - Throws: ``ScenarioError/rejected(_:key:reason:)`` located at the offending entry.
    public func validate(catalogue: MetricCatalogue) throws(ScenarioError) -> [Threshold] {
        let stages = catalogue.stageKeys
        for (i, fault) in scenario.inject.enumerated() {
            let stage: String
            switch fault {
            case .slow(let name, _), .slowWork(let name, _): stage = name
            case .stall, .leak: continue
            }
            guard !stages.contains(stage) else { continue }
            let hint = KeySuggestion.closest(to: stage, among: stages).map { "did you mean `\($0)`? " } ?? ""
            throw error(key: "inject[\(i)].slow",
                        "unknown stage \"\(stage)\"; \(hint)stages: \(stages.joined(separator: ", "))")
        }
        var out: [Threshold] = []
        for (i, expression) in scenario.thresholds.enumerated() {
            do {
                out.append(try Threshold.parse(expression, catalogue: catalogue, phaseCount: scenario.phases.count))
            } catch {
                throw self.error(key: "thresholds[\(i)]", error.description)
            }
        }
        return out
    }
}
