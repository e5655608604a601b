import CTLS
import Glibc

/// The OpenSSL contexts behind the `--https` listeners: one per certificate (the default and each
/// `--tls-sni` one), configured alike: TLS 1.2 and 1.3 only, ALPN from the worker's session
/// protocols, stateless session tickets under the master's keys, client renegotiation refused,
/// kTLS where the kernel offers it, buffers released while a connection is idle. The master
/// builds one to check the certificates (at start and before a roll); each worker builds its own.
final class TLSServerContext {
    let defaultContext: OpaquePointer
    private let sniContexts: [OpaquePointer]
    private let sniTable: SNITable

    init(settings: TLSSettings, protocols: [SessionProtocol]) throws(ServerConfigurationError) {
        _ = ctls_init()
        let alpn = SessionProtocol.alpnWireFormat(protocols)
        var built: [OpaquePointer] = []
        do {
            for (index, pair) in settings.pairs.enumerated() {
                let origin = index == 0 ? "--tls-cert/--tls-key" : "--tls-sni \(settings.sniCertificates[index - 1].name)"
                built.append(try Self.makeContext(pair, origin: origin, alpn: alpn, ticketLifetime: settings.ticketLifetime))
            }
        } catch {
            built.forEach { SSL_CTX_free($0) }
            throw error
        }
        defaultContext = built[0]
        sniContexts = Array(built.dropFirst())
        sniTable = SNITable(patterns: settings.sniCertificates.map(\.name))
        if !sniContexts.isEmpty {
            ctls_ctx_set_sni_selector(defaultContext, { name, argument in
                guard let name, let argument else { return nil }
                let context = Unmanaged<TLSServerContext>.fromOpaque(argument).takeUnretainedValue()
                return context.sniTable.select(String(cString: name)).map { context.sniContexts[$0] }
            }, Unmanaged.passUnretained(self).toOpaque())
        }
    }

    deinit {
        SSL_CTX_free(defaultContext)
        sniContexts.forEach { SSL_CTX_free($0) }
    }

    /// Loads every certificate and key as a worker would, and throws the first problem, naming
    /// the file: the master's check before it starts workers or rolls a new generation.
    static func check(_ settings: TLSSettings) throws(ServerConfigurationError) {
        _ = try TLSServerContext(settings: settings, protocols: SessionProtocol.allCases)
    }

    /// A server-side connection over `fd`, not yet handshaking; nil if OpenSSL is out of memory.
    func makeConnection(fd: Int32) -> OpaquePointer? {
        guard let ssl = SSL_new(defaultContext) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            ctls_clear_errors()
            return nil
        }
        SSL_set_accept_state(ssl)
        _ = ctls_watch_socket_reads(ssl)
        return ssl
    }

    private static func makeContext(_ pair: CertificatePair, origin: String, alpn: [UInt8],
                                    ticketLifetime: Double) throws(ServerConfigurationError) -> OpaquePointer {
        for (path, what) in [(pair.certificate, "certificate"), (pair.privateKey, "private key")] where access(path, R_OK) != 0 {
            throw ServerConfigurationError("\(origin): cannot read the \(what) file '\(path)': \(String(cString: strerror(errno)))")
        }
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw ServerConfigurationError("\(origin): OpenSSL cannot create a context: \(takeError())")
        }
        var configured = ctls_ctx_limit_versions(context, TLS1_2_VERSION, TLS1_3_VERSION) == 1
        _ = ctls_ctx_set_options(context, (Self.kernelOffersTLS ? CTLS_OP_ENABLE_KTLS : 0) | CTLS_OP_IGNORE_UNEXPECTED_EOF
            | CTLS_OP_NO_RENEGOTIATION | CTLS_OP_CIPHER_SERVER_PREFERENCE)
        // Partial writes and a moving buffer: a session retries a write from a buffer that may have
        // grown (and moved) since; released buffers: an idle connection keeps no 16 KiB records.
        _ = ctls_ctx_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
            | SSL_MODE_RELEASE_BUFFERS))
        // One read for a record's header and body (and whatever follows): half the read calls of a
        // handshake. What OpenSSL holds ahead is read by the session without waiting for readiness.
        ctls_ctx_set_read_ahead(context, 1)
        // Stateless tickets only: a per-worker session cache could not resume on another worker.
        _ = ctls_ctx_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        let sessionContext = Array("cathammer".utf8)
        configured = configured && SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count)) == 1
        SSL_CTX_set_timeout(context, Int(ticketLifetime))
        ctls_ctx_use_ticket_keys(context)
        ctls_ctx_watch_connection_events(context)
        configured = configured && alpn.withUnsafeBufferPointer { ctls_ctx_set_alpn_protocols(context, $0.baseAddress, $0.count) } == 1
        guard configured else {
            SSL_CTX_free(context)
            throw ServerConfigurationError("\(origin): OpenSSL refused the TLS settings: \(takeError())")
        }
        var message = [CChar](repeating: 0, count: 512)
        guard ctls_ctx_use_pem_files(context, pair.certificate, pair.privateKey, &message, message.count) == 1 else {
            SSL_CTX_free(context)
            throw ServerConfigurationError("\(origin): \(message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        return context
    }

    /// Whether the kernel has the `tls` upper-layer protocol loaded, read once per process. Without
    /// it OpenSSL's kTLS attempt is a failed setsockopt(TCP_ULP) on every handshake (and, for root,
    /// a module autoload the kernel tries each time), so kTLS is asked for only when it can work;
    /// `modprobe tls` before the server starts turns it on.
    static let kernelOffersTLS: Bool = {
        guard let file = fopen("/proc/sys/net/ipv4/tcp_available_ulp", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        return TCPUpperLayers.list(line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }).contains("tls")
    }()

    private static func takeError() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        ctls_take_error(&buffer, buffer.count)
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

/// `/proc/sys/net/ipv4/tcp_available_ulp`: the upper-layer protocols (`tls`, `mptcp`) the kernel
/// has loaded, separated by spaces.
enum TCPUpperLayers {
    static func list(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
    }
}
