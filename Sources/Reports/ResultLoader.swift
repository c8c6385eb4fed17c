import BenchModel
import Foundation

/// Reads `result.json` files, turning every way a file can be wrong into a ``ReportError`` that
/// names the file and says what was expected.
public enum ResultLoader {
    /// The schema this build reads.
    public static let expectedSchema = BenchResult.schemaID

    /// Loads the result at `url`. Errors name the file as `url.relativePath` (the path as given).
    /// - Throws: ``ReportError`` when the file is unreadable, empty, truncated or invalid JSON, not a
    ///   phibench result, of another schema version, or missing fields.
    public static func load(_ url: URL) throws(ReportError) -> BenchResult {
        let name = url.relativePath
        let data: Data
        do {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ReportError.unreadable(file: name, reason: "no such file")
            }
            guard !isDirectory.boolValue else { throw ReportError.unreadable(file: name, reason: "is a directory") }
            data = try Data(contentsOf: url)
        } catch let e as ReportError {
            throw e
        } catch {
            throw .unreadable(file: name, reason: (error as NSError).localizedFailureReason ?? "\(error)")
        }
        return try decode(data, file: name)
    }

    /// Decodes a result from `data`; `file` names it in errors.
    /// - Throws: ``ReportError`` as ``load(_:)`` does.
    public static func decode(_ data: Data, file: String) throws(ReportError) -> BenchResult {
        guard data.contains(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { throw .empty(file: file) }
        let top: Any
        do {
            top = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            guard let p = JSONSyntax.firstProblem(in: [UInt8](data)) else {
                throw .invalidJSON(file: file, offset: 0, line: 1, column: 1, message: "\(error)")
            }
            if p.atEnd { throw .truncatedJSON(file: file, offset: p.offset, context: "the file ends \(p.context)") }
            throw .invalidJSON(file: file, offset: p.offset, line: p.line, column: p.column, message: p.message)
        }
        guard let object = top as? [String: Any] else {
            throw .notAResult(file: file, reason: "the top level is \(top is [Any] ? "an array" : "a single value"), not an object")
        }
        guard let schemaValue = object["schema"] else { throw .notAResult(file: file, reason: "no \"schema\" field") }
        guard let schema = schemaValue as? String else { throw .notAResult(file: file, reason: "\"schema\" is not a string") }
        guard schema == expectedSchema else {
            if schema.hasPrefix("phibench.result/") { throw .wrongSchema(file: file, found: schema) }
            throw .notAResult(file: file, reason: "schema is \"\(schema)\"")
        }
        do {
            return try JSONDecoder().decode(BenchResult.self, from: data)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw .invalidResult(file: file, field: "", message: "\(error)")
        }
    }

    static func describe(_ error: DecodingError, file: String) -> ReportError {
        func path(_ keys: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            (keys + (last.map { [$0] } ?? [])).map { k in k.intValue.map { "[\($0)]" } ?? k.stringValue }
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
}
