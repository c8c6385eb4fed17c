/// Why a report could not be written. Every message names the file.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// An output file or directory could not be written.
    case writeFailed(file: String, reason: String)
    /// Nothing to report.
    case noResults

    public var description: String {
        switch self {
        case .writeFailed(let f, let r): return "\(f): cannot write: \(r)"
        case .noResults: return "no results to report"
        }
    }
}
