import BenchModel
import Foundation

/// The wire format of `phibench-worker/1` (docs/worker-protocol.md): UTF-8 JSON objects, one per
/// line, harness → child on stdin, child → harness on stdout.
package enum WorkerProtocol {
    package static let version = "phibench-worker/1"

    /// Names a worker may not use for a stage or a metric: the harness's own histograms and the
    /// transport stage it adds.
    package static let reservedNames: Set<String> = [SpanKey.e2e, SpanKey.service, SpanKey.lateness, transportStage]

    /// The stage the harness adds after the worker's: `service − Σ top-level stages`.
    package static let transportStage = "transport"

    struct Init: Encodable {
        var type = "init"
        var `protocol` = WorkerProtocol.version
        var worker: Int
        var seed: UInt64
        var params: JSONValue
    }

    /// `{"type":"init",…}\n`.
    static func initLine(worker: Int, seed: UInt64, params: JSONValue) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        // Encoding these plain values cannot fail; an empty object is the safe fallback.
        let data = (try? encoder.encode(Init(worker: worker, seed: seed, params: params))) ?? Data("{}".utf8)
        return Array(data) + [UInt8(ascii: "\n")]
    }

    /// `{"type":"episode","id":17}\n`, written without an encoder: it is on every episode's path.
    static func episodeLine(_ id: UInt64, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: episodePrefix)
        out.append(contentsOf: String(id).utf8)
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
    }
    private static let episodePrefix = Array(#"{"type":"episode","id":"#.utf8)

    /// A stage or metric as `init_ok` declares it: a name, or an object with details.
    struct Declared: Decodable {
        var name: String
        var parent: String?
        var summary: String?
        var unit: String?
        var direction: String?

        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                self.name = name
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            parent = try c.decodeIfPresent(String.self, forKey: .parent)
            summary = try c.decodeIfPresent(String.self, forKey: .summary)
            unit = try c.decodeIfPresent(String.self, forKey: .unit)
            direction = try c.decodeIfPresent(String.self, forKey: .direction)
        }

        enum CodingKeys: String, CodingKey { case name, parent, summary, unit, direction }
    }

    /// Any line from a child; which fields matter depends on `type`. Unknown fields are ignored.
    struct Reply: Decodable {
        var type: String
        var id: UInt64?
        var stages: [String: Double]?
        var metrics: [String: Double]?
        var message: String?
    }

    struct InitReply: Decodable {
        var type: String
        var stages: [Declared]?
        var metrics: [Declared]?
        var message: String?
    }

    /// A line as it reads in an error message: at most 200 characters, control characters escaped.
    static func quote(_ line: some Collection<UInt8>) -> String {
        var text = String(decoding: line.prefix(200), as: UTF8.self)
        text = text.unicodeScalars.map { $0.value < 0x20 ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
        return "`\(text)\(line.count > 200 ? "…" : "")`"
    }

    /// Whether `name` can be a stage or metric name: non-empty, at most 64 characters of letters,
    /// digits, `_ . - :`, not ending in a latency statistic (`x.p99` would be ambiguous in a
    /// threshold), and not reserved.
    static func validName(_ name: String) -> String? {
        guard !name.isEmpty, name.count <= 64 else { return "must be 1 to 64 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-:")
        guard name.allSatisfy({ allowed.contains($0) }) else { return "may use letters, digits and _ . - : only" }
        if reservedNames.contains(name) { return "is reserved by the harness" }
        if let dot = name.lastIndex(of: "."), LatencyStatistic(rawValue: String(name[name.index(after: dot)...])) != nil {
            return "must not end in a latency statistic (.p50, .max, …)"
        }
        return nil
    }
}
