import BenchModel
import Foundation
import Harness
import Testing

/// A provider of one stage that waits `stage.delay_us` µs (never run here): enough to check what the
/// loader does with a provider's section and where its complaints point.
private struct DelayProvider: WorkloadProvider {
    var name: String { "delay" }
    var sections: [WorkloadSection] { [WorkloadSection("stage", example: "delay_us: 20")] }

    func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload {
        for (key, value) in settings {
            guard key == "stage.delay_us" else { throw WorkloadSettingError(key: key, "unknown key; the delay workload has stage.delay_us") }
            guard let us = Int(value), us >= 0 else {
                throw WorkloadSettingError(key: key, "got \"\(value)\", expected a whole number of microseconds")
            }
        }
        return NoopProvider.Prepared()
    }
}

private let providers = WorkloadProviders([DelayProvider(), NoopProvider()])

private func load(_ top: String, workloads: WorkloadProviders = providers, overrides: [String] = []) throws(ScenarioError) -> LoadedScenario {
    try ScenarioLoader.parse(yaml: "name: t\n\(top)\nphases:\n  - { kind: burst, count: 1 }\n", file: "t.yaml",
                             overrides: overrides, workloads: workloads)
}

private func message(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "(no error)"
    } catch {
        return "\(error)"
    }
}

@Suite struct WorkloadProviderTests {
    @Test func aProvidersSectionIsKeptAsDottedSettingsAndHandedToItAlone() throws {
        var loaded = try load("stage:\n  delay_us: 20")
        #expect(loaded.scenario.workload == ["stage.delay_us": "20"])
        #expect(WorkloadProviders.settings(["stage.delay_us": "20", "other.x": "1", "stagex": "2"], of: DelayProvider())
                == ["stage.delay_us": "20"])
        _ = try loaded.prepare(DelayProvider())
    }

    @Test func aProvidersComplaintIsLocatedAtTheFileLineOfItsKey() throws {
        var bad = try load("stage:\n  delay_us: -3")
        let negative = message { _ = try bad.prepare(DelayProvider()) }
        #expect(negative == "t.yaml:3: stage.delay_us: got \"-3\", expected a whole number of microseconds")
        var odd = try load("stage:\n  delay_uz: 3")
        let unknown = message { _ = try odd.prepare(DelayProvider()) }
        #expect(unknown.hasPrefix("t.yaml:3: stage.delay_uz: unknown key"), "\(unknown)")
        var overridden = try load("", overrides: ["stage.delay_us=x"])
        let fromSet = message { _ = try overridden.prepare(DelayProvider()) }
        #expect(fromSet.hasPrefix("--set stage.delay_us: got \"x\""), "\(fromSet)")
    }

    @Test func aSectionNoProviderOwnsIsAnUnknownKey() {
        let text = message { _ = try load("stage: { delay_us: 20 }", workloads: WorkloadProviders([NoopProvider()])) }
        #expect(text.hasPrefix("t.yaml:2: stage: unknown key"), "\(text)")
    }

    @Test func theLoaderChecksASectionsShapeWithTheProvidersExample() {
        let shape = message { _ = try load("stage: 5") }
        #expect(shape == "t.yaml:2: stage: got \"5\", expected a mapping of settings, e.g. `stage: { delay_us: 20 }`")
        let both = message { _ = try load("stage: { delay_us: 1 }\ntarget: { cmd: [1] }", workloads: sharing) }
        #expect(both == "t.yaml:2: stage: `stage:` configures the built-in delay, but `target:` (line 3) drives the cmd workload; remove one of them",
                "\(both)")
    }

    @Test func theRegistryLooksProvidersUpByNameAndSection() {
        #expect(providers.names == ["delay", "noop"])
        #expect(providers.provider(named: "noop")?.name == "noop" && providers.provider(named: "pipeline") == nil)
        #expect(providers.owner(ofSection: "stage")?.name == "delay" && providers.owner(ofSection: "noop") == nil)
        #expect(providers.resultV1 == nil)
        let upgrade = ResultV1Upgrade(workload: "old", detailKeys: ["cache"])
        struct Old: WorkloadProvider {
            let upgrade: ResultV1Upgrade
            var name: String { "old" }
            var resultV1: ResultV1Upgrade? { upgrade }
            func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload { NoopProvider.Prepared() }
        }
        #expect(WorkloadProviders([NoopProvider(), Old(upgrade: upgrade)]).resultV1 == upgrade)
    }
}

/// One of two providers sharing the structured section `target:`, each chosen by its name as a key
/// (as `process` and `http` share `workload:`): `target: { cmd: [1, 2], slots: 2 }` lists digits,
/// and at most `slots` episodes may be in flight.
private struct TargetProvider: WorkloadProvider {
    let name: String
    var sections: [WorkloadSection] { [WorkloadSection("target", example: "\(name): [1, 2], slots: 2", structured: true)] }
    var parameters: [WorkloadParameter] {
        [WorkloadParameter(name: "target.\(name)", defaultValue: "[]", description: "digits"),
         WorkloadParameter(name: "target.slots", defaultValue: "1", description: "episodes in flight")]
    }

    func prepare(settings: [String: String]) throws(WorkloadSettingError) -> any PreparedWorkload {
        try prepare(WorkloadInput(settings: settings))
    }

    func prepare(_ input: WorkloadInput) throws(WorkloadSettingError) -> any PreparedWorkload {
        guard let section = input.sections["target"] else { throw SettingReader.missing("target.\(name)", hint: "expected a list") }
        let fields = try SettingReader.entries(section, key: "target", allowed: [name, "slots"], expected: "a mapping")
        let items = try SettingReader.list(fields[name] ?? .null, key: "target.\(name)", expected: "a list of digits")
        for (i, item) in items.enumerated() { _ = try SettingReader.integer(item, key: "target.\(name)[\(i)]", minimum: 0, maximum: 9) }
        let slots = try fields["slots"].map { v throws(WorkloadSettingError) in try SettingReader.integer(v, key: "target.slots", maximum: 8) } ?? 1
        try input.scenario.checkConcurrency(limit: slots, setting: "target.slots", described: "target.slots (\(slots))", unit: "slot")
        return Prepared(concurrency: slots, record: section.json)
    }

    struct Prepared: PreparedWorkload {
        var concurrency: Int?
        var record: JSONValue?
        var vocabulary: WorkloadVocabulary { SyntheticWorkload().vocabulary }
        func makeWorkload(_ context: WorkloadContext) -> SyntheticWorkload { SyntheticWorkload() }
    }
}

private let sharing = WorkloadProviders([DelayProvider(), TargetProvider(name: "cmd"), TargetProvider(name: "web")])

@Suite struct StructuredSectionTests {
    @Test func aStructuredSectionIsKeptAsWrittenAndNamesItsProvider() throws {
        let loaded = try load("target: { web: [1, \"2\"], slots: 2 }", workloads: sharing)
        let value = try #require(loaded.sections["target"])
        #expect(value == .mapping([SettingEntry("web", .list([.scalar("1", isString: false), .scalar("2", isString: true)])),
                                   SettingEntry("slots", .scalar("2", isString: false))]))
        #expect(value.json == .object(["web": .array([.number(1), .string("2")]), "slots": .number(2)]))
        #expect(loaded.scenario.workload.isEmpty)
        #expect(sharing.owner(ofSection: "target", value: value)?.name == "web")
        #expect(sharing.owner(ofSection: "target", value: .mapping([])) == nil)
        #expect(sharing.owners(ofSection: "target").map(\.name) == ["cmd", "web"])
        #expect(sharing.sections.map(\.name) == ["stage", "target"])
    }

    @Test func preparingFitsTheScenarioToTheWorkload() throws {
        var loaded = try load("target: { cmd: [3], slots: 3 }", workloads: sharing)
        #expect(loaded.record.spec.workers == nil && loaded.record.spec.external == nil)
        _ = try loaded.prepare(TargetProvider(name: "cmd"))
        #expect(loaded.record.spec.workers == 3)
        #expect(loaded.record.spec.external == .object(["cmd": .array([.number(3)]), "slots": .number(3)]))
        var set = try load("workers: 2\ntarget: { cmd: [3], slots: 3 }", workloads: sharing)
        _ = try set.prepare(TargetProvider(name: "cmd"))
        #expect(set.record.spec.workers == 2)
    }

    @Test("mistakes in a structured section are located at their file line or --set", arguments: [
        ("target:\n  cmd:\n    - 1\n    - x", [String](), "t.yaml:5: target.cmd[1]: got \"x\", expected a whole number from 0 to 9"),
        ("target: { cmd: [1], slotz: 2 }", [], "t.yaml:2: target.slotz: unknown key; did you mean `slots`? (valid here: cmd, slots)"),
        ("target: { cmd: 5 }", [], "t.yaml:2: target.cmd: got \"5\", expected a list of digits"),
        ("target: { cmd: [1] }", ["target.cmd[0]=12"], "--set target.cmd[0]: got \"12\", expected a whole number from 0 to 9"),
        ("workers: 4\ntarget: { cmd: [1], slots: 2 }", [],
         "t.yaml:2: workers: 4 worker threads exceed target.slots (2): one episode is in flight per slot; raise target.slots or lower workers"),
    ])
    func providerComplaints(_ top: String, _ overrides: [String], _ expected: String) throws {
        var loaded = try load(top, workloads: sharing, overrides: overrides)
        let text = message { _ = try loaded.prepare(TargetProvider(name: "cmd")) }
        #expect(text == expected)
    }

    @Test("the loader checks which provider a shared section names", arguments: [
        ("target: { cmd: [1], web: [2] }", "t.yaml:2: target: give either `cmd:` or `web:`, not both"),
        ("target: { slotz: 2 }", "t.yaml:2: target.slotz: unknown key; did you mean `slots`? (valid here: cmd, web)"),
        ("target: { slots: 2 }", "t.yaml:2: target.cmd: missing; target: names the workload it configures with one of `cmd:` or `web:`; expected `target: { cmd: [1, 2], slots: 2 }` or `target: { web: [1, 2], slots: 2 }`"),
        ("target: [cmd]", "t.yaml:2: target: got a list, expected `target: { cmd: [1, 2], slots: 2 }` or `target: { web: [1, 2], slots: 2 }`"),
    ])
    func sharedSectionChoice(_ top: String, _ expected: String) {
        #expect(message { _ = try load(top, workloads: sharing) } == expected)
    }

    @Test func aNullSectionIsAbsent() throws {
        let loaded = try load("target: { cmd: [1] }", workloads: sharing, overrides: ["target=null"])
        #expect(loaded.sections.isEmpty)
    }
}
