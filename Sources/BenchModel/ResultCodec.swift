import Foundation

/// Why a result file could not be read or written. Every message names the file.
public enum ResultFileError: Error, CustomStringConvertible, Equatable {
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
    /// A phibench result of a schema version this build cannot read.
    case wrongSchema(file: String, found: String)
    /// A phibench result whose fields do not match the schema.
    case invalidResult(file: String, field: String, message: String)
    /// The result could not be written.
    case writeFailed(file: String, reason: String)

    public var description: String {
        let expected = "expected \(ResultCodec.readableSchemas.joined(separator: " or "))"
        switch self {
        case .unreadable(let f, let r): return "\(f): cannot read: \(r)"
        case .empty(let f): return "\(f): empty file; \(expected) JSON"
        case .truncatedJSON(let f, let o, let c): return "\(f): truncated JSON at byte \(o) (\(c)); the file was cut short, re-run or re-copy it"
        case .invalidJSON(let f, let o, let l, let c, let m): return "\(f): invalid JSON at line \(l), column \(c) (byte \(o)): \(m)"
        case .notAResult(let f, let r): return "\(f): not a phibench result (\(r)); \(expected)"
        case .wrongSchema(let f, let found): return "\(f): schema is \"\(found.prefix(60))\", which this phibench cannot read; \(expected)"
        case .invalidResult(let f, let field, let m):
            return "\(f): not a valid phibench result: \(field.isEmpty ? "" : "field '\(field)': ")\(m.prefix(300))"
        case .writeFailed(let f, let r): return "\(f): cannot write the result: \(r)"
        }
    }
}

/// The one reader and writer of `result.json`.
///
/// Writing: pretty-printed with sorted keys; non-finite numbers as the strings `nan`, `inf`,
/// `-inf` (read back the same way). Histograms are stored once, at the finest spans that have them
/// (each trial's phases); the spans above them (a trial, a merged phase, the run) are their exact
/// merge and get them back when the file is read, so every percentile is still read from a histogram.
/// Reading: schema version 2, or version 1 (upgraded: its figures kept as they were written).
public enum ResultCodec {
    /// Schemas this build reads.
    public static let readableSchemas = [BenchResult.schemaID, ResultV1.schemaID]

    /// The result as JSON text.
    public static func encode(_ result: BenchResult) throws(ResultFileError) -> Data {
        do {
            return try JSONCoding.encoder(nonFinite: true).encode(stripDerivedHistograms(result))
        } catch {
            throw .writeFailed(file: "result.json", reason: "\(error)")
        }
    }

    /// Writes atomically (a temporary file, then a rename), so an interrupted write never leaves a
    /// truncated result behind.
    public static func write(_ result: BenchResult, to url: URL) throws(ResultFileError) {
        let data = try encode(result)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(file: url.relativePath, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }

    /// Loads the result at `url`; errors name it as `url.relativePath` (the path as given). `v1` reads
    /// a version 1 result (``WorkloadProviders/resultV1``).
    public static func load(_ url: URL, v1: ResultV1Upgrade? = nil) throws(ResultFileError) -> BenchResult {
        let name = url.relativePath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .unreadable(file: name, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(file: name, reason: "is a directory") }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(file: name, reason: (error as NSError).localizedFailureReason ?? "\(error)")
        }
        return try decode(resultInLog(data) ?? data, file: name, v1: v1)
    }

    /// The line before a result.json printed into a log (a Kubernetes pod's, `distribute --kubernetes`).
    public static let logBegin = "----- BEGIN PHIBENCH RESULT -----"
    /// The line after it.
    public static let logEnd = "----- END PHIBENCH RESULT -----"

    /// The result between ``logBegin`` and ``logEnd`` lines when `data` is a log holding one (the
    /// last one, if several), else nil.
    public static func resultInLog(_ data: Data) -> Data? {
        let begin = Data((logBegin + "\n").utf8), end = Data(("\n" + logEnd).utf8)
        guard let b = data.range(of: begin, options: .backwards) else { return nil }
        guard let e = data.range(of: end, in: b.upperBound..<data.endIndex) else { return data.subdata(in: b.upperBound..<data.endIndex) }
        return data.subdata(in: b.upperBound..<e.lowerBound)
    }

    /// Decodes a result from `data`; `file` names it in errors; `v1` reads a version 1 result.
    public static func decode(_ data: Data, file: String, v1: ResultV1Upgrade? = nil) throws(ResultFileError) -> BenchResult {
        guard data.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { throw .empty(file: file) }
        if let p = JSONSyntax.firstProblem(in: [UInt8](data)) {
            if p.atEnd { throw .truncatedJSON(file: file, offset: p.offset, context: "the file ends \(p.context)") }
            throw .invalidJSON(file: file, offset: p.offset, line: p.line, column: p.column, message: p.message)
        }
        let head: Head
        do {
            head = try JSONDecoder().decode(Head.self, from: data)
        } catch {
            throw .notAResult(file: file, reason: "the top level is not an object with a \"schema\" string")
        }
        guard let schema = head.schema else { throw .notAResult(file: file, reason: "no \"schema\" field") }
        let decoder = JSONCoding.decoder(nonFinite: true)
        do {
            switch schema {
            case BenchResult.schemaID: return restoreDerivedHistograms(try decoder.decode(BenchResult.self, from: data))
            case ResultV1.schemaID: return try decoder.decode(ResultV1.self, from: data).upgraded(v1)
            default:
                if schema.hasPrefix("phibench.result/") { throw ResultFileError.wrongSchema(file: file, found: schema) }
                throw ResultFileError.notAResult(file: file, reason: "schema is \"\(schema.prefix(60))\"")
            }
        } catch let error as ResultFileError {
            throw error
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw .invalidResult(file: file, field: "", message: "\(error)")
        }
    }

    /// Just enough of a file to know what it is.
    private struct Head: Decodable {
        var schema: String?
    }

    /// A decoding error as the field path (`trials[2].summary.episodes`) and what was wrong there.
    public static func describe(_ error: DecodingError, file: String) -> ResultFileError {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (keys + (last.map { [$0] } ?? [])).map { k in k.intValue.map { "[\($0)]" } ?? JSONCoding.jsonName(of: k) }
                .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let ctx):
            return .invalidResult(file: file, field: path(ctx.codingPath, key), message: "missing")
        case .typeMismatch(let type, let ctx):
            return .invalidResult(file: file, field: path(ctx.codingPath), message: "expected \(friendly(type))")
        case .valueNotFound(let type, let ctx):
            return .invalidResult(file: file, field: path(ctx.codingPath), message: "null where \(friendly(type)) was expected")
        case .dataCorrupted(let ctx):
            return .invalidResult(file: file, field: path(ctx.codingPath), message: ctx.debugDescription)
        @unknown default:
            return .invalidResult(file: file, field: "", message: "\(error)")
        }
    }

    private static func friendly(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type, is UInt64.Type, is Int64.Type, is UInt.Type: "an integer"
        default: "\(type)"
        }
    }

    /// Leaves histograms only where nothing finer has them: a span whose histograms are exactly the
    /// merge of its parts' (a trial of its phases, the run of its complete trials, a merged phase of
    /// the trials' phases) is written without them.
    static func stripDerivedHistograms(_ r: BenchResult) -> BenchResult {
        guard !r.trials.isEmpty else { return r }
        var out = r
        let complete = r.trials.filter { !$0.partial }
        if r.summary.span.histograms == HistogramMerge.merged(complete.map(\.summary.span.histograms)) {
            out.summary.span.histograms = [:]
        }
        for p in r.phases.indices {
            let parts = complete.compactMap { $0.phases.indices.contains(p) ? $0.phases[p].stats.span.histograms : nil }
            if r.phases[p].stats.span.histograms == HistogramMerge.merged(parts) { out.phases[p].stats.span.histograms = [:] }
        }
        for t in r.trials.indices where !r.trials[t].phases.isEmpty
            && r.trials[t].summary.span.histograms == HistogramMerge.merged(r.trials[t].phases.map(\.stats.span.histograms)) {
            out.trials[t].summary.span.histograms = [:]
        }
        return out
    }

    /// Puts back what ``stripDerivedHistograms(_:)`` left out, by merging the finer spans.
    static func restoreDerivedHistograms(_ r: BenchResult) -> BenchResult {
        guard !r.trials.isEmpty else { return r }
        var out = r
        for t in out.trials.indices where out.trials[t].summary.span.histograms.isEmpty {
            out.trials[t].summary.span.histograms = HistogramMerge.merged(out.trials[t].phases.map(\.stats.span.histograms))
        }
        let complete = out.trials.filter { !$0.partial }
        if out.summary.span.histograms.isEmpty {
            out.summary.span.histograms = HistogramMerge.merged(complete.map(\.summary.span.histograms))
        }
        for p in out.phases.indices where out.phases[p].stats.span.histograms.isEmpty {
            out.phases[p].stats.span.histograms = HistogramMerge.merged(
                complete.compactMap { $0.phases.indices.contains(p) ? $0.phases[p].stats.span.histograms : nil })
        }
        return out
    }
}

/// Merging of histogram sets, shared by the codec and the result assembly.
public enum HistogramMerge {
    /// The bucket-by-bucket merge of every set, key by key.
    public static func merged(_ sets: [[String: LatencyHistogram]]) -> [String: LatencyHistogram] {
        var out: [String: LatencyHistogram] = [:]
        for set in sets {
            for (k, h) in set {
                if out[k] == nil { out[k] = h } else { out[k]!.add(h) }
            }
        }
        return out
    }

}
