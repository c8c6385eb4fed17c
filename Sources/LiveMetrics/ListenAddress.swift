/// Where the metrics endpoint listens: a host (an IP literal or a name such as `localhost`) and a
/// TCP port, 0 meaning "pick a free one".
package struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int
    /// The text it was parsed from, for messages.
    package var text: String

    /// Parses `HOST:PORT` (`[IPv6]:PORT` for IPv6 literals).
    /// - Throws: ``LiveMetricsError/badAddress(_:reason:)`` naming what is wrong.
    package init(parsing text: String) throws(LiveMetricsError) {
        self.text = text
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .badAddress(text, reason: "missing ] after the IPv6 address") }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .badAddress(text, reason: "missing :PORT after the IPv6 address") }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .badAddress(text, reason: "missing :PORT") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { throw .badAddress(text, reason: "write an IPv6 address in brackets, e.g. [::1]:9464") }
        }
        guard !hostPart.isEmpty else { throw .badAddress(text, reason: "missing host") }
        guard hostPart.allSatisfy({ $0.isLetter || $0.isNumber || ".-:_%".contains($0) }) else {
            throw .badAddress(text, reason: "\"\(hostPart)\" is not a host name or IP address")
        }
        guard !portPart.isEmpty, portPart.allSatisfy(\.isASCII), portPart.allSatisfy(\.isNumber), portPart.count <= 5,
              let port = Int(portPart), (0...65_535).contains(port) else {
            throw .badAddress(text, reason: "port \"\(portPart)\" is not a number 0…65535")
        }
        self.host = String(hostPart)
        self.port = port
    }

    package var description: String { text }
}
