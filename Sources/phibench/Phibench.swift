import ArgumentParser
import BenchModel
import Foundation

/// The phibench command line: a thin layer that parses arguments and calls the library modules.
///
/// Exit codes: 0 ok; 1 a threshold or a compare verdict failed; 2 a usage or input error;
/// 130/143 the run was interrupted by SIGINT/SIGTERM (its result is still written).
@main
struct Phibench: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "phibench",
        abstract: "Benchmark and profile the Φ pipeline: scripted load, trustworthy latency, before/after verdicts.",
        discussion: """
            Exit codes: 0 ok · 1 a threshold or compare verdict failed · 2 usage or input error · \
            130/143 interrupted (results still written).
            """,
        version: version,
        subcommands: [RunCommand.self, CompareCommand.self, ReportCommand.self, SoakCommand.self,
                      ProfileCommand.self, ListCommand.self, MergeCommand.self, CalibrateCommand.self,
                      InstructionsCommand.self, HistoryCommand.self, ABCommand.self, PowerCommand.self, DistributeCommand.self])

    /// Parses, runs, and maps every failure to the documented exit codes (ArgumentParser alone would
    /// use 64 for usage errors).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as InputError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            Foundation.exit(2)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                exit(withError: error)
            }
            // Usage and validation errors print ArgumentParser's message and exit 2, as documented.
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}

/// An input problem the user can fix (bad scenario, unreadable file, mismatched compare inputs):
/// printed as `error: <message>` and exit status 2.
struct InputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
    init(_ error: some CustomStringConvertible) { self.description = error.description }
}

/// Writes `text` to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
