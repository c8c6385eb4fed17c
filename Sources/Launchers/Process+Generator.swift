import Foundation

extension Process {
    /// Starts one generator with its stdout and stderr going to `log` (created, or emptied). When it
    /// cannot be started, the generators in `started` are terminated first, so that a failed launch
    /// leaves no load running.
    /// - Throws: the error of opening `log` or of starting the process.
    func startGenerator(log: String, orTerminate started: [Process]) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        standardOutput = handle
        standardError = handle
        do {
            try run()
        } catch {
            for p in started { p.terminate() }
            throw error
        }
    }
}
