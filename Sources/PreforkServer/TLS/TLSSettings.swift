/// `--tls-cert FILE --tls-key FILE`: a PEM certificate chain (leaf first) and its private key, RSA or ECDSA.
public struct CertificatePair: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// `--tls-sni NAME=CERT,KEY`: the certificate for clients that ask for NAME (RFC 6066 §3). NAME is
/// a host name, or `*.example.com` for the names one label below example.com.
public struct SNICertificate: Sendable, Equatable {
    /// Lower case (host names compare case-insensitively).
    public var name: String
    public var pair: CertificatePair

    public init(name: String, pair: CertificatePair) {
        self.name = name.lowercased()
        self.pair = pair
    }

    /// Parses `NAME=CERT,KEY`.
    public static func parse(_ text: String) -> Result<SNICertificate, ServerConfigurationError> {
        let refusal = ServerConfigurationError("--tls-sni '\(text)' is not NAME=CERT,KEY (e.g. api.example.com=api.pem,api.key)")
        guard let equals = text.firstIndex(of: "=") else { return .failure(refusal) }
        let name = String(text[..<equals])
        let files = text[text.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
        guard files.count == 2, !files[0].isEmpty, !files[1].isEmpty, SNITable.isValidPattern(name.lowercased()) else {
            return .failure(refusal)
        }
        return .success(SNICertificate(name: name, pair: CertificatePair(certificate: String(files[0]), privateKey: String(files[1]))))
    }
}

/// Everything the `--https` listeners share: certificates, the handshake deadline, and how often the
/// master replaces the session-ticket key.
public struct TLSSettings: Sendable, Equatable {
    public var defaultCertificate: CertificatePair
    public var sniCertificates: [SNICertificate]
    /// Seconds a client has from the TCP handshake to the end of the TLS handshake.
    public var handshakeTimeout: Double
    /// Seconds between ticket-key rotations. The two previous keys are kept for decryption, and
    /// tickets are announced for as long, so every ticket a client may present still decrypts.
    public var ticketRotation: Double

    public init(defaultCertificate: CertificatePair, sniCertificates: [SNICertificate] = [], handshakeTimeout: Double = 10,
                ticketRotation: Double = 3600) {
        self.defaultCertificate = defaultCertificate
        self.sniCertificates = sniCertificates
        self.handshakeTimeout = handshakeTimeout
        self.ticketRotation = ticketRotation
    }

    /// Every certificate and key file, the default first: what a reload re-reads.
    var pairs: [CertificatePair] { [defaultCertificate] + sniCertificates.map(\.pair) }

    /// How long a ticket is announced as valid (RFC 8446 §4.6.1 ticket_lifetime, at most 7 days):
    /// its key is still kept by then, whenever in a rotation it was minted.
    var ticketLifetime: Double { min(TicketKeyRing.retainedRotations * ticketRotation, 7 * 24 * 3600) }
}
