import BenchModel
import Reports
import Statistics

/// The terminal table `phibench calibrate` prints: per default-gated metric, its noise, the MDE with
/// `plan` trials per side, and the trials per side that reach the threshold.
public enum CalibrationSummary {
    public static func render(_ c: Calibration, catalogue: MetricCatalogue, plan: Int, threshold: Double,
                              alpha: Double = 0.05, power: Double = 0.9) -> String {
        var rows = [["metric", "median", "noise/trial", "MDE @\(plan)/side", "trials/side for ±\(Units.magnitude(threshold))"]]
        let rule = SensitivityAnalysis.Rule(alpha: alpha, threshold: 0)
        for d in catalogue.descriptors where d.gated {
            guard let m = c.metrics[d.key] else { continue }
            let mde = SensitivityAnalysis.minimumDetectableEffect(noise: m.noise, nb: plan, na: plan, rule: rule, power: power)
            let needed = mde.map { $0 <= threshold } == true ? "\(plan) (enough)"
                : SensitivityAnalysis.trialsFor(target: threshold, noise: m.noise, current: plan, currentMDE: mde, rule: rule,
                                                power: power).map(String.init) ?? "> 200"
            rows.append([d.key, d.unit.format(m.median), "±" + Units.magnitude(m.noise), mde.map { "≥" + Units.magnitude($0) } ?? "blind", needed])
        }
        var out = "calibration of \(c.scenario): \(c.trials) A/A trials of \(Units.shortCommit(c.build.commit)) on \(c.machine.cpuModel) (\(c.machine.cores) cores)\n"
        out += "MDE: the change a two-sided Mann–Whitney U test at α = \(Units.number(alpha)) finds with \(Int((power * 100).rounded()))% power\n\n"
        out += TerminalSummary.table(rows, rightAligned: 1...).joined(separator: "\n")
        return out
    }
}
