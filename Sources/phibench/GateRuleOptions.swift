import ArgumentParser
import Gate

/// The gate's rule, which `ab` runs under and `power` replays (also on recorded runs with
/// `--rejudge`): the measuring budget, the regression it must catch, the false-alarm rate of the
/// gated family, and Yuen's trimming.
struct GateRuleOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Measuring time the design plans for, e.g. 5m.")
    var budget = DurationArgument(argument: "5m")!
    @Option(parsing: .unconditional, help: "The regression the gate must catch, e.g. 5%.")
    var threshold = PercentageArgument(argument: "5%")!
    @Option(parsing: .unconditional, help: "False-alarm rate of all gated metrics together, e.g. 1%.")
    var alpha = PercentageArgument(argument: "1%")!
    @Option(parsing: .unconditional, help: "Fraction of each side's processes trimmed from each end before the test (Yuen's trimmed means): 0 (Welch's test on plain means) up to below 50%.")
    var trim = TrimArgument(argument: "20%")!

    /// `plan` under this rule (its design, the looks and the seed, unchanged).
    func apply(to plan: inout ABPlan) {
        plan.budgetSeconds = budget.seconds
        plan.threshold = threshold.fraction
        plan.familyAlpha = alpha.fraction
        plan.trim = trim.fraction
    }
}
