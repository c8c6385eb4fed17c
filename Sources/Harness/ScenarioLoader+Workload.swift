import BenchModel
import Foundation

/// The `workload:` key: an external system under test (worker processes or an HTTP service).
extension ScenarioValidator {
    static let processKeys = ["process", "workers", "timeout", "handshake_timeout", "max_restarts", "params"]
    static let httpKeys = ["http", "connections", "threads"]
    static let httpRequestKeys = ["url", "method", "headers", "body", "timeout", "stages", "ca_file"]
    static let workloadShapes = "`workload: { process: [python3, worker.py], workers: 2 }` or `workload: { http: { url: \"http://127.0.0.1:8080/\" }, connections: 4 }`"

    /// Reads `workload:`; `directory` is the scenario file's folder, where children start.
    mutating func external(_ node: DocNode, directory: String) throws(ScenarioError) -> ExternalWorkload {
        guard case .mapping(let list) = node.value else {
            throw .invalidValue(node.location, key: "workload", value: node.described, expected: Self.workloadShapes)
        }
        let hasProcess = list.contains { $0.key == "process" }
        let hasHTTP = list.contains { $0.key == "http" }
        if hasProcess && hasHTTP {
            throw .rejected(node.location, key: "workload", reason: "give either `process:` or `http:`, not both")
        }
        if !hasProcess && !hasHTTP {
            if let odd = list.first(where: { !(Self.processKeys + Self.httpKeys).contains($0.key) }) {
                throw .unknownKey(odd.keyLocation, key: "workload.\(odd.key)",
                                  suggestion: KeySuggestion.closest(to: odd.key, among: Self.processKeys + Self.httpKeys),
                                  valid: ["process", "http"])
            }
            throw .missingKey(node.location, key: "workload.process", hint: "expected \(Self.workloadShapes)")
        }
        return hasProcess ? .process(try process(node, directory: directory)) : .http(try http(node, directory: directory))
    }

    private mutating func process(_ node: DocNode, directory: String) throws(ScenarioError) -> ProcessWorkloadSpec {
        let fields = try reader.entries(node, key: "workload", allowed: Self.processKeys, expected: Self.workloadShapes)
        for (name, entry) in fields { reader.note("workload.\(name)", entry) }
        let argvNode = fields["process"]!.value
        let items = try reader.list(argvNode, key: "workload.process",
                                    expected: "the command as a list of arguments (no shell), like [python3, worker.py]")
        guard !items.isEmpty else {
            throw .invalidValue(argvNode.location, key: "workload.process", value: "an empty list",
                                expected: "a command, like [python3, worker.py]")
        }
        var argv: [String] = []
        for (i, item) in items.enumerated() {
            let arg = try reader.text(item, key: "workload.process[\(i)]", expected: "a command-line argument")
            guard !arg.contains("\0") else {
                throw .invalidValue(item.location, key: "workload.process[\(i)]", value: item.described, expected: "an argument without NUL")
            }
            argv.append(arg)
        }
        guard !argv[0].strippingBlanks.isEmpty else {
            throw .invalidValue(items[0].location, key: "workload.process[0]", value: "an empty name", expected: "a program name or path")
        }
        var spec = ProcessWorkloadSpec(argv: argv, directory: directory)
        if let e = fields["workers"] { spec.workers = try reader.integer(e.value, key: "workload.workers", maximum: 1024) }
        if let e = fields["timeout"] { spec.timeout = try reader.duration(e.value, key: "workload.timeout", maximum: ScenarioLimits.maxShort) }
        if let e = fields["handshake_timeout"] {
            spec.handshakeTimeout = try reader.duration(e.value, key: "workload.handshake_timeout", maximum: ScenarioLimits.maxShort)
        }
        if let e = fields["max_restarts"] {
            spec.maxRestarts = try reader.integer(e.value, key: "workload.max_restarts", minimum: 0, maximum: 1_000_000)
        }
        if let e = fields["params"], !e.value.isNull {
            guard case .mapping = e.value.value else {
                throw .invalidValue(e.value.location, key: "workload.params", value: e.value.described,
                                    expected: "a mapping passed to every child in its init message, e.g. `params: { size: 64 }`")
            }
            spec.params = Self.json(e.value)
        }
        return spec
    }

    private mutating func http(_ node: DocNode, directory: String) throws(ScenarioError) -> HTTPWorkloadSpec {
        let fields = try reader.entries(node, key: "workload", allowed: Self.httpKeys, expected: Self.workloadShapes)
        for (name, entry) in fields { reader.note("workload.\(name)", entry) }
        let requestNode = fields["http"]!.value
        let request = try reader.entries(requestNode, key: "workload.http", allowed: Self.httpRequestKeys,
                                         expected: "a request: `http: { url: \"http://127.0.0.1:8080/\", method: POST, body: '{\"id\": {{episode}}}' }`")
        for (name, entry) in request { reader.note("workload.http.\(name)", entry) }
        guard let urlEntry = request["url"] else {
            throw .missingKey(requestNode.location, key: "workload.http.url", hint: "expected e.g. `url: http://127.0.0.1:8080/episode`")
        }
        let url = try reader.text(urlEntry.value, key: "workload.http.url", expected: "a URL like http://127.0.0.1:8080/episode")
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty else {
            throw .invalidValue(urlEntry.value.location, key: "workload.http.url", value: urlEntry.value.described,
                                expected: "an absolute http:// or https:// URL with a host, like http://127.0.0.1:8080/episode")
        }
        var spec = HTTPWorkloadSpec(url: url)
        if let e = request["method"] {
            let method = try reader.text(e.value, key: "workload.http.method", expected: "an HTTP method like GET or POST")
            guard !method.isEmpty, method.utf8.allSatisfy({ (65...90).contains($0) }) else {
                throw .invalidValue(e.value.location, key: "workload.http.method", value: e.value.described,
                                    expected: "an HTTP method in capitals, like GET, POST or PUT")
            }
            spec.method = method
        }
        if let e = request["headers"], !e.value.isNull {
            guard case .mapping(let headers) = e.value.value else {
                throw .invalidValue(e.value.location, key: "workload.http.headers", value: e.value.described,
                                    expected: "a mapping of header names to values, e.g. `headers: { Content-Type: application/json }`")
            }
            for h in headers {
                let key = "workload.http.headers.\(h.key)"
                reader.note(key, h)
                let value = try reader.text(h.value, key: key, expected: "a header value")
                // RFC 9110 token characters for the name; no line breaks in the value (header injection).
                let tokenChars = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                guard !h.key.isEmpty, h.key.allSatisfy({ tokenChars.contains($0) }) else {
                    throw .invalidValue(h.keyLocation, key: key, value: "\"\(h.key)\"", expected: "a header name (letters, digits, - and the like)")
                }
                guard !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                    throw .invalidValue(h.value.location, key: key, value: h.value.described, expected: "a header value on one line")
                }
                spec.headers.append(.init(h.key, value))
            }
        }
        if let e = request["body"], !e.value.isNull {
            spec.body = try reader.text(e.value, key: "workload.http.body", expected: "the request body as a string; {{episode}} is replaced")
        }
        if let e = request["timeout"] { spec.timeout = try reader.duration(e.value, key: "workload.http.timeout", maximum: ScenarioLimits.maxShort) }
        if let e = request["stages"], !e.value.isNull {
            let items = try reader.list(e.value, key: "workload.http.stages",
                                        expected: "a list of Server-Timing names in report order, like [db, render]")
            for (i, item) in items.enumerated() {
                let name = try reader.text(item, key: "workload.http.stages[\(i)]", expected: "a Server-Timing metric name")
                guard !spec.stages.contains(name) else {
                    throw .invalidValue(item.location, key: "workload.http.stages[\(i)]", value: item.described, expected: "a name not listed before")
                }
                spec.stages.append(name)
            }
        }
        if let e = fields["connections"] { spec.connections = try reader.integer(e.value, key: "workload.connections", maximum: 1024) }
        guard spec.connections <= 1024 else {
            throw .invalidValue(fields["connections"]!.value.location, key: "workload.connections",
                                value: fields["connections"]!.value.described, expected: "at most 1024 connections")
        }
        if let e = fields["threads"] {
            let threads = try reader.integer(e.value, key: "workload.threads", maximum: 64)
            guard threads <= spec.connections else {
                throw .invalidValue(e.value.location, key: "workload.threads", value: e.value.described,
                                    expected: "at most workload.connections (\(spec.connections)): each event-loop thread needs a connection")
            }
            spec.eventLoops = threads
        }
        if let e = request["ca_file"] {
            let path = try reader.text(e.value, key: "workload.http.ca_file", expected: "a PEM file of the certificate(s) to trust")
            let resolved = path.hasPrefix("/") ? path : (directory as NSString).appendingPathComponent(path)
            guard FileManager.default.isReadableFile(atPath: resolved) else {
                throw .invalidValue(e.value.location, key: "workload.http.ca_file", value: e.value.described,
                                    expected: "a readable PEM file (relative paths are from the scenario's folder)")
            }
            guard spec.url.lowercased().hasPrefix("https://") else {
                throw .rejected(e.value.location, key: "workload.http.ca_file", reason: "a CA file only applies to an https:// URL")
            }
            spec.caFile = resolved
        }
        return spec
    }

    /// A scenario's harness concurrency must fit the external workload's: one child or connection per
    /// worker thread. Fills in `workers` when it is not set.
    mutating func fit(_ scenario: inout Scenario, to external: ExternalWorkload) throws(ScenarioError) {
        let n = external.concurrency
        let what = external.kind == "process" ? "workload.workers (\(n) child processes)" : "workload.connections (\(n))"
        if let w = scenario.workers, w > n {
            throw .rejected(reader.locations["workers"] ?? .file("", line: 1), key: "workers",
                            reason: "\(w) worker threads exceed \(what): one episode is in flight per \(external.kind == "process" ? "child" : "connection"); raise \(what.prefix { $0 != " " }) or lower workers")
        }
        if scenario.workers == nil { scenario.workers = n }
        for (i, phase) in scenario.phases.enumerated() {
            let key = "phases[\(i)]"
            let at = reader.locations[key] ?? .file("", line: 1)
            if let w = phase.workers, w > n {
                throw .rejected(reader.locations["\(key).workers"] ?? at, key: "\(key).workers",
                                reason: "\(w) worker threads exceed \(what)")
            }
            if case .closed(let levels, _) = phase.load, let big = levels.first(where: { $0 > n }) {
                throw .rejected(reader.locations["\(key).concurrency"] ?? at, key: "\(key).concurrency",
                                reason: "concurrency \(big) exceeds \(what): one episode is in flight per \(external.kind == "process" ? "child" : "connection")")
            }
        }
    }

    /// A YAML node as JSON: scalars resolve as YAML resolves them (numbers, booleans, null, strings).
    static func json(_ node: DocNode) -> JSONValue {
        switch node.value {
        case .scalar(_, true, _): return .null
        case .scalar(let text, false, true): return .string(text)
        case .scalar(let text, false, false):
            switch text {
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if let d = Double(text), d.isFinite { return .number(d) }
                return .string(text)
            }
        case .sequence(let items): return .array(items.map(json))
        case .mapping(let entries):
            var out: [String: JSONValue] = [:]
            for e in entries { out[e.key] = json(e.value) }
            return .object(out)
        }
    }
}
