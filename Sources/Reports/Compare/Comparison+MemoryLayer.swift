import BenchModel

extension Comparison {
    /// Numeric memory-layer statistics present on both sides, compared as single values (they are
    /// not kept per trial). Read through their Codable form so new fields are compared without a
    /// change here; the direction is inferred from the field name and is informational when unclear.
    static func memoryLayerMetrics(_ before: BenchResult, _ after: BenchResult, options: CompareOptions) -> [MetricComparison] {
        guard let b = before.memoryLayer.flatMap({ JSONValue.of($0) }),
              let a = after.memoryLayer.flatMap({ JSONValue.of($0) }) else { return [] }
        let afterValues = Dictionary(a.flattened().compactMap { e in e.value.number.map { (e.path, $0) } }) { x, _ in x }
        var out: [MetricComparison] = []
        for (path, value) in b.flattened() {
            guard let bv = value.number, let av = afterValues[path] else { continue }
            let metric = "memory_layer." + path
            out.append(judge(metric: metric, unit: memoryLayerUnit(path), direction: memoryLayerDirection(path),
                             before: [bv], after: [av], options: options))
        }
        return out
    }

    static func memoryLayerDirection(_ key: String) -> MetricDirection {
        let k = key.lowercased()
        if k.hasSuffix("ratio") || k.contains("hit_rate") || k.contains("savings") || k.hasSuffix("_per_s") {
            return .higherIsBetter
        }
        if k.contains("bytes") || k.hasSuffix("_ns") || k.contains("error") || k.contains("corrupt") || k.contains("latency") {
            return .lowerIsBetter
        }
        return .informational
    }

    static func memoryLayerUnit(_ key: String) -> MetricUnit {
        let k = key.lowercased()
        if k.hasSuffix("_ns") { return .nanoseconds }
        if k.hasSuffix("bytes_per_state") || k.hasSuffix("bytes_per_episode") { return .bytes }
        if k.hasSuffix("bytes") { return .bytes }
        if k.hasSuffix("ratio") || k.contains("rate") { return .ratio }
        return .count
    }
}
