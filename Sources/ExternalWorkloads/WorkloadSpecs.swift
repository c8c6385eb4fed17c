import BenchModel

/// Worker processes driven over the `phibench-worker/1` protocol (docs/worker-protocol.md).
package struct ProcessWorkloadSpec: Sendable, Codable, Equatable {
    /// The command and its arguments, run without a shell.
    package var argv: [String]
    /// The folder the children start in: the scenario file's folder (absolute).
    package var directory: String
    /// Child processes, one per harness worker thread; one episode in flight per child.
    package var workers: Int
    /// Seconds a child may take to answer one episode before it is killed and the episode fails.
    package var timeout: Double
    /// Seconds a child may take to answer the handshake.
    package var handshakeTimeout: Double
    /// Child restarts (after a crash, a hang or a protocol violation) allowed in one trial before
    /// the run stops with exit status 1.
    package var maxRestarts: Int
    /// Passed to every child verbatim in the `init` message.
    package var params: JSONValue

    package init(argv: [String], directory: String, workers: Int = 1, timeout: Double = 2, handshakeTimeout: Double = 10,
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
package struct HTTPWorkloadSpec: Sendable, Codable, Equatable {
    /// One request header, in scenario order (a name may repeat).
    package struct Header: Sendable, Codable, Equatable {
        package var name: String
        package var value: String

        package init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// `http://host:port/path` or `https://…`.
    package var url: String
    package var method: String
    package var headers: [Header]
    /// Request body; `{{episode}}` is replaced by the episode number. nil: no body.
    package var body: String?
    /// Seconds one request may take (connect included) before the episode fails as a timeout.
    package var timeout: Double
    /// Connections in the pool, and at most this many requests in flight.
    package var connections: Int
    /// The `Server-Timing` names to measure, in report order. Empty: those of the preflight
    /// response, in order of appearance (a name that appears only later is counted, not measured).
    package var stages: [String]
    /// Event-loop threads the connections are spread over (wrk's `-t`); nil: one.
    package var eventLoops: Int?
    /// PEM file of the certificate(s) to trust for `https://` (a self-signed service); nil: the system's.
    package var caFile: String?

    /// Event-loop threads: ``eventLoops``, one by default.
    package var threads: Int { eventLoops ?? 1 }

    enum CodingKeys: String, CodingKey {
        case url, method, headers, body, timeout, connections, stages, caFile
        case eventLoops = "threads"
    }

    package init(url: String, method: String = "GET", headers: [Header] = [], body: String? = nil, timeout: Double = 2,
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
