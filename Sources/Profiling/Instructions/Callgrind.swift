import Foundation

/// Valgrind's callgrind as `phibench instructions` runs it: found on disk, told to count only what
/// the counted process toggles on, with the environment that makes the process deterministic.
package struct Callgrind: Sendable, Equatable {
    /// The valgrind executable.
    package var executable: String
    /// `valgrind --version`, e.g. `valgrind-3.19.0`.
    package var version: String

    /// Set for the counted process: Swift's per-process random hash seed would otherwise change
    /// how dictionaries and sets probe, and with it the instruction count, from run to run.
    package static let deterministicEnvironment = ["SWIFT_DETERMINISTIC_HASHING": "1"]

    package init(executable: String, version: String) {
        self.executable = executable
        self.version = version
    }

    /// Finds valgrind: `explicit` when given, else `valgrind` on `searchPath` (a `PATH` value), and
    /// asks it for its version.
    /// - Throws: ``InstructionCountError/valgrindNotFound(searched:)``,
    ///   ``InstructionCountError/valgrindUnusable(path:reason:)``.
    package static func locate(explicit: String?, searchPath: String?) throws(InstructionCountError) -> Callgrind {
        let candidates: [String]
        let searched: String
        if let explicit {
            candidates = [explicit]
            searched = explicit
        } else {
            let directories = (searchPath ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
            candidates = directories.map { $0 + "/valgrind" }
            searched = directories.isEmpty ? "an empty PATH" : "PATH=\(searchPath ?? "")"
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw .valgrindNotFound(searched: searched)
        }
        let (status, output) = try capture(found, ["--version"])
        let version = output.trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, version.hasPrefix("valgrind-") else {
            throw .valgrindUnusable(path: found, reason: "`--version` said \"\(version.prefix(80))\" (status \(status))")
        }
        return Callgrind(executable: found, version: version)
    }

    /// Copies `binary` into `directory` without its debug information (`objcopy --strip-debug`;
    /// the symbol table stays, and the machine code is the same, so the counts are too) and returns
    /// the copy's path relative to `directory`, where the counted process runs.
    ///
    /// Why a copy: valgrind 3.19 cannot read the DWARF 5 that clang emits for C and C++ code (swift-
    /// crypto's BoringSSL) and gives up on the whole binary; without debug info it starts faster too.
    /// And a copy at the same relative path means the program's own path, which it sees, is the same
    /// whichever build is counted.
    /// - Returns: the relative path to run, the original's debug-info facts, and a note for the report.
    /// - Throws: ``InstructionCountError/unreadableBinary(path:reason:)``,
    ///   ``InstructionCountError/cannotStrip(path:reason:)``.
    package static func strippedCopy(of binary: String, in directory: URL,
                                    searchPath: String?) throws(InstructionCountError) -> (path: String, info: ELFDebugInfo, note: String) {
        let info = try ELFDebugInfo(path: binary)
        let objcopy = (searchPath ?? "").split(separator: ":").map { "\($0)/objcopy" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let objcopy else { throw .cannotStrip(path: binary, reason: "objcopy not found on PATH") }
        let name = URL(fileURLWithPath: binary).lastPathComponent + "-nodebug"
        let copy = directory.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: copy)
        let (status, output) = try capture(objcopy, ["--strip-debug", binary, copy])
        guard status == 0 else {
            throw .cannotStrip(path: binary, reason: "objcopy exited \(status): \(output.prefix(300))")
        }
        let unreadable = info.valgrindReadable ? "" : ", which valgrind 3.19 cannot read"
        return ("./" + name, info, "a copy without debug info (the build has \(info.summary)\(unreadable))")
    }

    /// The cache model of the cache simulation: fixed, not the host's (valgrind would read the
    /// host's caches otherwise), so that estimated cycles compare across machines. A common modern
    /// core: 32 KiB 8-way L1 instruction and data caches and an 8 MiB 16-way last level, 64-byte lines.
    package static let cacheModel = ["--I1=32768,8,64", "--D1=32768,8,64", "--LL=8388608,16,64"]

    /// A readable summary of ``cacheModel`` and how cycles are estimated from it, for reports.
    package static let cacheModelSummary = "simulated I1 32 KiB 8-way, D1 32 KiB 8-way, LL 8 MiB 16-way, 64-byte lines, no prefetcher; "
        + "estimated cycles = L1 hits + 5 × LL hits + 35 × memory accesses"

    /// The valgrind command line: callgrind with instrumentation and collection off until the
    /// counted process switches them on (so start-up and warm-up cost nothing and count nothing),
    /// with the cache simulation of ``cacheModel`` when `cacheSimulation` (for estimated cycles;
    /// it makes the run about half as long again — 6.0 s → 8.8 s for the bench workload — and changes
    /// no instruction count).
    /// Callers each function is told apart by (`--separate-callers`): with the whole stack as context,
    /// the call graph is a tree and the folded stacks drawn from it are exact, not split among the
    /// callers of shared code by their share. The pipeline's deepest counted stack is 55 frames; on
    /// the bench workload this costs 0.7 s on a 6.4-s count and leaves instructions unchanged (the
    /// simulated L1 misses move by a few in ten thousand: valgrind's own bookkeeping).
    package static let callerContext = 64

    package func arguments(program: String, arguments: [String], outFile: String, logFile: String,
                          cacheSimulation: Bool = true) -> [String] {
        [executable, "--tool=callgrind", "--instr-atstart=no", "--collect-atstart=no", "--separate-callers=\(Self.callerContext)"]
            + (cacheSimulation ? ["--cache-sim=yes"] + Self.cacheModel : [])
            + ["--callgrind-out-file=\(outFile)", "--log-file=\(logFile)", program] + arguments
    }

    /// Runs `command` (from ``arguments(program:arguments:outFile:logFile:)``) in `directory` with
    /// `environment` added to this process's, its standard output and error passed through, and waits.
    /// - Throws: ``InstructionCountError/valgrindFailed(status:log:details:)`` on a non-zero exit,
    ///   with the end of valgrind's log.
    package func run(_ command: [String], in directory: URL, environment: [String: String],
                    logFile: String) throws(InstructionCountError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, ours in ours }
        do {
            try process.run()
        } catch {
            throw .valgrindFailed(status: -1, log: logFile, details: "cannot start \(command[0]): \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
            let tail = log.split(separator: "\n").suffix(15).joined(separator: "\n")
            throw .valgrindFailed(status: process.terminationStatus, log: logFile, details: tail)
        }
    }

    /// Runs `program` and returns its exit status and combined output.
    private static func capture(_ program: String, _ arguments: [String]) throws(InstructionCountError) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw .io(path: program, reason: "cannot start: \(error.localizedDescription)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
