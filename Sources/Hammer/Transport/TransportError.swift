@preconcurrency import Glibc

/// Why a client connection could not be opened. Each case says what the load generator counts
/// it as (`OutcomeClass`), and the TLS ones name the rule the failure enforces.
public enum TransportError: Error, CustomStringConvertible, Equatable {
    /// getaddrinfo could not turn the host into an address.
    case unresolvable(host: String, reason: String)
    /// ECONNREFUSED: nothing listens.
    case refused(authority: String)
    /// The TCP handshake did not complete in time (a full accept queue drops SYNs).
    case connectTimeout(authority: String, seconds: Double)
    /// Any other connect error (ECONNRESET, ENETUNREACH, EMFILE...).
    case connectFailed(authority: String, errno: Int32)
    /// The TLS handshake failed: an alert from the server, a close or reset during it, a timeout.
    case tlsHandshake(authority: String, reason: String)
    /// The server's certificate did not verify (chain or name).
    case tlsVerification(authority: String, reason: String)

    public var description: String {
        switch self {
        case .unresolvable(let host, let reason): return "cannot resolve \(host): \(reason)"
        case .refused(let authority): return "cannot connect to \(authority): connection refused"
        case .connectTimeout(let authority, let seconds): return "cannot connect to \(authority): no answer within \(seconds) s"
        case .connectFailed(let authority, let code): return "cannot connect to \(authority): \(String(cString: strerror(code)))"
        case .tlsHandshake(let authority, let reason): return "TLS handshake with \(authority) failed: \(reason)"
        case .tlsVerification(let authority, let reason):
            return "TLS handshake with \(authority) failed: the server's certificate did not verify: \(reason) (RFC 9110 §4.3.4; --insecure skips the check, --ca FILE names the CA)"
        }
    }

    /// The TLS layer failed (as opposed to TCP): the load's `tls_handshake` class.
    public var isTLS: Bool {
        switch self {
        case .tlsHandshake, .tlsVerification: return true
        default: return false
        }
    }
}
