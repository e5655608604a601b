/// A run's TLS as every report gives it: what the connections negotiated (the parameters most of
/// them share), how the client was set up, and how many connections offered a session and resumed.
/// A case, a cell or a request whose connection negotiated something else says so on its own.
public struct TLSRunSummary: Sendable, Equatable, Encodable {
    /// Version, cipher and ALPN most connections negotiated; absent when no handshake completed.
    public var version: String?
    public var cipher: String?
    public var alpn: String?
    /// What the client sent: SNI (absent: none), the ALPN list, and how it verified the server.
    public var serverName: String?
    public var alpnOffered: [String]
    public var verification: String
    /// Connections whose handshake completed, those that offered an earlier session, those resumed.
    public var connections: Int
    public var resumptionAttempts: Int
    public var resumed: Int
    /// How the byte-exact steps were cut into TLS records (corpus and fuzz runs).
    public var recordPlan: String?

    public static let byteExactRecordPlan = "each send step is one TLS record (one SSL_write, flushed; a step above 16384 bytes, "
        + "the largest record, takes one record per 16384 bytes); send_bytewise and --fragment bytewise: one record per byte"

    /// nil over cleartext (no context).
    public init?(context: TLSClientContext?, sessions: [TLSSessionInfo], recordPlan: String? = nil) {
        guard let settings = context?.settings else { return nil }
        let groups = Dictionary(grouping: sessions, by: \.parameters)
        let common = groups.values.max { $0.count < $1.count || ($0.count == $1.count && $0[0].parameters > $1[0].parameters) }?.first
        version = common?.version
        cipher = common?.cipher
        alpn = common?.alpn
        serverName = settings.serverName
        alpnOffered = settings.alpn
        verification = settings.verification.description
        connections = sessions.count
        resumptionAttempts = sessions.filter(\.offeredSession).count
        resumed = sessions.filter(\.resumed).count
        self.recordPlan = recordPlan
    }

    /// The connection's session when it negotiated other parameters than the run's, else nil. The
    /// ALPN is judged against what the case's protocol offers: an HTTP/2 case offers `h2` alone, so
    /// in a run of both kinds its `h2` beside the HTTP/1.1 cases' `http/1.1` is no difference, and an
    /// HTTP/2 case that got anything but `h2` is one.
    public func difference(_ session: TLSSessionInfo?, protocol wireProtocol: WireProtocol = .h1) -> TLSSessionInfo? {
        guard let session else { return nil }
        let alpnDiffers = switch wireProtocol {
        case .h2: session.alpn != "h2"
        case .h1: alpn != "h2" && session.alpn != alpn
        }
        guard session.version != version || session.cipher != cipher || alpnDiffers else { return nil }
        return session
    }

    /// One line for the HTML and Markdown reports.
    public var line: String {
        let negotiated = version.map { "\($0), \(cipher ?? "?"), ALPN \(alpn ?? "none")" } ?? "no handshake completed"
        return "TLS: \(negotiated); SNI \(serverName ?? "none"), ALPN offered \(alpnOffered.joined(separator: ",")), "
            + "verification: \(verification); \(resumed) of \(connections) connections resumed (\(resumptionAttempts) offered a session)"
    }
}

/// Resumption attempts and how many succeeded: a share of the reload report.
public struct ResumptionShare: Sendable, Equatable, Encodable {
    public var attempts: Int
    public var resumed: Int
    /// resumed / attempts; absent when nothing was attempted.
    public var share: Double?

    public init(_ sessions: [TLSSessionInfo]) {
        let offered = sessions.filter(\.offeredSession)
        attempts = offered.count
        resumed = offered.filter(\.resumed).count
        share = attempts > 0 ? Double(resumed) / Double(attempts) : nil
    }

    public var text: String { attempts == 0 ? "no attempt" : "\(resumed) of \(attempts) (\(Int((share ?? 0) * 100)) %)" }
}
