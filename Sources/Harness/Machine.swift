import BenchModel
import Foundation

/// Facts about the machine the run is on, read from /proc and uname.
public func currentMachine() -> MachineInfo {
    var name = utsname()
    uname(&name)
    func field<T>(_ value: T) -> String {
        withUnsafeBytes(of: value) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n")
        .first { $0.hasPrefix("model name") }
        .flatMap { $0.split(separator: ":", maxSplits: 1).last }
        .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    let os = ((try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? "")
        .split(separator: "\n")
        .first { $0.hasPrefix("PRETTY_NAME=") }
        .map { $0.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } ?? field(name.sysname)
    return MachineInfo(
        hostname: field(name.nodename),
        cpuModel: model,
        cores: ProcessInfo.processInfo.activeProcessorCount,
        memoryBytes: ProcessInfo.processInfo.physicalMemory,
        os: os,
        kernel: "\(field(name.sysname)) \(field(name.release)) \(field(name.machine))")
}

/// How this binary was built, and the commit of the tree it was built from.
///
/// The commit comes from `PHIBENCH_COMMIT` when set (scripts/ab.sh sets it for each side), else from
/// git in the package directory the binary was built in (found by walking up from the executable:
/// SwiftPM puts it under `.build/`), else `unknown`.
public func currentBuild(version: String) -> BuildInfo {
    #if DEBUG
    let configuration = "debug"
    #else
    let configuration = "release"
    #endif
    #if compiler(>=6.3)
    let compiler = "Swift 6.3+"
    #elseif compiler(>=6.2)
    let compiler = "Swift 6.2"
    #elseif compiler(>=6.1)
    let compiler = "Swift 6.1"
    #else
    let compiler = "Swift 6.0"
    #endif
    var commit = "unknown"
    var dirty = false
    let env = ProcessInfo.processInfo.environment
    if let c = env["PHIBENCH_COMMIT"], !c.isEmpty {
        commit = c
        dirty = env["PHIBENCH_DIRTY"] == "1"
    } else if let root = packageRoot() {
        if let head = runGit(["rev-parse", "HEAD"], in: root) { commit = head }
        if let status = runGit(["status", "--porcelain", "--untracked-files=no"], in: root) { dirty = !status.isEmpty }
    }
    return BuildInfo(configuration: configuration, compiler: compiler, commit: commit, dirty: dirty,
                     jemalloc: jemallocEnabled, phibenchVersion: version)
}

/// The package directory holding the running executable, if it was built in one.
private func packageRoot() -> URL? {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
        dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    }
    while dir.path != "/" {
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir }
        dir.deleteLastPathComponent()
    }
    return nil
}

private func runGit(_ args: [String], in dir: URL) -> String? {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "-C", dir.path] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// ISO 8601 UTC for now.
func isoNow() -> String {
    ISO8601DateFormatter().string(from: Date())
}
