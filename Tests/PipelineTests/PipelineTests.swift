import BenchModel
import Pipeline
import Testing

@Suite struct PipelineTests {
    func outcomes(seed: UInt64, count: UInt64, settings: [String: String] = [:]) throws -> [EpisodeOutcome] {
        var p = try Pipeline(config: PipelineConfig(settings: settings), seed: seed)
        return try (0..<count).map { try p.runEpisode($0) }
    }

    @Test func sameSeedSameOutcomesOtherSeedOtherOutcomes() throws {
        let a = try outcomes(seed: 42, count: 400)
        let b = try outcomes(seed: 42, count: 400)
        let c = try outcomes(seed: 43, count: 400)
        #expect(a == b)
        #expect(a != c)
        #expect(a.contains { $0.ignited } && a.contains { !$0.ignited })
    }

    @Test func ignitionsRespectTheSimulatedClock() throws {
        let runs = try outcomes(seed: 5, count: 2_000, settings: ["pipeline.esgt.refractory": "300ms", "stimulus.interval": "20ms"])
        let times = runs.filter(\.ignited).map(\.timestamp)
        #expect(times.count > 10)
        for (a, b) in zip(times, times.dropFirst()) {
            #expect(b - a >= 0.3 - 1e-9, "ignitions at \(a) and \(b)")
        }
        #expect(runs.contains { $0.blockedBy == .refractory })
        // Every event that met the other triggers within the refractory period was held back.
        var last = -Double.infinity
        for o in runs {
            if o.timestamp - last < 0.3 - 1e-9 { #expect(!o.ignited) }
            if o.ignited { last = o.timestamp }
        }
    }

    @Test func rateLimitCapsIgnitionsPerSimulatedSecond() throws {
        let runs = try outcomes(seed: 6, count: 2_000, settings: [
            "pipeline.esgt.refractory": "0", "pipeline.esgt.max_rate": "2", "stimulus.interval": "10ms",
        ])
        let times = runs.filter(\.ignited).map(\.timestamp)
        #expect(times.count > 10)
        for (i, t) in times.enumerated() {
            #expect(times[i...].prefix { $0 - t < 1 - 1e-9 }.count <= 2)
        }
        #expect(runs.contains { $0.blockedBy == .rate })
    }

    @Test func ignitionNeedsTheTriggersAndCoherence() throws {
        let runs = try outcomes(seed: 9, count: 1_500)
        for o in runs where o.ignited {
            #expect(o.salience >= o.threshold && o.arousal >= 0.40 && o.recruited >= 8)
            #expect(o.orderParameter >= 0.70 && o.steps >= 1 && o.steps <= 60)
            #expect(o.phaseReached == .dissolve && o.phi != nil && o.phi! >= 0)
        }
        for o in runs where !o.ignited {
            #expect(o.phi == nil && o.blockedBy != nil)
            if o.blockedBy == .coherence { #expect(o.steps == 60 && o.orderParameter < 0.70) }
        }
        #expect(Set(runs.compactMap(\.blockedBy)).count >= 3)
    }

    @Test func workspaceHoldsTheBroadcastContent() throws {
        var p = try Pipeline(seed: 3)
        #expect(p.workspace.count == 512 && p.workspace.allSatisfy { $0 == 0 })
        var n: UInt64 = 0
        while try !p.runEpisode(n).ignited { n += 1 }
        #expect(p.workspace.contains { $0 != 0 })
    }

    @Test func workerReportsEveryStageAndTheCacheHits() throws {
        let config = try PipelineConfig(settings: ["stimulus.vocabulary": "20", "stimulus.zipf": "1.1"])
        let workload = try PipelineWorkload(config: config, seed: 42, directory: nil)
        #expect(workload.stageNames == ["MMEI", "MCEA", "MEA", "TIG", "ESGT", "PHI", "PHI.hit", "PHI.miss",
                                        "MEMORY.store", "MEMORY.query"])
        var worker = try workload.makeWorker(id: 0)
        var timings = StageTimings(stageCount: workload.stageNames.count)
        var total = Array(repeating: UInt64(0), count: workload.stageNames.count)
        var ran = Array(repeating: 0, count: workload.stageNames.count)
        for episode in 0..<UInt64(300) {
            timings.reset()
            try worker.runEpisode(episode, timings: &timings)
            for i in total.indices where timings.ran[i] {
                total[i] += timings.nanoseconds[i]
                ran[i] += 1
            }
            if timings.ran[5] {
                #expect(timings.ran[6] != timings.ran[7])
                #expect(timings.nanoseconds[5] == timings.nanoseconds[6] + timings.nanoseconds[7])
            }
        }
        for (i, name) in workload.stageNames.enumerated() {
            #expect(ran[i] > 0 && total[i] > 0, "\(name) never ran")
        }
        #expect(ran[0] == 300 && ran[8] == 300 && ran[9] == 30)
        let stats = workload.statistics().values
        #expect(stats["esgt.ignitions"] == Double(ran[5]))
        #expect(stats["phi.hits"] == Double(ran[6]) && stats["phi.misses"] == Double(ran[7]))
        #expect(workload.phiCache.statistics.cacheHitRate > 0.3)
        #expect(stats["memory_layer.stored_states"] == 300 && workload.memory.statistics().level == "off")
        // Every counter and gauge the vocabulary declares is reported, and the catalogue derives the
        // hit rate from them.
        let vocabulary = workload.vocabulary
        #expect(Set(vocabulary.counters + vocabulary.gauges).isSubset(of: Set(stats.keys)))
        let span = Span(seconds: 1, episodes: 300, counters: stats.filter { vocabulary.counters.contains($0.key) })
        let hitRate = MetricCatalogue.standard(for: vocabulary).evaluate(span)["phi.cache_hit_rate"]
        #expect(hitRate == workload.phiCache.statistics.cacheHitRate)
    }

    @Test func repeatedContentHitsTheCacheMoreThanFreshContent() throws {
        func hitRate(_ vocabulary: String) throws -> Double {
            var p = try Pipeline(config: PipelineConfig(settings: ["stimulus.vocabulary": vocabulary, "stimulus.zipf": "1.0"]),
                                 seed: 8)
            for n in 0..<UInt64(1_500) { _ = try p.runEpisode(n) }
            return p.workload.phiCache.statistics.cacheHitRate
        }
        #expect(try hitRate("20") > hitRate("100000") + 0.3)
    }

    @Test("the default stimulus mix is the seeds' workload: > 80% Φ cache hits once the cache is primed")
    func defaultStimulusHitsTheCache() throws {
        var p = try Pipeline(config: PipelineConfig(), seed: 42)
        for n in 0..<UInt64(1_000) { _ = try p.runEpisode(n) }
        let primed = p.workload.phiCache.statistics
        for n in 1_000..<UInt64(6_000) { _ = try p.runEpisode(n) }
        let now = p.workload.phiCache.statistics
        let after = PhiStats(hits: now.hits - primed.hits, misses: now.misses - primed.misses)
        #expect(after.hits + after.misses > 200)
        #expect(after.cacheHitRate > 0.8)
    }

    @Test("the adaptive layer under a small budget moves to tighter rungs and says why")
    func adaptiveMemoryDecides() throws {
        let config = try PipelineConfig(settings: ["pipeline.memory": "adaptive", "pipeline.memory_budget": "200KiB",
                                                   "pipeline.memory_query.every": "0"])
        var p = try Pipeline(config: config, seed: 5)
        for n in 0..<UInt64(1_500) { _ = try p.runEpisode(n) }
        let stats = p.workload.memory.statistics()
        let events = p.workload.drainEvents()
        #expect(!events.isEmpty && events.allSatisfy { $0.kind == "memory.policy" && $0.episode != nil },
                "the decisions reach the harness as workload events")
        let decisions = stats.adaptive?.decisions ?? []
        let adaptive = try #require(stats.adaptive)
        #expect(stats.level == "adaptive" && adaptive.budgetBytes == 200 << 10)
        #expect(!decisions.isEmpty && adaptive.rung > 0)
        #expect(events.count == decisions.count
                && zip(events, decisions).allSatisfy { $0.episode == $1.episode && $0.message.contains($1.to) })
        #expect(decisions.allSatisfy { $0.reason.contains("budget") && $0.episode > 0 })
        // The pipeline reports its episodes' time: the cost share is measured, not zero.
        #expect(adaptive.costShare > 0)
        // The states it stores carry every data kind the strategies are for.
        #expect(stats.strategies["sparse_csr"] != nil || stats.strategies["vector_dense"] != nil)
        #expect(stats.strategies["binarize"] != nil && stats.strategies.keys.contains { $0.hasPrefix("graph_") })
    }

    @Test(arguments: ["off", "moderate"])
    func memoryRetentionReachesTheStore(level: String) throws {
        let config = try PipelineConfig(settings: ["pipeline.memory": level, "pipeline.memory_retention": "50"])
        let workload = try PipelineWorkload(config: config, seed: 3, directory: nil)
        var worker = try workload.makeWorker(id: 0)
        var timings = StageTimings(stageCount: workload.stageNames.count)
        for n in 0..<UInt64(300) {
            timings.reset()
            try worker.runEpisode(n, timings: &timings)
        }
        let memory = workload.memory.statistics()
        #expect(memory.level == level && memory.retention == 50)
        #expect(memory.storedStates == 300 && memory.liveStates == 50 && memory.evictedByRetention == 250)
        #expect(try workload.memory.retrieve(249) == nil && workload.memory.retrieve(250) != nil)
        let unlimited = try PipelineWorkload(config: PipelineConfig(settings: ["pipeline.memory": level]), seed: 3, directory: nil)
        #expect(unlimited.memory.configuration.retention == nil)
    }

    @Test func sharedWorkloadServesSeveralWorkers() throws {
        let workload = try PipelineWorkload(config: PipelineConfig(), seed: 1, directory: nil)
        var a = try workload.makeWorker(id: 0)
        var b = try workload.makeWorker(id: 1)
        var timings = StageTimings(stageCount: workload.stageNames.count)
        for n in 0..<UInt64(200) {
            timings.reset()
            if n % 2 == 0 { try a.runEpisode(n, timings: &timings) } else { try b.runEpisode(n, timings: &timings) }
        }
        #expect(workload.memory.statistics().storedStates == 200)
    }
}
