import Foundation
import History

/// A `postgres://user[:password]@host[:port]/database[?sslmode=…]` URL, parsed.
///
/// The password may also come from `PGPASSWORD`, as with libpq, so it need not appear in a Makefile
/// or a CI log. `sslmode` is `disable`, `prefer` (default), `require`, `verify-ca` or `verify-full`,
/// meaning what they mean to libpq (only the `verify-` modes check the server's certificate, against
/// `~/.postgresql/root.crt`).
struct PostgresLocation: Equatable {
    enum TLSMode: String, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var tls: TLSMode
    /// The URL with the password replaced by `***`, for every message.
    var redacted: String

    /// - Throws: ``HistoryError/invalidLocation(location:reason:)`` naming the redacted URL and
    ///   what is wrong with it.
    init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HistoryError) {
        let redacted = Self.redacted(text)
        self.redacted = redacted
        func bad(_ reason: String) -> HistoryError { .invalidLocation(location: redacted, reason: reason) }
        guard let c = URLComponents(string: text) else { throw bad("not a valid URL") }
        guard let host = c.host, !host.isEmpty else { throw bad("no host; expected postgres://user@host:port/database") }
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = c.port ?? 5432
        guard (1...65535).contains(port) else { throw bad("port \(port) is out of range 1–65535") }
        guard let user = c.user, !user.isEmpty else { throw bad("no user name; expected postgres://user@host:port/database") }
        self.user = user
        password = c.password ?? environment["PGPASSWORD"]
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        guard !path.isEmpty, !path.contains("/") else { throw bad("no database name; expected postgres://user@host:port/database") }
        database = path
        var tls = TLSMode.prefer
        for item in c.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let v = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw bad("sslmode '\(item.value ?? "")' is not one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = v
            default:
                throw bad("unknown parameter '\(item.name)'; only sslmode is understood")
            }
        }
        self.tls = tls
    }

    /// `text` with any password between `user:` and `@` replaced by `***`.
    static func redacted(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let rest = text[scheme.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return text }
        return String(text[..<authority.index(after: colon)]) + "***" + String(text[at...])
    }
}
