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
        let loaded = try load("stage:\n  delay_us: 20")
        #expect(loaded.scenario.workload == ["stage.delay_us": "20"])
        #expect(WorkloadProviders.settings(["stage.delay_us": "20", "other.x": "1", "stagex": "2"], of: DelayProvider())
                == ["stage.delay_us": "20"])
        _ = try loaded.prepare(DelayProvider())
    }

    @Test func aProvidersComplaintIsLocatedAtTheFileLineOfItsKey() throws {
        let bad = try load("stage:\n  delay_us: -3")
        let negative = message { _ = try bad.prepare(DelayProvider()) }
        #expect(negative == "t.yaml:3: stage.delay_us: got \"-3\", expected a whole number of microseconds")
        let odd = try load("stage:\n  delay_uz: 3")
        let unknown = message { _ = try odd.prepare(DelayProvider()) }
        #expect(unknown.hasPrefix("t.yaml:3: stage.delay_uz: unknown key"), "\(unknown)")
        let overridden = try load("", overrides: ["stage.delay_us=x"])
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
        let both = message { _ = try load("stage: { delay_us: 1 }\nworkload: { process: [python3, w.py] }") }
        #expect(both.contains("`stage:` configures the built-in delay, but `workload:` (line 3) drives an external one"), "\(both)")
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
