import BenchModel
import Foundation
import Reports
import Statistics

/// An A/A calibration: many trials of one build on one machine, giving each metric's run-to-run noise
/// (robust relative σ), from which compare computes the minimum detectable effect with more trials'
/// worth of evidence than the compare itself has. Written by `phibench calibrate`.
public struct Calibration: Sendable, Codable, Equatable {
    public static let schemaID = "phibench.calibration/1"

    public struct MetricNoise: Sendable, Codable, Equatable {
        /// Median over the trials, in the metric's unit.
        public var median: Double
        /// Robust relative σ of one trial's value (1.4826 × MAD ÷ median).
        public var noise: Double
        /// Trials it was measured over.
        public var trials: Int
    }

    public var schema: String
    public var scenario: String
    public var machine: MachineInfo
    public var build: BuildInfo
    public var createdAt: String
    public var trials: Int
    public var metrics: [String: MetricNoise]

    /// The calibration of the complete trials of `results` (one scenario, one build): every metric
    /// the trials have, with its median and noise.
    public static func make(from results: [BenchResult], createdAt: String) -> Calibration? {
        guard let first = results.first else { return nil }
        let trials = results.flatMap(\.completeTrials)
        let catalogue = MetricCatalogue.union(results.map(\.catalogue))
        var metrics: [String: MetricNoise] = [:]
        for d in catalogue.descriptors {
            let values = trials.compactMap { $0.summary.metric(d.key) }.filter(\.isFinite)
            guard values.count >= 3, let median = Descriptive.median(values),
                  let noise = SensitivityAnalysis.relativeNoise([values]) else { continue }
            metrics[d.key] = MetricNoise(median: median, noise: noise, trials: values.count)
        }
        return Calibration(schema: schemaID, scenario: first.scenario.name, machine: first.machine, build: first.build,
                           createdAt: createdAt, trials: trials.count, metrics: metrics)
    }

    /// Why this calibration does not describe `result`'s runs (another scenario or machine), or nil
    /// when it does.
    public func mismatch(with result: BenchResult) -> String? {
        if scenario != result.scenario.name { return "it calibrates scenario '\(scenario)', not '\(result.scenario.name)'" }
        let d = MachineFingerprint(machine: machine, build: build).differences(from: MachineFingerprint(result))
        return d.isEmpty ? nil : "it was measured on another machine or build (\(d.joined(separator: "; ")))"
    }

    /// Reads a calibration file.
    /// - Throws: ``ResultFileError`` naming the file.
    public static func load(_ url: URL) throws(ResultFileError) -> Calibration {
        let name = url.relativePath
        guard let data = FileManager.default.contents(atPath: url.path) else { throw .unreadable(file: name, reason: "no such file") }
        do {
            let c = try JSONCoding.decoder().decode(Calibration.self, from: data)
            guard c.schema == schemaID else { throw ResultFileError.wrongSchema(file: name, found: c.schema) }
            return c
        } catch let e as ResultFileError {
            throw e
        } catch let e as DecodingError {
            throw ResultCodec.describe(e, file: name)
        } catch {
            throw .invalidResult(file: name, field: "", message: "\(error)")
        }
    }

    /// Writes the calibration as pretty JSON.
    public func write(to url: URL) throws(ReportError) {
        do {
            try JSONCoding.encoder().encode(self).write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(file: url.relativePath, reason: "\(error)")
        }
    }
}
