import BenchModel
import Testing
@testable import LiveMetrics

@Suite("Prometheus names")
struct PrometheusNamesTests {
    @Test(arguments: [
        ("phi.cache_hit_rate", MetricUnit.fraction, "phibench_phi_cache_hit_rate_ratio"),
        ("memory_layer.resident_bytes", .bytes, "phibench_memory_layer_resident_bytes"),
        ("cpu.utilization", .ratio, "phibench_cpu_utilization"),
        ("memory.bytes_allocated_per_episode", .bytesPerEpisode, "phibench_memory_bytes_allocated_per_episode"),
        ("cpu.user_s", .seconds, "phibench_cpu_user_s_seconds"),
        ("lateness.p99", .nanoseconds, "phibench_lateness_p99_seconds"),
        ("odd..key--with spaces/é", .count, "phibench_odd_key_with_spaces"),
        ("rate", .perSecond, "phibench_rate_per_second"),
    ])
    func generic(_ key: String, _ unit: MetricUnit, _ expected: String) {
        #expect(PrometheusNames.generic(key, unit: unit) == expected)
    }

    /// Every name the standard catalogue yields is a valid Prometheus metric name, and no two
    /// series metrics collide.
    @Test func catalogueNamesAreValidAndDistinct() {
        let vocabulary = WorkloadVocabulary(
            name: "t", stages: [], metrics: [
                MetricDescriptor(key: "phi.cache_hit_rate", label: "hit", unit: .fraction, direction: .higherIsBetter,
                                 source: .counter("x"), series: true),
            ])
        let catalogue = MetricCatalogue.standard(for: vocabulary)
        let names = catalogue.metrics.filter(\.series).filter { !PrometheusNames.counted.contains($0.key) }.map(PrometheusNames.gauge)
        #expect(Set(names).count == names.count, "\(names)")
        for n in names {
            #expect(n.wholeMatch(of: /[a-zA-Z_:][a-zA-Z0-9_:]*/) != nil, "\(n)")
        }
        #expect(names.contains("phibench_throughput_episodes_per_second"))
        #expect(names.contains("phibench_rss_bytes"))
        #expect(names.contains("phibench_jemalloc_allocated_bytes"))
        #expect(names.contains("phibench_allocations_per_episode"))
        #expect(names.contains("phibench_phi_cache_hit_rate_ratio"))
    }

    @Test func bucketsAreLogSpacedMicrosecondsToTenSeconds() {
        let b = PrometheusNames.latencyBuckets
        #expect(b.first == 1e-6)
        #expect(b.last == 10)
        #expect(b.count == 22)
        for (a, c) in zip(b, b.dropFirst()) {
            #expect(c > a)
            #expect(c / a <= 2.5 + 1e-9)
        }
    }
}

@Suite("Listen address")
struct ListenAddressTests {
    @Test(arguments: [("127.0.0.1:9464", "127.0.0.1", 9464), ("localhost:0", "localhost", 0), ("[::1]:65535", "::1", 65535)])
    func parses(_ text: String, _ host: String, _ port: Int) throws {
        let a = try ListenAddress(parsing: text)
        #expect(a.host == host)
        #expect(a.port == port)
    }

    @Test(arguments: ["9464", "127.0.0.1", ":9464", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:99999999999999999999",
                      "::1:9464", "[::1:9464", "[::1]9464", "a b:1", "127.0.0.1:８０"])
    func rejects(_ text: String) {
        #expect(throws: LiveMetricsError.self) { try ListenAddress(parsing: text) }
    }
}
