import Foundation
import Testing
@testable import MemoryLayer

@Suite("Memory store")
struct MemoryStoreTests {
    @Test("every level stores and retrieves within its stated error", arguments: MemoryLevel.allCases)
    func roundTrip(level: MemoryLevel) throws {
        let store = try MemoryStore(configuration: smallConfiguration(level, dimension: 64), directory: nil)
        var rng = TestRandom(seed: 10)
        let states = (0..<40).map { makeState(UInt64($0), dimension: 64, rng: &rng) }
        let ids = try states.map { try store.store($0) }
        #expect(ids == (0..<40).map(UInt64.init))
        let encoding = level == .off ? .float32 : store.configuration.payloadEncoding
        for (id, s) in zip(ids, states) {
            #expect(matches(try store.retrieve(id), s, encoding))
        }
        #expect(try store.retrieve(40) == nil)
        let stats = store.statistics()
        #expect(stats.storedStates == 40)
        #expect(stats.liveStates == 40)
        #expect(stats.level == level.rawValue)
    }

    @Test("the presets quantize as documented")
    func presets() {
        #expect(MemoryConfiguration.preset(.conservative).payloadEncoding == .float32)
        #expect(MemoryConfiguration.preset(.moderate).payloadEncoding == .int8)
        #expect(MemoryConfiguration.preset(.aggressive).payloadEncoding == .int4)
        #expect(MemoryConfiguration.preset(.conservative).indexEncoding == .int8)
        #expect(MemoryConfiguration.preset(.moderate).indexEncoding == .int4)
        #expect(MemoryConfiguration.preset(.aggressive).hotCapacity < MemoryConfiguration.preset(.moderate).hotCapacity)
    }

    @Test("similar finds the state itself first, at every level", arguments: MemoryLevel.allCases)
    func similarFindsSelf(level: MemoryLevel) throws {
        let store = try MemoryStore(configuration: smallConfiguration(level, dimension: 128), directory: nil)
        var rng = TestRandom(seed: 11)
        let states = (0..<300).map { makeState(UInt64($0), dimension: 128, rng: &rng) }
        for s in states { try store.store(s) }
        for probe in [0, 17, 150, 299] {
            let top = try store.similar(to: states[probe].embedding, k: 5)
            #expect(top.count == 5)
            #expect(top.first?.id == UInt64(probe))
            #expect((top.first?.score ?? 0) > 0.95)
            #expect(zip(top, top.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        #expect(try store.similar(to: states[0].embedding, k: 0).isEmpty)
        #expect(try store.similar(to: states[0].embedding, k: 1000).count == 300)
    }

    @Test("quantized similarity ranks like exact cosine on near neighbours")
    func quantizedRanking() throws {
        let exact = try MemoryStore(configuration: smallConfiguration(.off, dimension: 256), directory: nil)
        let quantized = try MemoryStore(configuration: smallConfiguration(.moderate, dimension: 256), directory: nil)
        var rng = TestRandom(seed: 12)
        let base = (0..<256).map { _ in rng.symmetric() }
        // States at increasing distance from `base`: the order is unambiguous.
        for i in 0..<20 {
            let noise = Float(i) * 0.1
            let e = base.map { $0 + noise * rng.symmetric() }
            let s = ConsciousState(version: UInt64(i), phi: 0, embedding: e, emotion: [], attentionFocus: 0,
                                   timestamp: 0, importance: 0)
            try exact.store(s)
            try quantized.store(s)
        }
        let a = try exact.similar(to: base, k: 5).map(\.id)
        let b = try quantized.similar(to: base, k: 5).map(\.id)
        #expect(a == [0, 1, 2, 3, 4])
        #expect(b == a)
    }

    @Test("a wrong embedding size is a clear error, not a crash")
    func dimensionMismatch() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.moderate), directory: nil)
        var rng = TestRandom(seed: 13)
        let s = makeState(0, dimension: 17, rng: &rng)
        #expect(throws: MemoryLayerError.dimensionMismatch(expected: 16, actual: 17)) { try store.store(s) }
        #expect(throws: MemoryLayerError.self) { try store.similar(to: [1, 2], k: 1) }
        let e = MemoryLayerError.dimensionMismatch(expected: 16, actual: 17)
        #expect(e.description.contains("17 elements"))
    }

    @Test("a bad configuration is refused with the field named")
    func badConfiguration() {
        var c = MemoryConfiguration.preset(.moderate)
        c.coldBlockRecords = 0
        #expect(throws: MemoryLayerError.self) { try MemoryStore(configuration: c, directory: nil) }
    }

    @Test("files go to the given directory: a real SQLite file and cold segments")
    func filesInDirectory() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let store = try MemoryStore(configuration: smallConfiguration(.moderate), directory: dir)
            var rng = TestRandom(seed: 14)
            for i in 0..<100 { try store.store(makeState(UInt64(i), dimension: 16, rng: &rng)) }
            let stats = store.statistics()
            #expect(stats.tiers.cold > 0)
            #expect(stats.disk.coldBytes > 0)
            #expect(stats.disk.warmBytes > 0)
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(names.contains("memory-warm.sqlite"))
        #expect(names.contains("cold-000000.seg"))
        let header = try Data(contentsOf: dir.appendingPathComponent("memory-warm.sqlite")).prefix(15)
        #expect(String(decoding: header, as: UTF8.self) == "SQLite format 3")
    }

    @Test("a store made with a nil directory removes its temporary files")
    func temporaryDirectoryRemoved() throws {
        var path = ""
        do {
            let store = try MemoryStore(configuration: smallConfiguration(.aggressive), directory: nil)
            path = try #require(store.tiered).directory
            #expect(FileManager.default.fileExists(atPath: path))
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("statistics are consistent and encode under stable names")
    func statisticsShape() throws {
        let store = try MemoryStore(configuration: smallConfiguration(.aggressive, dimension: 512), directory: nil)
        var rng = TestRandom(seed: 15)
        for i in 0..<200 { try store.store(makeState(UInt64(i), rng: &rng)) }
        let s = store.statistics()
        #expect(s.tiers.hot + s.tiers.warm + s.tiers.cold == s.liveStates)
        #expect(s.logicalBytesPerState == Double(MemoryLayout<ConsciousState>.stride + 512 * 4 + 12))
        #expect(s.quantization.payloadBits == 4)
        #expect(s.quantization.maxRelativeError <= s.quantization.relativeErrorBound)
        #expect(s.compression.content > 6)
        #expect(s.resident.index > 0 && s.resident.locations > 0)
        let json = String(decoding: try JSONEncoder().encode(s), as: UTF8.self)
        for key in ["resident_bytes_per_state", "hot_to_warm", "false_positive_rate", "relative_error_bound",
                    "dropped_by_cleanup", "corrupt_records", "unique_contents", "sqlite_cache_limit_bytes"] {
            #expect(json.contains("\"\(key)\""), "missing \(key)")
        }
        #expect(try JSONDecoder().decode(MemoryLayerStats.self, from: JSONEncoder().encode(s)) == s)
        // Older results without the detail still decode.
        let old = #"{"level":"off","stored_states":3,"logical_bytes_per_state":10,"resident_bytes_per_state":12}"#
        let decoded = try JSONDecoder().decode(MemoryLayerStats.self, from: Data(old.utf8))
        #expect(decoded.storedStates == 3 && decoded.liveStates == 3)
    }

    @Test("off keeps plain states; the on levels keep far fewer resident bytes per state")
    func residentReduction() throws {
        var perState: [MemoryLevel: Double] = [:]
        for level in MemoryLevel.allCases {
            var c = MemoryConfiguration.preset(level)
            c.hotCapacity = 64
            c.hotIdleEpisodes = 64
            let store = try MemoryStore(configuration: c, directory: nil)
            var rng = TestRandom(seed: 16)
            for i in 0..<1500 { try store.store(makeState(UInt64(i), rng: &rng)) }
            perState[level] = store.statistics().residentBytesPerState
        }
        let off = try #require(perState[.off])
        #expect(off > 2000)
        let moderate = try #require(perState[.moderate])
        let aggressive = try #require(perState[.aggressive])
        #expect(moderate < off * 0.5)
        #expect(aggressive < moderate)
    }
}
