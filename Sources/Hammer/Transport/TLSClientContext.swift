import CTLS
@preconcurrency import Glibc

/// One OpenSSL client context per target and run: the settings applied once, and the session
/// cache every connection to the target shares, so a later connection can resume (RFC 8446 §2.2,
/// RFC 5077). Thread-safe: OpenSSL contexts are, and the cache slot is guarded in CTLS.
public final class TLSClientContext: @unchecked Sendable {
    public let settings: TLSClientSettings
    private let context: OpaquePointer

    public init(_ settings: TLSClientSettings) throws(TLSSettingProblem) {
        _ = Self.processSetUp
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSSettingProblem(setting: .authorities, value: "", reason: "OpenSSL could not create a client context", rfc: nil)
        }
        self.context = context
        self.settings = settings
        guard ctls_ctx_prepare_client(context) == 1 else {
            throw TLSSettingProblem(setting: .authorities, value: "", reason: "OpenSSL refused the client settings", rfc: nil)
        }
        // The alert a failed handshake ends with, for its message; whether a session was offered.
        ctls_ctx_watch_connection_events(context)
        ctls_ctx_watch_session_offers(context)
        let wire = settings.alpnWireFormat
        if !wire.isEmpty {
            // SSL_CTX_set_alpn_protos returns 0 on success.
            guard SSL_CTX_set_alpn_protos(context, wire, UInt32(wire.count)) == 0 else {
                throw TLSSettingProblem(setting: .alpn, value: settings.alpn.joined(separator: ","), reason: "OpenSSL refused the list",
                                        rfc: "RFC 7301 §3.1")
            }
        }
        switch settings.verification {
        case .none:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        case .systemStore:
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            _ = SSL_CTX_set_default_verify_paths(context)
        case .authorities(let file):
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            ctls_clear_errors()
            guard SSL_CTX_load_verify_locations(context, file, nil) == 1 else {
                throw TLSSettingProblem(setting: .authorities, value: file,
                                        reason: "not a readable PEM file of CA certificates (\(Self.takeError()))", rfc: nil)
            }
        }
    }

    deinit {
        ctls_ctx_forget_session(context)
        SSL_CTX_free(context)
    }

    /// Once per process: a write to a connection the server reset must be an error, not SIGPIPE
    /// (OpenSSL writes with write(2), which cannot take MSG_NOSIGNAL).
    private static let processSetUp: Bool = {
        _ = ctls_init()
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    /// A client session on a connected socket: SNI, the name to verify, and the newest cached
    /// session when `offerSession`. Returns the SSL object (the caller frees it).
    func startSession(fd: Int32, host: String, offerSession: Bool) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_connect_state(ssl)
        if let name = settings.serverName { _ = ctls_set_server_name(ssl, name) }
        if settings.verification != .none {
            // The name the certificate must carry: the SNI, else the target's host, an address
            // checked against the certificate's IP names (RFC 9110 §4.3.4).
            if let name = settings.serverName {
                _ = SSL_set1_host(ssl, name)
            } else if X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) != 1 {
                _ = SSL_set1_host(ssl, host)
            }
        }
        if offerSession, let session = ctls_ctx_take_session(context) {
            _ = SSL_set_session(ssl, session)
            SSL_SESSION_free(session)
        }
        return ssl
    }

    /// The oldest queued OpenSSL error of this thread as text, and the queue cleared.
    static func takeError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ctls_take_error(&buffer, buffer.count)
        let text = buffer.nulTerminatedText
        return text.isEmpty ? "no detail from OpenSSL" : text
    }
}
