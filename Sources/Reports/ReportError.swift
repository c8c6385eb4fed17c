/// Why a result could not be read or a report could not be written. Every message names the file.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read at all (missing, a directory, no permission).
    case unreadable(file: String, reason: String)
    /// The file is empty.
    case empty(file: String)
    /// The JSON ends early, at byte `offset` (the file's size): an interrupted write or copy.
    case truncatedJSON(file: String, offset: Int, context: String)
    /// The JSON is malformed at byte `offset` (line and column 1-based).
    case invalidJSON(file: String, offset: Int, line: Int, column: Int, message: String)
    /// Valid JSON, but not a phibench result.
    case notAResult(file: String, reason: String)
    /// A phibench result of another schema version.
    case wrongSchema(file: String, found: String)
    /// A phibench result whose fields do not match the schema.
    case invalidResult(file: String, field: String, message: String)
    /// An output file or directory could not be written.
    case writeFailed(file: String, reason: String)
    /// Nothing to report.
    case noResults

    public var description: String {
        let expected = "expected \(ResultLoader.expectedSchema)"
        switch self {
        case .unreadable(let f, let r): return "\(f): cannot read: \(r)"
        case .empty(let f): return "\(f): empty file; \(expected) JSON"
        case .truncatedJSON(let f, let o, let c): return "\(f): truncated JSON at byte \(o) (\(c)); the file was cut short, re-run or re-copy it"
        case .invalidJSON(let f, let o, let l, let c, let m): return "\(f): invalid JSON at line \(l), column \(c) (byte \(o)): \(m)"
        case .notAResult(let f, let r): return "\(f): not a phibench result (\(r)); \(expected)"
        case .wrongSchema(let f, let found): return "\(f): schema is \"\(found)\", which this phibench cannot read; \(expected)"
        case .invalidResult(let f, let field, let m):
            return "\(f): not a valid \(ResultLoader.expectedSchema) result: \(field.isEmpty ? "" : "field '\(field)': ")\(m)"
        case .writeFailed(let f, let r): return "\(f): cannot write: \(r)"
        case .noResults: return "no results to report"
        }
    }
}
