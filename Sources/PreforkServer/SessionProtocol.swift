/// The protocols a connection's session can speak. The ALPN list an `--https` listener offers is
/// built from the ones a worker runs (`Worker.sessionProtocols`, most preferred first), so a new
/// protocol comes with its ALPN name and its session, and the TLS code does not change.
enum SessionProtocol: Equatable, CaseIterable {
    case http1
    /// HTTP/2 over TLS (RFC 9113 §3.2); on cleartext it is chosen by the client preface instead.
    case http2

    /// The ALPN protocol ID (RFC 7301 §6, IANA's registry).
    var alpnIdentifier: String {
        switch self {
        case .http1: return "http/1.1"
        case .http2: return "h2"
        }
    }

    init?(alpnIdentifier: String) {
        guard let match = Self.allCases.first(where: { $0.alpnIdentifier == alpnIdentifier }) else { return nil }
        self = match
    }

    /// ALPN's wire format (RFC 7301 §3.1): each name prefixed by its length.
    static func alpnWireFormat(_ protocols: [SessionProtocol]) -> [UInt8] {
        protocols.flatMap { [UInt8($0.alpnIdentifier.utf8.count)] + Array($0.alpnIdentifier.utf8) }
    }
}

extension WorkerSettings {
    /// What this worker's sessions speak, most preferred first: the ALPN list offered comes from it.
    /// HTTP/2 first when it is on, as browsers and nginx prefer it.
    var sessionProtocols: [SessionProtocol] { http2 == nil ? [.http1] : [.http2, .http1] }
}

extension Worker {
    /// The session for a connection whose protocol is decided: after a TLS handshake by ALPN (a
    /// client without ALPN gets HTTP/1.1), on cleartext from the start.
    func makeSession(_ sessionProtocol: SessionProtocol, transport: Transport) -> ServerSession {
        switch sessionProtocol {
        case .http1:
            return HTTP1Session(transport: transport, worker: self, now: loop.now)
        case .http2:
            // Offered only when HTTP/2 is on (`WorkerSettings.sessionProtocols`).
            guard let limits = config.http2 else { preconditionFailure("ALPN chose h2, which this worker does not offer") }
            return HTTP2Session(transport: transport, worker: self, limits: limits, now: loop.now, initialBytes: [])
        }
    }
}
