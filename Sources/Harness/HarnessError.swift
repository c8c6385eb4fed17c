/// Why a run could not start or carry on.
public enum HarnessError: Error, CustomStringConvertible, Equatable {
    /// A fault names a stage the workload does not have.
    case unknownStage(String, known: [String])
    /// The workload failed to set up a worker.
    case workerSetup(worker: Int, reason: String)
    /// A file the harness writes could not be written.
    case write(path: String, reason: String)
    /// A setting has an impossible value.
    case invalid(String)
    /// The system refused to start another thread (`pthread_create` failed with `code`).
    case threadStart(name: String, code: Int32)

    public var description: String {
        switch self {
        case .unknownStage(let s, let known):
            "inject: slow stage '\(s)' is not a stage of this workload; expected one of \(known.joined(separator: ", "))"
        case .workerSetup(let w, let reason):
            "worker \(w) could not start: \(reason)"
        case .write(let path, let reason):
            "\(path): cannot write: \(reason)"
        case .invalid(let message):
            message
        case .threadStart(let name, let code):
            "cannot start thread \(name): pthread_create failed with error \(code) (too many threads for this machine; lower workers or concurrency)"
        }
    }
}
