import Testing
@testable import History

@Suite struct ChangePointDetectorTests {
    @Test("a 3% step after 30 points in 2% noise with 4 single outliers of 10–25%: exactly one change point (no outlier makes one), at or near the step (30 seeds)")
    func stepWithOutliers() throws {
        var exact = 0, within3 = 0
        for seed in 0..<30 as Range<UInt64> {
            let (values, outliers) = SyntheticSeries(outliers: 4).make(seed: seed)
            let found = ChangePointDetector.detect(values)
            try #require(found.count == 1, "seed \(seed): \(found.map(\.index)), outliers at \(outliers)")
            let step = found[0]
            #expect(step.comparison.pValue <= 0.001)
            // Segment means include the outliers, so the measured change is near 3%, not at it.
            #expect(step.comparison.relativeChange > 0 && step.comparison.relativeChange < 0.08, "seed \(seed): \(step.comparison.relativeChange)")
            if step.index == 30 { exact += 1 }
            if abs(step.index - 30) <= 3 { within3 += 1 }
        }
        // Measured: 8 exact, 25 within ±3 (a 1.5σ step cannot be placed exactly every time).
        #expect(exact >= 6 && within3 >= 22, "exact \(exact), within ±3 \(within3)")
    }

    @Test("seed 1 of the issue's series: history check names commit c030, where the step starts")
    func stepCommit() throws {
        let (values, _) = SyntheticSeries(outliers: 4).make(seed: 1)
        let analyses = try SeriesAnalysis.analyze(Records.history(["e2e.p99": values]), options: DetectionOptions())
        let finding = try #require(HistoryCheck.regressions(in: analyses, recent: 30).first)
        #expect(finding.change.first.commit == "c030" && finding.change.lastBefore.commit == "c029")
    }

    @Test("the same series gives the same change points (pure and deterministic)")
    func deterministic() {
        let (values, _) = SyntheticSeries().make(seed: 7)
        #expect(ChangePointDetector.detect(values) == ChangePointDetector.detect(values))
    }

    @Test("with Otava's settings (test on values, minimum segment 1) large single outliers become change points; with the defaults hardly ever")
    func outliersAreNotChangePoints() {
        let otava = DetectionOptions(minSegment: 1, test: .values)
        var flaggedOtava = 0, flaggedDefaults = 0
        for seed in 0..<100 as Range<UInt64> {
            let (values, outliers) = SyntheticSeries(step: 0, outliers: 3).make(seed: seed)
            func flags(_ cps: [ChangePoint]) -> Int { cps.filter { cp in outliers.contains { abs($0 - cp.index) <= 1 } }.count }
            flaggedOtava += flags(ChangePointDetector.detect(values, options: otava))
            flaggedDefaults += flags(ChangePointDetector.detect(values))
        }
        // Defaults: about what chance gives (false alarms are rare, and 9 of 60 positions are next to an outlier).
        print("rates outlier flags over 100 no-step series: Otava \(flaggedOtava), defaults \(flaggedDefaults)")
        #expect(flaggedOtava > 10 && flaggedDefaults * 5 < flaggedOtava, "Otava \(flaggedOtava), defaults \(flaggedDefaults)")
    }

    @Test("the minimum magnitude drops significant but small changes")
    func minimumMagnitude() {
        // A 0.5% step in 0.1% noise is highly significant.
        let (values, _) = SyntheticSeries(step: 0.005, noise: 0.001, outliers: 0).make(seed: 3)
        #expect(ChangePointDetector.detect(values).map(\.index) == [30])
        #expect(ChangePointDetector.detect(values, options: DetectionOptions(minMagnitude: 0.01)).isEmpty)
    }

    @Test("several steps in a long series, longer than one window, are each found")
    func severalSteps() {
        var g = Noise(seed: 11)
        let levels: [(Int, Double)] = [(0, 100), (40, 104), (95, 98), (150, 103)]
        let values = (0..<200).map { i in levels.last { $0.0 <= i }!.1 * (1 + 0.01 * g.normal()) }
        let found = ChangePointDetector.detect(values).map(\.index)
        #expect(found.count == 3, "found \(found)")
        for (truth, got) in zip([40, 95, 150], found) { #expect(abs(truth - got) <= 1, "expected \(truth), found \(got)") }
    }

    @Test("no segment is ever shorter than the minimum, at either end of the series either")
    func segmentsRespectTheMinimum() {
        for seed in 0..<50 as Range<UInt64> {
            // A change 2 points before the end cannot be told from two outliers, so it is not reported yet.
            var (values, _) = SyntheticSeries(count: 40, stepAt: 20, step: 0.05, noise: 0.01, outliers: 2).make(seed: seed)
            values[38] *= 1.3
            values[39] *= 1.3
            for options in [DetectionOptions(), DetectionOptions(window: 12, minSegment: 5)] {
                let bounds = [0] + ChangePointDetector.detect(values, options: options).map(\.index) + [values.count]
                for (a, b) in zip(bounds, bounds.dropFirst()) { #expect(b - a >= options.minSegment, "segment \(a)..<\(b) with \(options)") }
            }
        }
    }

    @Test func optionsAreValidated() {
        #expect(throws: HistoryError.self) { try DetectionOptions(window: 5, minSegment: 3).validate() }
        #expect(throws: HistoryError.self) { try DetectionOptions(maxPValue: 0).validate() }
        #expect(throws: HistoryError.self) { try DetectionOptions(maxPValue: 1).validate() }
        #expect(throws: HistoryError.self) { try DetectionOptions(minMagnitude: -0.1).validate() }
        #expect(throws: HistoryError.self) { try DetectionOptions(minMagnitude: .nan).validate() }
        #expect(throws: HistoryError.self) { try DetectionOptions(minSegment: 0).validate() }
        #expect(throws: Never.self) { try DetectionOptions().validate() }
    }

    @Test("empty, constant and tiny series have no change points")
    func edgeSeries() {
        #expect(ChangePointDetector.detect([]).isEmpty)
        #expect(ChangePointDetector.detect([1]).isEmpty)
        #expect(ChangePointDetector.detect([1, 2, 3, 4, 5]).isEmpty)
        #expect(ChangePointDetector.detect(Array(repeating: 7, count: 80)).isEmpty)
        // Options out of range do not trap either.
        _ = ChangePointDetector.detect([1, 1, 1, 5, 5, 5, 1, 1], options: DetectionOptions(window: 0, minSegment: 0))
        // Values at the edges of Double's range do not trap.
        _ = ChangePointDetector.detect([1e300, -1e300, 1e300, 0, 0, 0, .leastNonzeroMagnitude, 1e300, 1e300, 1e300])
    }
}

/// Detection and false-alarm counts over many seeded series: the numbers in the README's table.
/// Each test prints its counts; the expectations are relations with wide margins.
@Suite struct DetectionRateTests {
    struct Counts: CustomStringConvertible {
        var series = 0
        /// Series where the change point nearest the step is exactly at it, within ±1, within ±3.
        var exact = 0
        var within1 = 0
        var within3 = 0
        /// Change points other than that one (all of them when there is no step), and series with any.
        var falseAlarms = 0
        var seriesWithFalseAlarm = 0
        /// False alarms within 1 of an outlier.
        var atOutliers = 0

        var description: String {
            "\(series) series: step found exactly \(exact), ±1 \(within1), ±3 \(within3); "
                + "false alarms \(falseAlarms) in \(seriesWithFalseAlarm) series (\(atOutliers) next to an outlier)"
        }
    }

    static func measure(_ synthetic: SyntheticSeries, options: DetectionOptions = DetectionOptions(), seeds: Int = 500) -> Counts {
        var c = Counts()
        for seed in 0..<UInt64(seeds) {
            let (values, outliers) = synthetic.make(seed: seed &+ 1000)
            var found = ChangePointDetector.detect(values, options: options).map(\.index)
            c.series += 1
            if synthetic.step != 0, let nearest = found.min(by: { abs($0 - synthetic.stepAt) < abs($1 - synthetic.stepAt) }),
               abs(nearest - synthetic.stepAt) <= 3 {
                let d = abs(nearest - synthetic.stepAt)
                if d == 0 { c.exact += 1 }
                if d <= 1 { c.within1 += 1 }
                c.within3 += 1
                found.removeAll { $0 == nearest }
            }
            c.falseAlarms += found.count
            if !found.isEmpty { c.seriesWithFalseAlarm += 1 }
            c.atOutliers += found.filter { i in outliers.contains { abs($0 - i) <= 1 } }.count
        }
        return c
    }

    static let otava = DetectionOptions(minSegment: 1, test: .values)
    static let valuesTest = DetectionOptions(test: .values)

    @Test("the issue's setting: 3% step after 30 points, 2% noise, 3 single outliers of 10–25% in 60 points")
    func issueSetting() {
        let ranks = Self.measure(SyntheticSeries())
        let values = Self.measure(SyntheticSeries(), options: Self.valuesTest)
        let otava = Self.measure(SyntheticSeries(), options: Self.otava)
        let clean = Self.measure(SyntheticSeries(outliers: 0))
        print("rates 3%/2%, 3 outliers, defaults (ranks): \(ranks)")
        print("rates 3%/2%, 3 outliers, test on values: \(values)")
        print("rates 3%/2%, 3 outliers, Otava (values, min segment 1): \(otava)")
        print("rates 3%/2%, no outliers, defaults: \(clean)")
        // Locating a 1.5σ step is hard for anyone: least squares knowing there is exactly one step
        // gets about 46% exact, 71% ±1, 89% ±3 on these series without outliers.
        #expect(ranks.within3 * 100 >= ranks.series * 65, "\(ranks)")
        #expect(clean.within3 * 100 >= clean.series * 75, "\(clean)")
        // Outliers hide the step from the t-test on values; on ranks they barely matter.
        #expect(ranks.within3 >= 2 * values.within3, "ranks \(ranks), values \(values)")
        #expect(ranks.within3 * 10 >= clean.within3 * 8)
        #expect(otava.atOutliers > ranks.atOutliers, "Otava flags outliers: \(otava)")
    }

    @Test("no step: few series with a change point, and outliers are not what makes them")
    func noStep() {
        let ranks = Self.measure(SyntheticSeries(step: 0))
        let otava = Self.measure(SyntheticSeries(step: 0), options: Self.otava)
        let clean = Self.measure(SyntheticSeries(step: 0, outliers: 0))
        print("rates no step, 3 outliers, defaults: \(ranks)")
        print("rates no step, 3 outliers, Otava: \(otava)")
        print("rates no step, no outliers, defaults: \(clean)")
        #expect(ranks.seriesWithFalseAlarm * 20 <= ranks.series, "\(ranks)")
        #expect(ranks.atOutliers * 100 <= ranks.series, "\(ranks)")
        #expect(otava.atOutliers > 3 * max(1, ranks.atOutliers), "\(otava) vs \(ranks)")
    }

    @Test("the two newest results 15–25% slow (a noisy runner) are not a change; Otava calls nearly all of them one")
    func slowNewestResults() {
        let ranks = Self.measure(SyntheticSeries(step: 0, outliers: 0, slowAtEnd: 2))
        let otava = Self.measure(SyntheticSeries(step: 0, outliers: 0, slowAtEnd: 2), options: Self.otava)
        let values = Self.measure(SyntheticSeries(step: 0, outliers: 0, slowAtEnd: 2), options: Self.valuesTest)
        print("rates no step, 2 slow newest results, defaults: \(ranks)")
        print("rates no step, 2 slow newest results, test on values: \(values)")
        print("rates no step, 2 slow newest results, Otava: \(otava)")
        #expect(ranks.atOutliers * 50 <= ranks.series, "\(ranks)")
        #expect(values.atOutliers * 2 >= values.series, "\(values)")
    }

    @Test("larger steps or less noise: the step is found in ≥ 90% of series within ±3")
    func clearSteps() {
        for (step, noise) in [(0.03, 0.01), (0.05, 0.02)] {
            let c = Self.measure(SyntheticSeries(step: step, noise: noise))
            print("rates \(Int(step * 100))%/\(Int(noise * 100))%, 3 outliers, defaults: \(c)")
            #expect(c.within3 * 10 >= c.series * 9, "\(c)")
            #expect(c.seriesWithFalseAlarm * 10 <= c.series, "\(c)")
        }
        let noisy = Self.measure(SyntheticSeries(step: 0.03, noise: 0.04))
        print("rates 3%/4%, 3 outliers, defaults: \(noisy)")
        #expect(noisy.within3 < Self.measure(SyntheticSeries()).within3, "more noise finds fewer steps")
    }

    @Test("check on 60-result histories: how often a regression is reported, by how many results it has been there")
    func checkRates() throws {
        func flagged(regressionAge: Int?, options: DetectionOptions = DetectionOptions()) throws -> Int {
            var count = 0
            for seed in 0..<500 as Range<UInt64> {
                let synthetic = SyntheticSeries(stepAt: regressionAge.map { 60 - $0 } ?? 1000)
                let values = synthetic.make(seed: seed &+ 5000).values
                let records = Records.history(["e2e.p99": values])
                let analyses = try SeriesAnalysis.analyze(records, options: options)
                if !HistoryCheck.regressions(in: analyses, recent: 10).isEmpty { count += 1 }
            }
            return count
        }
        let none = try flagged(regressionAge: nil)
        let noneOtava = try flagged(regressionAge: nil, options: Self.otava)
        var ages: [Int: Int] = [:]
        for age in [3, 5, 8, 10] { ages[age] = try flagged(regressionAge: age) }
        print("rates check, 500 histories of 60 results (2% noise, 3 outliers): no regression → \(none) flagged (Otava \(noneOtava)); "
              + "3% regression \(ages.sorted { $0.key < $1.key }.map { "\($0.key) results old → \($0.value)" }.joined(separator: ", "))")
        #expect(none * 100 <= 500)
        #expect(ages[8]! > ages[3]!, "more results after the change, more evidence")
    }
}
