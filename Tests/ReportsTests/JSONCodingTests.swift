import BenchModel
import Foundation
import Testing

/// What the one configured coder converts, checked against this Foundation: only the keys of coded
/// types' own `CodingKeys`, never the keys of string-keyed dictionaries (metric keys, user stage names).
@Suite struct JSONCodingTests {
    struct Stage: Codable, Equatable {
        var selfNanoseconds: Double
        var cpuNS: Double

        enum CodingKeys: String, CodingKey {
            case selfNanoseconds
            case cpuNS = "cpuNs"
        }
    }

    enum Kind: String, Codable, CodingKeyRepresentable { case fooBar }

    struct Record: Codable, Equatable {
        var durationSeconds: Double
        var stages: [String: Stage]
        var metrics: [String: Double]
        var nested: [String: [String: Double]]?
        var byKind: [Kind: Int]
        var list: [Stage]
    }

    static let userKeys = ["parseRequest", "parse_request", "MEA.p50", "e2e.p99", "memory_layer.resident_bytes_per_state", "_x", "a__b"]

    static func record() -> Record {
        let stage = Stage(selfNanoseconds: 1.5, cpuNS: 2)
        return Record(durationSeconds: 3, stages: Dictionary(uniqueKeysWithValues: userKeys.map { ($0, stage) }),
                      metrics: Dictionary(uniqueKeysWithValues: userKeys.enumerated().map { ($1, Double($0)) }),
                      nested: ["outer_key": ["innerKey": 1, "inner_key": 2]], byKind: [.fooBar: 1], list: [stage])
    }

    @Test func ownKeysAreSnakeCaseAndDictionaryKeysAreKeptAsTheyAre() throws {
        let data = try JSONCoding.encoder([.sortedKeys]).encode(Self.record())
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["duration_seconds", "stages", "metrics", "nested", "by_kind", "list"])
        let stages = try #require(object["stages"] as? [String: [String: Any]])
        #expect(Set(stages.keys) == Set(Self.userKeys))
        #expect(stages.values.allSatisfy { Set($0.keys) == ["self_nanoseconds", "cpu_ns"] })
        #expect(Set(try #require(object["metrics"] as? [String: Double]).keys) == Set(Self.userKeys))
        #expect(try #require(object["nested"] as? [String: [String: Double]]) == ["outer_key": ["innerKey": 1, "inner_key": 2]])
        #expect(try #require(object["by_kind"] as? [String: Int]) == ["fooBar": 1], "an enum-keyed dictionary's keys are left alone")
        #expect(try JSONCoding.decoder().decode(Record.self, from: data) == Self.record())
    }

    @Test(arguments: [("durationSeconds", "duration_seconds"), ("tS", "t_s"), ("cpuNs", "cpu_ns"), ("p99LastTenthNs", "p99_last_tenth_ns"),
                      ("rssGrowthPctPer_1000Episodes", "rss_growth_pct_per_1000_episodes"), ("lowest", "lowest"), ("cv", "cv")])
    func namesConvertBothWays(_ camel: String, _ snake: String) {
        #expect(JSONCoding.snakeCase(camel) == snake)
        #expect(JSONCoding.camelCase(snake) == camel)
    }

    @Test func keysThatAreNotSnakeCaseAreReadUnchanged() {
        for key in ["MEA.p50", "e2e", "parseRequest", "_x", "a__b", "x_", "p_99", "ümlaut_ä"] {
            #expect(JSONCoding.snakeCase(JSONCoding.camelCase(key)) == key || JSONCoding.camelCase(key) == key, "\(key)")
        }
        #expect(JSONCoding.camelCase("MEA.p50") == "MEA.p50" && JSONCoding.camelCase("_x") == "_x" && JSONCoding.camelCase("a__b") == "a__b")
    }
}
