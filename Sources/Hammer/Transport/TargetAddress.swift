/// A `--target` value: `HOST:PORT`, `http://HOST:PORT` or `https://HOST:PORT`. HOST is a name, an
/// IPv4 address or a bracketed IPv6 address.
public struct TargetAddress: Sendable, Equatable {
    public enum Scheme: String, Sendable {
        case http, https
    }

    /// Why a text is not a target address.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    public var host: String
    public var port: UInt16
    /// The scheme the text named; nil for a bare HOST:PORT (cleartext unless the command says TLS).
    public var scheme: Scheme?

    public init(host: String, port: UInt16, scheme: Scheme? = nil) {
        self.host = host
        self.port = port
        self.scheme = scheme
    }

    public init(_ text: String) throws(Problem) {
        let problem = Problem(description: "--target '\(text)' is not HOST:PORT, http://HOST:PORT or https://HOST:PORT")
        var rest = Substring(text)
        if let separator = rest.range(of: "://") {
            guard let named = Scheme(rawValue: rest[..<separator.lowerBound].lowercased()) else { throw problem }
            scheme = named
            rest = rest[separator.upperBound...]
            // An origin may end in one slash; a path is not part of a target.
            if rest.hasSuffix("/") { rest = rest.dropLast() }
        } else {
            scheme = nil
        }
        guard let colon = rest.lastIndex(of: ":"), let port = UInt16(rest[rest.index(after: colon)...]), port > 0 else { throw problem }
        var host = rest[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            throw problem  // an IPv6 address needs its brackets: the port is ambiguous otherwise
        }
        guard !host.isEmpty, !host.contains("/"), !host.contains("@") else { throw problem }
        self.host = String(host)
        self.port = port
    }
}
