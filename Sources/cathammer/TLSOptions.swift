import ArgumentParser
import Foundation
@preconcurrency import Glibc
import Hammer

/// The TLS flags every harness command takes (run corpus, fuzz, reload-check, herd-check): whether
/// the target speaks TLS, and what the client offers and checks. One context per run comes out.
struct TLSOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(
        "The target speaks TLS (https): a --spawn'ed server, or a --target given as HOST:PORT.",
        discussion: "--target https://HOST:PORT implies it; --target http://HOST:PORT refuses it."))
    var tls = false

    @Option(help: "Server name sent in SNI and checked in the certificate (default: the target's host when it is a name; none for an IP address).",
            transform: { text throws(TLSSettingProblem) in try TLSClientSettings.checkServerName(text) })
    var sni: String?

    @Option(help: "ALPN protocols offered, comma-separated, preferred first, e.g. h2,http/1.1 (default http/1.1).",
            transform: { text throws(TLSSettingProblem) in try TLSClientSettings.alpnList(text) })
    var alpn: [String]?

    @Flag(help: "Do not verify the server's certificate (any issuer, any name).")
    var insecure = false

    @Option(help: "Verify the server's certificate against the CA certificates in this PEM file (default: the system trust store).",
            transform: { path in
                guard access(path, R_OK) == 0 else { throw ValidationError("cannot read '\(path)': \(String(cString: strerror(errno)))") }
                return path
            })
    var ca: String?

    /// Whether the target speaks TLS, from --tls and the scheme --target named; exit 2 when they disagree.
    func usesTLS(scheme: TargetAddress.Scheme?, reference: Bool) throws -> Bool {
        if scheme == .http && tls { throw UsageError(message: "--tls contradicts the http:// of --target") }
        let wanted = tls || scheme == .https
        if wanted && reference {
            throw UsageError(message: "--tls needs --target or --spawn: the reference server started for the run serves cleartext")
        }
        if !wanted, let flag = clientFlagGiven {
            throw UsageError(message: "\(flag) needs a TLS target: --target https://HOST:PORT, or --tls with --spawn or --target")
        }
        if insecure && ca != nil { throw UsageError(message: "--insecure and --ca exclude each other") }
        return wanted
    }

    private var clientFlagGiven: String? {
        sni != nil ? "--sni" : alpn != nil ? "--alpn" : insecure ? "--insecure" : ca != nil ? "--ca" : nil
    }

    /// The run's client context for a TLS target at `host`, or nil over cleartext; a CA file that
    /// does not load is exit 2 naming the flag.
    func context(host: String, scheme: TargetAddress.Scheme?, reference: Bool = false) throws -> TLSClientContext? {
        guard try usesTLS(scheme: scheme, reference: reference) else { return nil }
        let verification: TLSClientSettings.Verification = insecure ? .none : ca.map { .authorities(file: $0) } ?? .systemStore
        let settings = TLSClientSettings(serverName: sni ?? TLSClientSettings.defaultServerName(host: host),
                                         alpn: alpn ?? ["http/1.1"], verification: verification)
        do {
            return try TLSClientContext(settings)
        } catch {
            let flag = error.setting == .authorities ? "--ca" : error.setting == .alpn ? "--alpn" : "--sni"
            throw UsageError(message: "\(flag) '\(error.value)': \(error.description)")
        }
    }

    /// Connects once (and over TLS makes the handshake, verifying the certificate) before a run: an
    /// unreachable target, or one whose certificate does not verify, is exit 3 with the reason.
    static func probe(_ endpoint: Endpoint, timeout: Double) throws -> TLSSessionInfo? {
        do {
            let connection = try ClientConnection(to: endpoint, timeout: timeout)
            defer { connection.close() }
            return connection.tls
        } catch {
            FileHandle.standardError.write(Data("cathammer: the target is unreachable: \(error.description)\n".utf8))
            throw ExitCode(3)
        }
    }
}
