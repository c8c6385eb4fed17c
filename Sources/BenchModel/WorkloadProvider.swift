import Foundation

/// A kind of workload phibench can drive, registered in one line by whoever builds the tool (the
/// `phibench` executable, or a package using PhibenchKit): its name (`--workload NAME`), the top-level
/// scenario sections it owns (settings as dotted keys, validated by the provider itself), its
/// vocabulary, how to read its results of schema version 1 (if it wrote any), and how to make it.
///
/// The harness knows providers only through this protocol: the scenario loader accepts the sections
/// the registered providers own, and hands each provider its own settings.
public protocol WorkloadProvider: Sendable {
    /// The workload's name: the value of `--workload`, and the result's workload name.
    var name: String { get }
    /// Top-level scenario sections this workload reads its settings from (none: it has no settings).
    var sections: [WorkloadSection] { get }
    /// How a result of schema `phibench.result/1` that this workload wrote is read; nil when it wrote none.
    var resultV1: ResultV1Upgrade? { get }
    /// The settings its sections accept, with defaults (`phibench list --params`).
    var parameters: [WorkloadParameter] { get }
    /// Checks `settings` (the dotted keys of this provider's sections, e.g. `stage.delay_us`, with
    /// their YAML scalar text) and returns the workload they describe, ready to make for each trial.
    /// - Throws: ``WorkloadSettingError`` naming the offending key; the caller locates it in the scenario.
    func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload
    /// Checks everything this workload was given — its plain sections' dotted keys, its structured
    /// sections as written, the scenario they came with — and returns the workload. The harness calls
    /// this one; the default hands ``prepare(settings:)`` the dotted keys, which is all a provider
    /// without structured sections needs.
    /// - Throws: ``WorkloadSettingError`` naming the offending key (a setting, or a scenario key such as
    ///   `workers` the settings contradict); the caller locates it in the scenario.
    func prepare(_ input: WorkloadInput) throws(WorkloadSettingError) -> any PreparedWorkload
}

extension WorkloadProvider {
    public var sections: [WorkloadSection] { [] }
    public var resultV1: ResultV1Upgrade? { nil }
    public var parameters: [WorkloadParameter] { [] }

    public func prepare(_ input: WorkloadInput) throws(WorkloadSettingError) -> any PreparedWorkload {
        try prepare(settings: input.settings)
    }
}

/// What a provider prepares its workload from.
public struct WorkloadInput: Sendable {
    /// The dotted keys of its plain sections with their YAML scalar text (`stage.delay_us`).
    public var settings: [String: String]
    /// Its structured sections that the scenario has, by section name, as written.
    public var sections: [String: SettingValue]
    /// The resolved scenario (seed, workers, phases), for checks of the settings against it.
    public var scenario: Scenario
    /// The scenario file's folder (absolute): relative paths in settings are from here.
    public var directory: String

    public init(settings: [String: String] = [:], sections: [String: SettingValue] = [:],
                scenario: Scenario = Scenario(name: "", phases: []), directory: String = "") {
        self.settings = settings
        self.sections = sections
        self.scenario = scenario
        self.directory = directory
    }
}

/// One setting of a provider's sections, for listings.
public struct WorkloadParameter: Sendable, Equatable {
    /// Fully qualified key, e.g. `stage.delay_us`.
    public var name: String
    /// The default, as a scenario would write it.
    public var defaultValue: String
    /// What the setting does, with its unit.
    public var description: String

    public init(name: String, defaultValue: String, description: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// A top-level scenario section a provider owns, e.g. `stage: { delay_us: 20 }`.
///
/// A plain section reaches its provider as dotted keys with scalar text (``WorkloadInput/settings``);
/// a structured one whole, lists and all (``WorkloadInput/sections``). Several providers may own one
/// structured section: the section then holds the name of the one it configures as a key, as
/// `workload: { process: [python3, worker.py], workers: 2 }` names the `process` workload.
public struct WorkloadSection: Sendable, Equatable {
    /// The key, e.g. `stage`.
    public var name: String
    /// A sample of its settings for messages, without braces, e.g. `delay_us: 20`.
    public var example: String
    /// Whether the section is handed over as written (``SettingValue``) rather than as dotted keys.
    public var structured: Bool

    public init(_ name: String, example: String, structured: Bool = false) {
        self.name = name
        self.example = example
        self.structured = structured
    }
}

/// A provider's complaint about one of its settings.
public struct WorkloadSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The dotted key the complaint is about (a section name when no single key is to blame).
    public var key: String
    /// What is wrong and what is expected, for the user.
    public var reason: String

    public init(key: String, _ reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}

/// What a trial's workload is made from.
public struct WorkloadContext: Sendable {
    /// The trial (0-based).
    public var trial: Int
    /// The trial's seed: the same seed gives the same work.
    public var seed: UInt64
    /// The run's folder, where the workload may keep files (in a subfolder of its own, per trial if it
    /// needs one); nil: none, keep everything in memory.
    public var directory: URL?

    public init(trial: Int, seed: UInt64, directory: URL?) {
        self.trial = trial
        self.seed = seed
        self.directory = directory
    }
}

/// A workload whose settings have been checked: its vocabulary is known before it runs, and it makes
/// a fresh ``Workload`` for each trial.
public protocol PreparedWorkload: Sendable {
    associatedtype Made: Workload
    /// What the workload reports (stages, counters, metrics), known before any load.
    var vocabulary: WorkloadVocabulary { get }
    /// A fresh workload for one trial.
    /// - Throws: whatever keeps the workload from starting.
    func makeWorkload(_ context: WorkloadContext) throws -> Made
    /// At most this many episodes can be in flight (one per child process, per connection): the
    /// harness runs no more worker threads than this, and this many when the scenario does not say.
    /// nil: no limit.
    var concurrency: Int? { get }
    /// The settings as resolved (defaults filled in, paths absolute), kept in the scenario record
    /// (result.json's `scenario.spec.external`); nil: the dotted settings say it all.
    var record: JSONValue? { get }
}

extension PreparedWorkload {
    public var concurrency: Int? { nil }
    public var record: JSONValue? { nil }
}

/// How results of schema version 1 of one workload are read: version 1 did not name its workload
/// and kept the workload's own objects at the top level.
public struct ResultV1Upgrade: Sendable, Equatable {
    /// The workload name the upgraded result gets.
    public var workload: String
    /// Top-level keys of a version 1 result that were the workload's: kept as its details.
    public var detailKeys: [String]

    public init(workload: String, detailKeys: [String] = []) {
        self.workload = workload
        self.detailKeys = detailKeys
    }
}

/// The workload providers a tool knows, by name; the first is the default workload.
public struct WorkloadProviders: Sendable {
    /// In registration order.
    public let all: [any WorkloadProvider]

    /// - Precondition: names are unique, and a section with two owners is structured for each
    ///   (a programming error).
    public init(_ providers: [any WorkloadProvider] = []) {
        var names = Set<String>(), sections: [String: Bool] = [:]
        for p in providers {
            precondition(names.insert(p.name).inserted, "two workload providers are named \(p.name)")
            for s in p.sections {
                if let structured = sections[s.name] {
                    precondition(structured && s.structured, "two workload providers own the plain scenario section \(s.name)")
                }
                sections[s.name] = s.structured
            }
        }
        all = providers
    }

    /// Names in registration order.
    public var names: [String] { all.map { $0.name } }

    /// The provider named `name`.
    public func provider(named name: String) -> (any WorkloadProvider)? {
        all.first { $0.name == name }
    }

    /// The provider that owns the top-level section `section`.
    public func owner(ofSection section: String) -> (any WorkloadProvider)? {
        all.first { $0.sections.contains { $0.name == section } }
    }

    /// Every provider that owns `section`, in registration order.
    public func owners(ofSection section: String) -> [any WorkloadProvider] {
        all.filter { $0.sections.contains { $0.name == section } }
    }

    /// The provider a structured section written as `value` configures: its only owner, or the owner
    /// whose name is a key of the mapping; nil when no owner's name is there, or more than one's.
    public func owner(ofSection section: String, value: SettingValue) -> (any WorkloadProvider)? {
        let owners = owners(ofSection: section)
        guard owners.count > 1 else { return owners.first }
        let named = owners.filter { value[$0.name] != nil }
        return named.count == 1 ? named[0] : nil
    }

    /// Every section any provider owns, in registration order, each once.
    public var sections: [WorkloadSection] {
        var seen = Set<String>()
        return all.flatMap { $0.sections }.filter { seen.insert($0.name).inserted }
    }

    /// How version 1 results are read: the first provider that wrote any.
    public var resultV1: ResultV1Upgrade? { all.lazy.compactMap { $0.resultV1 }.first }

    /// The section a dotted settings key belongs to: `sleep` for `sleep.stage_a_us`.
    public static func section(of key: String) -> String {
        String(key.prefix { $0 != "." && $0 != "[" })
    }

    /// `settings` restricted to `provider`'s sections (keys `SECTION` or `SECTION.…`).
    public static func settings(_ settings: [String: String], of provider: any WorkloadProvider) -> [String: String] {
        let owned = Set(provider.sections.map { $0.name })
        return settings.filter { key, _ in owned.contains(section(of: key)) }
    }
}
