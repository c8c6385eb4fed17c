import BenchModel
import Harness

/// A provider of a workload that runs outside this process, configured by the structured `workload`
/// section that names it (`workload: { process: [python3, worker.py], workers: 2 }`). What the kinds
/// share lives here: reading the section's head, checking the scenario's workers against the
/// workload's concurrency, and turning a failed preflight into an error about the setting to blame.
protocol ExternalProvider: WorkloadProvider {
    associatedtype Spec
    associatedtype PreflightError: Error & CustomStringConvertible
    /// The key in `workload` that names this kind and holds its description (`http`, `process`).
    static var kind: String { get }
    /// The keys the `workload` section accepts, `kind` among them.
    static var keys: [String] { get }
    /// A sample `workload` section, without braces.
    static var example: String { get }
    /// The setting a failed preflight is blamed on.
    static var preflightKey: String { get }
    /// The workload `section` describes; relative paths in it are from `directory`.
    static func spec(_ section: SettingValue?, directory: String) throws(WorkloadSettingError) -> Spec
    /// How many episodes `spec` has in flight at most: the limit, its setting, the setting as messages
    /// describe it and the unit one episode is in flight per.
    static func concurrency(_ spec: Spec) -> (limit: Int, setting: String, described: String, unit: String)
    /// Asks the outside workload once, before any load, and returns it ready to make for each trial.
    func preflight(_ spec: Spec, _ input: WorkloadInput) throws(PreflightError) -> any PreparedWorkload
}

extension ExternalProvider {
    var name: String { Self.kind }

    var sections: [WorkloadSection] { [WorkloadSection("workload", example: Self.example, structured: true)] }

    func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload {
        try prepare(WorkloadInput(settings: settings))
    }

    func prepare(_ input: WorkloadInput) throws(WorkloadSettingError) -> any PreparedWorkload {
        let spec = try Self.spec(input.sections["workload"], directory: input.directory)
        let concurrency = Self.concurrency(spec)
        try input.scenario.checkConcurrency(limit: concurrency.limit, setting: concurrency.setting,
                                            described: concurrency.described, unit: concurrency.unit)
        do {
            return try preflight(spec, input)
        } catch {
            throw WorkloadSettingError(key: Self.preflightKey, error.description)
        }
    }

    /// The entries of the `workload` section and the value of its `kind` key, or an error naming what is missing.
    static func head(_ section: SettingValue?) throws(WorkloadSettingError) -> (fields: [String: SettingValue], value: SettingValue) {
        let expected = "`workload: { \(example) }`"
        guard let section else { throw SettingReader.missing("workload.\(kind)", hint: "expected \(expected)") }
        let fields = try SettingReader.entries(section, key: "workload", allowed: keys, expected: expected)
        guard let value = fields[kind] else { throw SettingReader.missing("workload.\(kind)", hint: "expected \(expected)") }
        return (fields, value)
    }
}
