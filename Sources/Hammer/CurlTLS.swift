import CCurl
import CTLS

/// The libcurl leg over https with the run's TLS settings: the CA file or no verification, TLS 1.2
/// and 1.3, the SNI name (through CURLOPT_RESOLVE: libcurl sends the URL's host as SNI), and one
/// session cache for all of a client's handles, so libcurl resumes sessions. libcurl chooses its
/// own ALPN list from the HTTP version (http/1.1 here).
final class CurlTLS {
    let endpoint: Endpoint
    private let share: UnsafeMutableRawPointer?
    private let resolve: UnsafeMutablePointer<curl_slist>?

    init(endpoint: Endpoint) {
        self.endpoint = endpoint
        guard let name = endpoint.tls?.settings.serverName, name != endpoint.host else {
            share = endpoint.isTLS ? Self.sessionShare() : nil
            resolve = nil
            return
        }
        share = Self.sessionShare()
        resolve = curl_slist_append(nil, "\(name):\(endpoint.port):\(endpoint.host)")
    }

    deinit {
        curl_slist_free_all(resolve)
        if let share { curl_share_cleanup(share) }
    }

    private static func sessionShare() -> UnsafeMutableRawPointer? {
        guard let share = curl_share_init() else { return nil }
        _ = ccurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
        return share
    }

    /// The URL of `path`: over TLS with the SNI name as host when one is set.
    func url(_ path: String) -> String {
        guard let name = endpoint.tls?.settings.serverName, resolve != nil else { return "\(endpoint.scheme)://\(endpoint.authority)\(path)" }
        return "https://\(name):\(endpoint.port)\(path)"
    }

    /// The TLS options on one handle (nothing over cleartext).
    func configure(_ handle: UnsafeMutableRawPointer) {
        guard let settings = endpoint.tls?.settings else { return }
        _ = ccurl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        _ = ccurl_setopt_long(handle, CURLOPT_SSL_SESSIONID_CACHE, 1)
        if let share { _ = ccurl_setopt_pointer(handle, CURLOPT_SHARE, share) }
        if let resolve { _ = ccurl_setopt_slist(handle, CURLOPT_RESOLVE, resolve) }
        // libcurl makes an SSL_CTX per connection: watch its ClientHello for an offered session.
        _ = ccurl_setopt_ssl_ctx_function(handle) { _, context, _ in
            if let context { ctls_ctx_watch_session_offers(OpaquePointer(context)) }
            return CURLE_OK
        }
        switch settings.verification {
        case .none:
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        case .systemStore:
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        case .authorities(let file):
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
            _ = ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
            _ = ccurl_setopt_string(handle, CURLOPT_CAINFO, file)
        }
    }

    /// What the handle's current TLS connection negotiated; call while the transfer runs (e.g. from
    /// the header callback), when libcurl's SSL object is alive. nil over cleartext.
    static func session(of handle: UnsafeMutableRawPointer) -> TLSSessionInfo? {
        var raw: UnsafeMutableRawPointer?
        guard ccurl_getinfo_pointer(handle, CURLINFO_TLS_SSL_PTR, &raw) == CURLE_OK, let raw else { return nil }
        let info = raw.assumingMemoryBound(to: curl_tlssessioninfo.self).pointee
        guard info.backend == CURLSSLBACKEND_OPENSSL, let internals = info.internals else { return nil }
        return TLSSessionInfo(ssl: OpaquePointer(internals))
    }

    /// A libcurl error that is a failed handshake.
    static func isHandshakeFailure(_ code: CURLcode) -> Bool {
        [CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
         CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH].contains(code)
    }
}
