import BenchModel
import ExternalWorkloads
import Foundation
import Harness

/// `workload: { http: { url: "http://127.0.0.1:8080/" }, connections: 4 }`: any HTTP service, one
/// request per episode over a pool of keep-alive connections, its stages from `Server-Timing`. The
/// service is asked once (the preflight) when the workload is prepared, before any load.
struct HTTPProvider: ExternalProvider {
    static let kind = "http"
    static let preflightKey = "workload.http.url"
    static let keys = ["http", "connections", "threads"]
    static let requestKeys = ["url", "method", "headers", "body", "timeout", "stages", "ca_file"]
    static let example = "http: { url: \"http://127.0.0.1:8080/\" }, connections: 4"
    static let requestExample = "a request: `http: { url: \"http://127.0.0.1:8080/\", method: POST, body: '{\"id\": {{episode}}}' }`"

    var parameters: [WorkloadParameter] {
        [
            WorkloadParameter(name: "workload.http.url", defaultValue: "(required)", description: "an http:// or https:// URL with a host"),
            WorkloadParameter(name: "workload.http.method", defaultValue: "GET", description: "the request's method, in capitals"),
            WorkloadParameter(name: "workload.http.headers", defaultValue: "{}", description: "request headers, name: value, in order"),
            WorkloadParameter(name: "workload.http.body", defaultValue: "(none)", description: "request body; {{episode}} is replaced by the episode number"),
            WorkloadParameter(name: "workload.http.timeout", defaultValue: "2s", description: "longest request (connect included) before the episode fails"),
            WorkloadParameter(name: "workload.http.stages", defaultValue: "[]", description: "Server-Timing names to measure in order (empty: the preflight's)"),
            WorkloadParameter(name: "workload.http.ca_file", defaultValue: "(system)", description: "PEM certificate(s) to trust for https://, from the scenario's folder"),
            WorkloadParameter(name: "workload.connections", defaultValue: "1", description: "keep-alive connections (1 to 1,024), one request in flight each"),
            WorkloadParameter(name: "workload.threads", defaultValue: "1", description: "event-loop threads the connections are spread over (at most connections)"),
        ]
    }

    static func concurrency(_ spec: HTTPWorkloadSpec) -> (limit: Int, setting: String, described: String, unit: String) {
        (spec.connections, "workload.connections", "workload.connections (\(spec.connections))", "connection")
    }

    func preflight(_ spec: HTTPWorkloadSpec, _ input: WorkloadInput) throws(HTTPWorkloadError) -> any PreparedWorkload {
        HTTPTarget(spec: spec, preflight: try HTTPWorkload.preflight(spec), notes: RunNotes())
    }

    /// The service `section` describes; a relative `ca_file` is from `directory`.
    static func spec(_ section: SettingValue?, directory: String) throws(WorkloadSettingError) -> HTTPWorkloadSpec {
        let (fields, requestValue) = try head(section)
        let request = try SettingReader.entries(requestValue, key: "workload.http", allowed: requestKeys, expected: requestExample)
        guard let urlValue = request["url"] else {
            throw SettingReader.missing("workload.http.url", hint: "expected e.g. `url: http://127.0.0.1:8080/episode`")
        }
        let url = try SettingReader.text(urlValue, key: "workload.http.url", expected: "a URL like http://127.0.0.1:8080/episode")
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty else {
            throw SettingReader.invalid(urlValue, key: "workload.http.url",
                                        expected: "an absolute http:// or https:// URL with a host, like http://127.0.0.1:8080/episode")
        }
        var spec = HTTPWorkloadSpec(url: url)
        if let v = request["method"] {
            let method = try SettingReader.text(v, key: "workload.http.method", expected: "an HTTP method like GET or POST")
            guard !method.isEmpty, method.utf8.allSatisfy({ (65...90).contains($0) }) else {
                throw SettingReader.invalid(v, key: "workload.http.method", expected: "an HTTP method in capitals, like GET, POST or PUT")
            }
            spec.method = method
        }
        if let v = request["headers"], !v.isNull { spec.headers = try headers(v) }
        if let v = request["body"], !v.isNull {
            spec.body = try SettingReader.text(v, key: "workload.http.body", expected: "the request body as a string; {{episode}} is replaced")
        }
        if let v = request["timeout"] { spec.timeout = try SettingReader.duration(v, key: "workload.http.timeout") }
        if let v = request["stages"], !v.isNull {
            let items = try SettingReader.list(v, key: "workload.http.stages",
                                               expected: "a list of Server-Timing names in report order, like [db, render]")
            for (i, item) in items.enumerated() {
                let name = try SettingReader.text(item, key: "workload.http.stages[\(i)]", expected: "a Server-Timing metric name")
                guard !spec.stages.contains(name) else {
                    throw SettingReader.invalid(item, key: "workload.http.stages[\(i)]", expected: "a name not listed before")
                }
                spec.stages.append(name)
            }
        }
        if let v = fields["connections"] { spec.connections = try SettingReader.integer(v, key: "workload.connections", maximum: 1024) }
        if let v = fields["threads"] {
            let threads = try SettingReader.integer(v, key: "workload.threads", maximum: 64)
            guard threads <= spec.connections else {
                throw SettingReader.invalid(v, key: "workload.threads",
                                            expected: "at most workload.connections (\(spec.connections)): each event-loop thread needs a connection")
            }
            spec.eventLoops = threads
        }
        if let v = request["ca_file"] {
            let path = try SettingReader.text(v, key: "workload.http.ca_file", expected: "a PEM file of the certificate(s) to trust")
            let resolved = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw SettingReader.invalid(v, key: "workload.http.ca_file",
                                            expected: "a readable PEM file (relative paths are from the scenario's folder)")
            }
            guard spec.url.lowercased().hasPrefix("https://") else {
                throw WorkloadSettingError(key: "workload.http.ca_file", "a CA file only applies to an https:// URL")
            }
            spec.caFile = resolved
        }
        return spec
    }

    /// `headers: { Content-Type: application/json }`, in scenario order.
    private static func headers(_ value: SettingValue) throws(WorkloadSettingError) -> [HTTPWorkloadSpec.Header] {
        let entries = try SettingReader.mapping(value, key: "workload.http.headers",
            expected: "a mapping of header names to values, e.g. `headers: { Content-Type: application/json }`")
        // RFC 9110 token characters for the name; no line breaks in the value (header injection).
        let tokenChars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var out: [HTTPWorkloadSpec.Header] = []
        for h in entries {
            let key = "workload.http.headers.\(h.key)"
            let text = try SettingReader.text(h.value, key: key, expected: "a header value")
            guard !h.key.isEmpty, h.key.allSatisfy({ tokenChars.contains($0) }) else {
                throw WorkloadSettingError(key: key, "got \"\(h.key)\", expected a header name (letters, digits, - and the like)")
            }
            guard !text.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw SettingReader.invalid(h.value, key: key, expected: "a header value on one line")
            }
            out.append(.init(h.key, text))
        }
        return out
    }
}

/// An HTTP service, its preflight passed.
struct HTTPTarget: ExternalTarget {
    let spec: HTTPWorkloadSpec
    let preflight: HTTPPreflight
    let notes: RunNotes

    var vocabulary: WorkloadVocabulary { preflight.vocabulary }
    var concurrency: Int? { spec.connections }
    var record: JSONValue? { JSONValue.of(["http": spec], encoder: JSONCoding.encoder()) }

    func makeWorkload(_ context: WorkloadContext) -> HTTPWorkload {
        HTTPWorkload(spec: spec, preflight: preflight) { warnings in notes.warn(warnings) }
    }
}
