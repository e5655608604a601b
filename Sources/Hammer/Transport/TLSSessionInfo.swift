import CTLS

/// What one TLS connection negotiated, as the reports record it.
public struct TLSSessionInfo: Sendable, Equatable, Codable {
    /// OpenSSL's name of the protocol version: "TLSv1.2", "TLSv1.3".
    public var version: String
    /// The IANA/OpenSSL cipher suite name, e.g. "TLS_AES_256_GCM_SHA384".
    public var cipher: String
    /// The protocol ALPN selected; nil when the server selected none (RFC 7301 §3.2).
    public var alpn: String?
    /// The server accepted the offered session: an abbreviated handshake.
    public var resumed: Bool
    /// The ClientHello offered a session from an earlier connection (a PSK or a session ticket): a
    /// resumption attempt.
    public var offeredSession: Bool

    public init(version: String, cipher: String, alpn: String?, resumed: Bool, offeredSession: Bool) {
        self.version = version
        self.cipher = cipher
        self.alpn = alpn
        self.resumed = resumed
        self.offeredSession = offeredSession
    }

    /// Version, cipher and ALPN: what a run reports once and a case only where it differs.
    public var parameters: String { "\(version) \(cipher) ALPN \(alpn ?? "none")" }

    /// What an established OpenSSL connection negotiated (ours, or libcurl's), on a context that
    /// watches session offers (`ctls_ctx_watch_session_offers`).
    init(ssl: OpaquePointer) {
        var alpn = [CChar](repeating: 0, count: 256)
        ctls_selected_alpn(ssl, &alpn, alpn.count)
        let selected = alpn.nulTerminatedText
        self.init(version: String(cString: SSL_get_version(ssl)), cipher: String(cString: ctls_cipher_name(ssl)),
                  alpn: selected.isEmpty ? nil : selected, resumed: SSL_session_reused(ssl) == 1,
                  offeredSession: ctls_session_offered(ssl) == 1)
    }
}

extension [CChar] {
    /// The text of a C string written into this buffer by a C call.
    var nulTerminatedText: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
