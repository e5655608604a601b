/// The protocols a connection's session can speak. The ALPN list an `--https` listener offers is
/// built from the ones a worker runs (`Worker.sessionProtocols`, most preferred first), so a new
/// protocol comes with its ALPN name and its session, and the TLS code does not change.
enum SessionProtocol: Equatable, CaseIterable {
    case http1

    /// The ALPN protocol ID (RFC 7301 §6, IANA's registry).
    var alpnIdentifier: String {
        switch self {
        case .http1: return "http/1.1"
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
    var sessionProtocols: [SessionProtocol] { [.http1] }
}

extension Worker {
    /// The session for a connection whose protocol is decided: after a TLS handshake by ALPN (a
    /// client without ALPN gets HTTP/1.1), on cleartext from the start.
    func makeSession(_ sessionProtocol: SessionProtocol, transport: Transport) -> ServerSession {
        switch sessionProtocol {
        case .http1: return HTTP1Session(transport: transport, worker: self, now: loop.now)
        }
    }
}
