/// Where a client connects: a host, a port, and the TLS context when the target speaks https.
/// Every harness client takes one (the corpus runner, the fuzzer, the load, the libcurl leg).
public struct Endpoint: Sendable {
    public var host: String
    public var port: UInt16
    /// nil: cleartext TCP.
    public var tls: TLSClientContext?

    public init(host: String, port: UInt16, tls: TLSClientContext? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    /// A cleartext endpoint on 127.0.0.1 (stats endpoints, servers the harness started).
    public static func loopback(_ port: UInt16) -> Endpoint { Endpoint(host: "127.0.0.1", port: port) }

    public var isTLS: Bool { tls != nil }

    public var scheme: TargetAddress.Scheme { tls == nil ? .http : .https }

    /// HOST:PORT as it goes into a Host header or a URL: an IPv6 address in brackets.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The same address over plain TCP: what a readiness probe connects to (a TLS server accepts
    /// TCP connections before any handshake).
    public var tcpOnly: Endpoint { Endpoint(host: host, port: port) }

    /// The same target with a TLS context that offers `alpn` instead (the HTTP/2 runner offers `h2`
    /// alone); cleartext stays cleartext.
    public func offering(alpn: [String]) throws(TLSSettingProblem) -> Endpoint {
        guard let tls, tls.settings.alpn != alpn else { return self }
        var settings = tls.settings
        settings.alpn = alpn
        return Endpoint(host: host, port: port, tls: try TLSClientContext(settings))
    }
}
