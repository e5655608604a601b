/// The one class every request under load ends in (notes/reload-and-herd.md, "Classes of outcome").
public enum OutcomeClass: String, CaseIterable, Codable, Sendable, Comparable {
    case ok
    /// connect() answered ECONNREFUSED: nothing listened (L1).
    case refused
    /// connect() did not complete in time: SYN retransmits behind a full accept queue (L3).
    case connectTimeout = "connect_timeout"
    /// The TLS handshake failed: an alert, a close or reset during it, a certificate that did not verify.
    case tlsHandshake = "tls_handshake"
    /// Reset or EOF before any response byte on a connection opened for this request (L2, L4).
    case eofFresh = "eof_fresh"
    /// Reset or EOF before any response byte on a reused keep-alive connection (L5, the idle race).
    case eofReused = "eof_reused"
    /// Part of a response, then the connection ended (L4, L6).
    case truncated
    /// The server broke the connection while the request was still being written.
    case writeError = "write_error"
    /// A complete response with status 500 or above.
    case serverError = "5xx"
    /// No complete response within the read timeout.
    case readTimeout = "read_timeout"
    /// HTTP/2: the server refused the stream (RST_STREAM REFUSED_STREAM, or a GOAWAY whose
    /// last-stream-id is below it). Nothing of it was processed, so a client may retry it whatever its
    /// method (RFC 9113 §8.7): reported apart from the failures, never hidden.
    case refusedStream = "refused_stream"

    public var explanation: String {
        switch self {
        case .ok: return "a complete response below 500"
        case .refused: return "connection refused (no listener: L1)"
        case .connectTimeout: return "connect did not complete in time (accept queue overflow, SYN retransmit: L3)"
        case .tlsHandshake: return "the TLS handshake failed (an alert, a close or reset during it, a certificate that did not verify)"
        case .eofFresh: return "reset or EOF before the response on a fresh connection (L2/L4)"
        case .eofReused: return "reset or EOF before the response on a reused connection (keep-alive race: L5)"
        case .truncated: return "part of a response, then the connection ended (L4/L6)"
        case .writeError: return "the connection broke while the request was being written"
        case .serverError: return "a 5xx response"
        case .readTimeout: return "no complete response within the read timeout"
        case .refusedStream: return "HTTP/2 stream refused (REFUSED_STREAM or a GOAWAY below its id): unprocessed, safe to retry (RFC 9113 §8.7), not a failure"
        }
    }

    public static func < (lhs: OutcomeClass, rhs: OutcomeClass) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// How a request was sent: which client and which traffic pattern.
public enum TrafficKind: String, CaseIterable, Codable, Sendable {
    /// Raw socket, keep-alive connection reused with an idle gap between requests.
    case keepAlive = "keepalive"
    /// Raw socket, a new connection per request.
    case fresh
    /// Raw socket, POST with a body on a keep-alive connection.
    case post
    /// Raw socket, three requests in one write on a keep-alive connection.
    case pipelined
    /// Raw socket, a POST body sent in pieces with pauses.
    case slowBody = "slow-body"
    /// libcurl multi: keep-alive pool, fresh connections and POSTs mixed.
    case curl
    /// libcurl multi over HTTP/2 (h2c with prior knowledge, or ALPN h2 over TLS): several streams
    /// multiplexed on each connection, GETs and POSTs mixed.
    case h2

    /// GET is idempotent (RFC 9110 §9.2.2): a client may retry it after a close on a reused connection.
    var idempotent: Bool { self != .post && self != .slowBody }
}

/// One request and what became of it. Times are nanoseconds since the load started.
public struct RequestRecord: Sendable, Codable, Equatable {
    public var id: UInt64
    public var kind: TrafficKind
    public var method: String
    public var outcome: OutcomeClass
    /// reset, eof, errno name, libcurl's message: what exactly was seen.
    public var detail: String
    public var status: Int
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    /// How long the connection had existed when the request started (0 for a fresh one).
    public var connectionAgeNanoseconds: UInt64
    /// Requests sent on the connection before this one.
    public var connectionRequests: Int
    /// libcurl retried the request on a new connection after the reused one closed (RFC 9110 §9.2.2).
    public var retried: Bool
    /// For the request that opened a TLS connection: what its handshake negotiated, and whether a
    /// session was offered and resumed.
    public var tls: TLSSessionInfo?

    public init(id: UInt64, kind: TrafficKind, method: String, outcome: OutcomeClass, detail: String = "", status: Int = 0,
                startNanoseconds: UInt64, endNanoseconds: UInt64, connectionAgeNanoseconds: UInt64 = 0,
                connectionRequests: Int = 0, retried: Bool = false, tls: TLSSessionInfo? = nil) {
        self.id = id
        self.kind = kind
        self.method = method
        self.outcome = outcome
        self.detail = detail
        self.status = status
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.connectionAgeNanoseconds = connectionAgeNanoseconds
        self.connectionRequests = connectionRequests
        self.retried = retried
        self.tls = tls
    }

    public var latencyNanoseconds: UInt64 { endNanoseconds >= startNanoseconds ? endNanoseconds - startNanoseconds : 0 }

    /// Whether this request fails the check. With `allowIdempotentRetry`, an idempotent request that
    /// met a closed reused connection is not a failure (a client may retry it) but is still reported.
    public func isFailure(allowIdempotentRetry: Bool) -> Bool {
        if outcome == .ok || outcome == .refusedStream { return false }
        if outcome == .eofReused && allowIdempotentRetry && kind.idempotent && method != "POST" { return false }
        return true
    }

    /// An HTTP/2 stream the server refused unprocessed (RFC 9113 §8.7): counted apart, not failing.
    public var isRefusedStream: Bool { outcome == .refusedStream }

    /// A request a client could retry: a reused-connection close (or libcurl's own retry after one).
    public var isRetryAllowed: Bool {
        (outcome == .eofReused || retried) && kind.idempotent && method != "POST"
    }
}
