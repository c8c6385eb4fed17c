import MemoryLayer
import Pipeline
import Testing

@Suite struct ConfigTests {
    @Test func emptySettingsGiveTheDefaults() throws {
        let c = try PipelineConfig(settings: [:])
        #expect(c == PipelineConfig())
        #expect(c.esgt.steps == 60 && c.esgt.coupling == 20 && c.esgt.dt == 0.005 && c.esgt.coherence == 0.70)
        #expect(c.mcea.threshold == 0.60 && c.phi.nodes == 8 && c.phi.cache == 1000 && c.tig.nodes == 64)
        #expect(c.memory == .off && c.memoryQuery.every == 10 && c.memoryQuery.k == 5)
    }

    @Test func settingsAreApplied() throws {
        let c = try PipelineConfig(settings: [
            "pipeline.esgt.steps": "400", "pipeline.esgt.coupling": "12.5", "pipeline.tig.nodes": "128",
            "pipeline.phi.nodes": "6", "pipeline.phi.cache": "1_000", "stimulus.vocabulary": "500",
            "stimulus.zipf": "1.1", "pipeline.memory": "moderate", "pipeline.esgt.refractory": "150ms",
            "pipeline.esgt.max_rate": "3/s", "stimulus.interval": "0.02",
        ])
        #expect(c.esgt.steps == 400 && c.esgt.coupling == 12.5 && c.tig.nodes == 128)
        #expect(c.phi.nodes == 6 && c.phi.cache == 1000)
        #expect(c.stimulus.vocabulary == 500 && c.stimulus.zipf == 1.1 && c.memory == .moderate)
        #expect(abs(c.esgt.refractory - 0.15) < 1e-12 && c.esgt.maxRate == 3 && c.stimulus.interval == 0.02)
    }

    @Test func yamlBooleanOffMeansMemoryOff() throws {
        var settings = ["pipeline.memory": "aggressive"]
        #expect(try PipelineConfig(settings: settings).memory == .aggressive)
        settings["pipeline.memory"] = "false"
        #expect(try PipelineConfig(settings: settings).memory == .off)
    }

    @Test func settingsRoundTrip() throws {
        var c = PipelineConfig()
        c.esgt.refractory = 0.125
        c.stimulus.zipf = 0.8
        c.memory = .conservative
        #expect(try PipelineConfig(settings: c.settings) == c)
    }

    @Test func parametersListEveryKeyWithItsDefault() throws {
        let names = PipelineConfig.parameters.map(\.name)
        #expect(Set(names) == Set(PipelineConfig().settings.keys))
        #expect(names.count == Set(names).count)
        for key in ["pipeline.tig.nodes", "pipeline.esgt.steps", "pipeline.esgt.coupling", "pipeline.phi.nodes",
                    "pipeline.phi.cache", "stimulus.vocabulary", "stimulus.zipf", "pipeline.memory",
                    "pipeline.memory_query.every", "pipeline.memory_query.k"] {
            #expect(names.contains(key), "missing \(key)")
        }
        let steps = try #require(PipelineConfig.parameters.first { $0.name == "pipeline.esgt.steps" })
        #expect(steps.defaultValue == "60")
        #expect(!steps.description.isEmpty && steps.expected.contains("1...1000000"))
    }

    @Test func unknownKeyNamesItAndSuggests() {
        #expect(throws: PipelineConfigError.self) { try PipelineConfig(settings: ["pipeline.esgt.step": "4"]) }
        do {
            _ = try PipelineConfig(settings: ["pipeline.esgt.step": "4"])
        } catch {
            guard case .unknownKey(let key, let suggestions, let valid) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(key == "pipeline.esgt.step")
            #expect(suggestions.contains("pipeline.esgt.steps"))
            #expect(valid.allSatisfy { $0.hasPrefix("pipeline.esgt.") } && valid.contains("pipeline.esgt.coupling"))
            #expect(error.description.contains("'pipeline.esgt.step'") && error.description.contains("did you mean 'pipeline.esgt.steps'"))
        }
    }

    @Test func misplacedLeafIsSuggestedInItsSections() {
        do {
            _ = try PipelineConfig(settings: ["pipeline.nodes": "12"])
            Issue.record("accepted an unknown key")
        } catch {
            guard case .unknownKey(_, let suggestions, _) = error else { Issue.record("\(error)"); return }
            #expect(suggestions.contains("pipeline.tig.nodes") && suggestions.contains("pipeline.phi.nodes"))
        }
    }

    @Test(arguments: [
        ("pipeline.esgt.steps", "0", "1...1000000"),
        ("pipeline.esgt.steps", "many", "an integer"),
        ("pipeline.phi.nodes", "20", "2...16"),
        ("stimulus.zipf", "-1", "[0.0, 10.0]"),
        ("pipeline.mcea.threshold", "1.5", "[0.0, 1.0]"),
        ("pipeline.esgt.dt", "0", "(0.0s, 1.0s]"),
        ("pipeline.esgt.refractory", "soon", "a duration"),
        ("pipeline.memory", "extreme", "off, conservative, moderate, aggressive, adaptive"),
        ("pipeline.memory_budget", "0", "1024...1099511627776 bytes"),
        ("pipeline.memory_budget", "1e30", "1024...1099511627776 bytes"),
        ("pipeline.memory_budget", "lots", "e.g. 2MiB"),
        ("pipeline.memory_budget", "1.5", "a size"),
        ("pipeline.memory_cost_budget", "5", "with its % sign"),
        ("pipeline.memory_cost_budget", "0%", "(0%, 100%]"),
        ("pipeline.memory_cost_budget", "150%", "(0%, 100%]"),
        ("pipeline.memory_cost_budget", "-5%", "(0%, 100%]"),
        ("pipeline.memory_retention", "-1", "0...1000000000"),
        ("pipeline.memory_retention", "2000000000", "0...1000000000"),
        ("pipeline.memory_retention", "1.5", "an integer"),
        ("pipeline.memory_retention", "lots", "an integer"),
    ])
    func badValueNamesKeyValueAndRange(key: String, value: String, expected: String) {
        do {
            _ = try PipelineConfig(settings: [key: value])
            Issue.record("accepted \(key)=\(value)")
        } catch {
            guard case .invalidValue(let k, let v, let e) = error else { Issue.record("\(error)"); return }
            #expect(k == key && v == value)
            #expect(e.contains(expected), "\(e)")
            #expect(error.description.contains(key) && error.description.contains("'\(value)'"))
        }
    }

    @Test func memoryRetentionDefaultsToUnlimitedAndParses() throws {
        #expect(PipelineConfig().memoryRetention == 0)
        let retention = try #require(PipelineConfig.parameters.first { $0.name == "pipeline.memory_retention" })
        #expect(retention.defaultValue == "0" && retention.description.contains("0 = keep every state"))
        #expect(try PipelineConfig(settings: ["pipeline.memory_retention": "2_000"]).memoryRetention == 2000)
        #expect(try PipelineConfig(settings: ["pipeline.memory_retention": "1"]).memoryRetention == 1)
        var c = PipelineConfig()
        c.memoryRetention = 5000
        #expect(try PipelineConfig(settings: c.settings) == c)
    }

    @Test func adaptiveBudgetsParseWithUnits() throws {
        let c = try PipelineConfig(settings: ["pipeline.memory": "adaptive", "pipeline.memory_budget": "2MiB",
                                              "pipeline.memory_cost_budget": "5%"])
        #expect(c.memory == .adaptive && c.memoryBudget == 2 << 20 && c.memoryCostBudget == 0.05)
        #expect(try PipelineConfig(settings: ["pipeline.memory_budget": "500KB"]).memoryBudget == 500_000)
        #expect(try PipelineConfig(settings: c.settings) == c)
        let workload = try PipelineWorkload(config: c, seed: 1, directory: nil)
        #expect(workload.memory.configuration.adaptive == MemoryConfiguration.Adaptive(budgetBytes: 2 << 20, costBudget: 0.05))
    }

    @Test func contradictorySettingsAreRejected() {
        #expect(throws: PipelineConfigError.self) {
            try PipelineConfig(settings: ["pipeline.tig.nodes": "6", "pipeline.phi.nodes": "8"])
        }
        #expect(throws: PipelineConfigError.self) {
            try PipelineConfig(settings: ["pipeline.tig.nodes": "4", "pipeline.tig.edges_per_node": "5"])
        }
    }
}
