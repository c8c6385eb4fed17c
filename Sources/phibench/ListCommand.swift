import ArgumentParser
import BenchModel
import Foundation
import Harness

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the scenarios shipped in scenarios/ (and, with --params, every workload's parameters).",
        discussion: """
            Examples:
              phibench list
              phibench list --params
            """)

    @Option(help: "Directory to look in.")
    var directory = "scenarios"

    @Flag(help: "List the parameters of every registered workload a scenario or --set can change, with defaults.")
    var params = false

    func run() async throws {
        if params {
            for (i, provider) in Phibench.workloads.all.enumerated() where !provider.parameters.isEmpty {
                print("# --workload \(provider.name)\(i == 0 ? " (the default)" : "")")
                for p in provider.parameters {
                    print("\(p.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(p.defaultValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(p.description)")
                }
            }
            return
        }
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw InputError("\(directory): cannot list scenarios: \(error.localizedDescription)")
        }
        for file in files {
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let s = try ScenarioLoader.load(file: path, workloads: Phibench.workloads).scenario
                let phases = s.phases.map(\.load.kind).joined(separator: ", ")
                print("\(path.padding(toLength: 36, withPad: " ", startingAt: 0)) \(Units.fixed(s.nominalDuration + s.warmup, digits: 0))s  [\(phases)]  \(s.description)")
            } catch {
                print("\(path.padding(toLength: 36, withPad: " ", startingAt: 0)) INVALID: \(error)")
            }
        }
    }
}
