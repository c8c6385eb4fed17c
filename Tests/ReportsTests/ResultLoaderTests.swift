import BenchModel
import Foundation
import Testing
@testable import Reports

@Suite struct ResultLoaderTests {
    func encoded(_ r: BenchResult) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(r)
    }

    @Test func roundTripsAResult() throws {
        let dir = try ScratchDirectory("loader")
        let r = Fixture(trials: 2, episodesSimulated: 500).make()
        try encoded(r).write(to: dir.file("result.json"))
        #expect(try ResultLoader.load(dir.file("result.json")) == r)
    }

    @Test func truncatedJSONNamesTheFileAndTheByte() throws {
        let dir = try ScratchDirectory("loader")
        let data = try encoded(Fixture(trials: 1, episodesSimulated: 300).make())
        let cut = data.count / 2
        try data.prefix(cut).write(to: dir.file("after.json"))
        let error = try #require(throws: ReportError.self) { try ResultLoader.load(dir.file("after.json")) }
        guard case .truncatedJSON(let file, let offset, _) = error else { Issue.record("got \(error)"); return }
        #expect(file.hasSuffix("after.json"))
        #expect(offset == cut)
        #expect(error.description.contains("after.json: truncated JSON at byte \(cut)"))
    }

    @Test func invalidJSONGivesLineAndColumn() throws {
        let error = try #require(throws: ReportError.self) {
            try ResultLoader.decode(Data("{\n  \"schema\": \"phibench.result/1\",\n  \"summary\": tru\n}".utf8), file: "bad.json")
        }
        #expect(error == .invalidJSON(file: "bad.json", offset: 51, line: 3, column: 17, message: "expected 'true'"), "\(error)")
    }

    @Test func jsonWithoutSchemaIsNotAResult() throws {
        let error = try #require(throws: ReportError.self) {
            try ResultLoader.decode(Data(#"{"name": "steady", "episodes": 12}"#.utf8), file: "before.json")
        }
        #expect(error.description == #"before.json: not a phibench result (no "schema" field); expected phibench.result/1"#)
        let array = try #require(throws: ReportError.self) { try ResultLoader.decode(Data("[1, 2]".utf8), file: "x.json") }
        #expect(array.description.contains("x.json: not a phibench result (the top level is an array"))
        let other = try #require(throws: ReportError.self) { try ResultLoader.decode(Data(#"{"schema": "k6/summary"}"#.utf8), file: "k6.json") }
        #expect(other.description.contains("k6.json: not a phibench result"))
    }

    @Test func wrongSchemaVersionIsRefused() throws {
        var json = String(decoding: try encoded(Fixture(trials: 1, episodesSimulated: 300).make()), as: UTF8.self)
        json = json.replacingOccurrences(of: "phibench.result/1", with: "phibench.result/2")
        let error = try #require(throws: ReportError.self) { try ResultLoader.decode(Data(json.utf8), file: "new.json") }
        #expect(error == .wrongSchema(file: "new.json", found: "phibench.result/2"))
        #expect(error.description.contains("expected phibench.result/1"))
    }

    @Test func missingFieldIsNamed() throws {
        let data = try encoded(Fixture(trials: 1, episodesSimulated: 300).make())
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var summary = try #require(object["summary"] as? [String: Any])
        summary.removeValue(forKey: "throughput_eps")
        object["summary"] = summary
        let error = try #require(throws: ReportError.self) {
            try ResultLoader.decode(try JSONSerialization.data(withJSONObject: object), file: "r.json")
        }
        #expect(error == .invalidResult(file: "r.json", field: "summary.throughput_eps", message: "missing"), "\(error)")
    }

    @Test func unreadableAndEmptyFiles() throws {
        let dir = try ScratchDirectory("loader")
        let missing = try #require(throws: ReportError.self) { try ResultLoader.load(dir.file("nope.json")) }
        #expect(missing.description.hasSuffix("nope.json: cannot read: no such file"))
        let isDir = try #require(throws: ReportError.self) { try ResultLoader.load(dir.url) }
        #expect(isDir.description.contains("is a directory"))
        try Data("  \n".utf8).write(to: dir.file("empty.json"))
        let empty = try #require(throws: ReportError.self) { try ResultLoader.load(dir.file("empty.json")) }
        #expect(empty.description.contains("empty.json: empty file; expected phibench.result/1"))
    }

    @Test(arguments: [
        ("{\"a\": [1, 2", true), ("{\"a\": \"abc", true), ("{\"a\": 1,", true), ("", true),
        ("{\"a\": 1} x", false), ("{\"a\" 1}", false), ("[1 2]", false), ("{\"a\": -}", false),
    ])
    func syntaxCheckerTellsTruncationFromCorruption(text: String, truncated: Bool) throws {
        let p = try #require(JSONSyntax.firstProblem(in: Array(text.utf8)))
        #expect(p.atEnd == truncated, "\(p)")
        #expect(JSONSyntax.firstProblem(in: Array(#"{"a": [1, 2.5e3, true, null, "x\"y"], "b": {}}"#.utf8)) == nil)
    }
}
