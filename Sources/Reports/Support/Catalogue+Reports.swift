import BenchModel

extension MetricCatalogue {
    /// One catalogue for several results side by side: histograms and metrics in first-seen order
    /// (the first result's definition of a key wins).
    public static func union(_ catalogues: [MetricCatalogue]) -> MetricCatalogue {
        var histograms: [HistogramSpec] = []
        var metrics: [MetricDescriptor] = []
        for c in catalogues {
            for h in c.histograms where !histograms.contains(where: { $0.key == h.key }) { histograms.append(h) }
            for m in c.metrics where !metrics.contains(where: { $0.key == m.key }) { metrics.append(m) }
        }
        return MetricCatalogue(histograms: histograms, metrics: metrics)
    }

    /// The non-latency metrics in groups by their key's first part (`memory`, `cpu`, a workload's
    /// own prefix; top-level keys form the first group), in catalogue order.
    var metricGroups: [(name: String, metrics: [MetricDescriptor])] {
        var groups: [(name: String, metrics: [MetricDescriptor])] = []
        for m in metrics {
            let name = m.key.firstIndex(of: ".").map { String(m.key[..<$0]) } ?? ""
            if let i = groups.firstIndex(where: { $0.name == name }) { groups[i].metrics.append(m) } else { groups.append((name, [m])) }
        }
        return groups
    }

    /// Histogram keys of `summary` that recorded something, in catalogue order.
    public func recordedHistograms(_ summary: RunSummary) -> [String] {
        histogramKeys.filter { (summary.metric("\($0).count") ?? 0) > 0 }
    }

    /// Descriptors shown up front (cards, key tables), in catalogue order.
    var highlights: [MetricDescriptor] { descriptors.filter(\.highlight) }
}

extension BenchResult {
    /// `metric` formatted with its catalogue unit, or `–`.
    func formatted(_ key: String, in summary: RunSummary? = nil) -> String {
        let s = summary ?? self.summary
        guard let d = catalogue.descriptor(key) else { return "–" }
        return Units.metric(s.metric(d.key), unit: d.unit)
    }
}
