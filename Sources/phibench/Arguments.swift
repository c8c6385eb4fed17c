import ArgumentParser
import BenchModel

/// A value typed on the command line and kept as typed: `--help` shows a default the way a user
/// writes it (`5m`, `20%`), not as the number it parsed to.
protocol TypedArgument: ExpressibleByArgument, Sendable {
    /// The argument as given.
    var text: String { get }
}

extension TypedArgument {
    var defaultValueDescription: String { text }
}

/// A duration on the command line: `90s`, `10m`, `2h`, `500ms`, `100ns`; a bare number is seconds.
/// Refuses negative, non-finite and absurd values (more than a year).
struct DurationArgument: TypedArgument {
    /// The longest duration accepted, seconds (a year).
    static let maximum = 366.0 * 86_400

    var seconds: Double
    let text: String

    init?(argument: String) {
        guard let s = Units.duration(argument, bareSeconds: true), s.isFinite, s >= 0, s <= Self.maximum else { return nil }
        seconds = s
        text = argument
    }
}

/// A size on the command line: `128B`, `16KB`, `1KiB`, `64MiB`, or a bare number of bytes (0 … 1 TiB).
struct SizeArgument: TypedArgument {
    var bytes: Double
    let text: String

    init?(argument: String) {
        guard let b = Units.bytes(argument), b.isFinite, b >= 0, b <= 1_099_511_627_776 else { return nil }
        bytes = b
        text = argument
    }
}

/// A share strictly between 0 and 100%: `5%`, `0.5%`, or a fraction `0.05`. A bare `1` or `10` is
/// refused as ambiguous (a percentage or a fraction?), so a threshold can never mean what it did not say.
struct PercentageArgument: TypedArgument {
    var fraction: Double
    let text: String

    init?(argument: String) {
        guard let f = Units.share(argument) else { return nil }
        fraction = f
        text = argument
    }
}

/// The share of each side's processes trimmed from each end (Yuen's test): 0 (`0`, `0%`: Welch's
/// test on plain means) or a share below 50%.
struct TrimArgument: TypedArgument {
    var fraction: Double
    let text: String

    init?(argument: String) {
        let t = argument.split(separator: " ").joined()
        if t == "0" || t == "0%" {
            fraction = 0
        } else {
            guard let f = Units.share(t), f < 0.5 else { return nil }
            fraction = f
        }
        text = argument
    }
}
