/// Why instructions could not be counted, or counts could not be read or compared.
package enum InstructionCountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No `valgrind` executable at the given path or on `PATH`.
    case valgrindNotFound(searched: String)
    /// `valgrind --version` did not answer like valgrind.
    case valgrindUnusable(path: String, reason: String)
    /// This binary was built without `<valgrind/callgrind.h>`, so its client requests do nothing.
    case clientRequestsMissing
    /// The counting child was started outside valgrind.
    case notUnderValgrind
    /// A setting out of range (episodes, warm-up, threshold).
    case invalidSetting(String)
    /// A scenario fault that is not deterministic in instructions.
    case unsupportedFault(index: Int, fault: String)
    /// A fault names a stage the workload does not have.
    case unknownStage(String, known: [String])
    /// The executable could not be read as ELF.
    case unreadableBinary(path: String, reason: String)
    /// The copy of the binary without debug info could not be made.
    case cannotStrip(path: String, reason: String)
    /// Valgrind or the program under it failed.
    case valgrindFailed(status: Int32, log: String, details: String)
    /// A callgrind output file is malformed.
    case callgrindFormat(file: String, line: Int, reason: String)
    /// The callgrind output lacks what the counted run must have produced.
    case missingCounts(file: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// An `instructions.json` could not be decoded.
    case unreadableReport(path: String, reason: String)
    /// Two reports of different workloads (scenario, seed, episode window) were compared.
    case mismatched(String)

    package var description: String {
        switch self {
        case .valgrindNotFound(let searched):
            return "valgrind not found (looked in \(searched)); install it (Debian: apt-get install valgrind, "
                + "or make deps) or name it with --valgrind PATH"
        case .valgrindUnusable(let path, let reason):
            return "\(path) does not work as valgrind: \(reason)"
        case .clientRequestsMissing:
            return "this phibench was built without <valgrind/callgrind.h>, so it cannot tell callgrind what to count; "
                + "install valgrind (it ships the header) and rebuild"
        case .notUnderValgrind:
            return "--under-valgrind is for the child process phibench starts under valgrind; run `phibench instructions` without it"
        case .invalidSetting(let message):
            return message
        case .unsupportedFault(let index, let fault):
            return "inject[\(index)]: \(fault) is not deterministic in instructions; instruction counting takes only "
                + "`{ slow: STAGE, work: N }` faults (a fixed number of loop iterations)"
        case .unknownStage(let stage, let known):
            return "inject: slow stage '\(stage)' is not a stage of this workload; expected one of \(known.joined(separator: ", "))"
        case .unreadableBinary(let path, let reason):
            return "\(path): cannot read the executable: \(reason)"
        case .cannotStrip(let path, let reason):
            return "\(path): cannot make the copy without debug info that valgrind runs (\(reason)); install binutils (objcopy)"
        case .valgrindFailed(let status, let log, let details):
            return "valgrind exited with status \(status) (log: \(log))" + (details.isEmpty ? "" : ":\n\(details)")
        case .callgrindFormat(let file, let line, let reason):
            return "\(file):\(line): not callgrind output: \(reason)"
        case .missingCounts(let file, let reason):
            return "\(file): \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .unreadableReport(let path, let reason):
            return "\(path): not an instructions.json (\(reason))"
        case .mismatched(let message):
            return "the two counts are of different workloads: \(message); compare counts of the same scenario, seed and "
                + "episode window (or pass --force)"
        }
    }
}
