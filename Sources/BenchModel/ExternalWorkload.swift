/// A system under test that lives outside phibench: worker processes speaking `phibench-worker/1`
/// on their stdin/stdout, or an HTTP service. Written in a scenario as the `workload:` key; a
/// scenario without it drives a built-in workload (a registered provider's, `--workload NAME`).
public enum ExternalWorkload: Sendable, Codable, Equatable {
    case process(ProcessWorkloadSpec)
    case http(HTTPWorkloadSpec)

    /// `process` or `http`: the workload's name in results.
    public var kind: String {
        switch self {
        case .process: "process"
        case .http: "http"
        }
    }

    /// How many episodes may be in flight at once: one per child process or per connection. The
    /// harness runs exactly this many worker threads at most (the scenario loader enforces it).
    public var concurrency: Int {
        switch self {
        case .process(let p): p.workers
        case .http(let h): h.connections
        }
    }

    enum CodingKeys: String, CodingKey { case process, http }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let p = try c.decodeIfPresent(ProcessWorkloadSpec.self, forKey: .process) {
            self = .process(p)
        } else {
            self = .http(try c.decode(HTTPWorkloadSpec.self, forKey: .http))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .process(let p): try c.encode(p, forKey: .process)
        case .http(let h): try c.encode(h, forKey: .http)
        }
    }
}

/// Worker processes driven over the `phibench-worker/1` protocol (docs/worker-protocol.md).
public struct ProcessWorkloadSpec: Sendable, Codable, Equatable {
    /// The command and its arguments, run without a shell.
    public var argv: [String]
    /// The folder the children start in: the scenario file's folder (absolute).
    public var directory: String
    /// Child processes, one per harness worker thread; one episode in flight per child.
    public var workers: Int
    /// Seconds a child may take to answer one episode before it is killed and the episode fails.
    public var timeout: Double
    /// Seconds a child may take to answer the handshake.
    public var handshakeTimeout: Double
    /// Child restarts (after a crash, a hang or a protocol violation) allowed in one trial before
    /// the run stops with exit status 1.
    public var maxRestarts: Int
    /// Passed to every child verbatim in the `init` message.
    public var params: JSONValue

    public init(argv: [String], directory: String, workers: Int = 1, timeout: Double = 2, handshakeTimeout: Double = 10,
                maxRestarts: Int = 10, params: JSONValue = .object([:])) {
        self.argv = argv
        self.directory = directory
        self.workers = workers
        self.timeout = timeout
        self.handshakeTimeout = handshakeTimeout
        self.maxRestarts = maxRestarts
        self.params = params
    }

    enum CodingKeys: String, CodingKey {
        case directory, workers, timeout, handshakeTimeout, maxRestarts, params
        case argv = "process"
    }
}

/// An HTTP service: one request per episode over a bounded pool of keep-alive connections.
public struct HTTPWorkloadSpec: Sendable, Codable, Equatable {
    /// One request header, in scenario order (a name may repeat).
    public struct Header: Sendable, Codable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `http://host:port/path` or `https://…`.
    public var url: String
    public var method: String
    public var headers: [Header]
    /// Request body; `{{episode}}` is replaced by the episode number. nil: no body.
    public var body: String?
    /// Seconds one request may take (connect included) before the episode fails as a timeout.
    public var timeout: Double
    /// Connections in the pool, and at most this many requests in flight.
    public var connections: Int
    /// The `Server-Timing` names to measure, in report order. Empty: those of the preflight
    /// response, in order of appearance (a name that appears only later is counted, not measured).
    public var stages: [String]
    /// Event-loop threads the connections are spread over (wrk's `-t`); nil: one.
    public var eventLoops: Int?
    /// PEM file of the certificate(s) to trust for `https://` (a self-signed service); nil: the system's.
    public var caFile: String?

    /// Event-loop threads: ``eventLoops``, one by default.
    public var threads: Int { eventLoops ?? 1 }

    enum CodingKeys: String, CodingKey {
        case url, method, headers, body, timeout, connections, stages, caFile
        case eventLoops = "threads"
    }

    public init(url: String, method: String = "GET", headers: [Header] = [], body: String? = nil, timeout: Double = 2,
                connections: Int = 1, stages: [String] = [], threads: Int? = nil, caFile: String? = nil) {
        self.eventLoops = threads
        self.caFile = caFile
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connections = connections
        self.stages = stages
    }
}
