/// What a case runner needs from a connection to the target: one write per call (one TLS record
/// over TLS), a half-close, and reads that return what arrived before a reset. The HTTP/2 runner
/// talks to the target only through this, so another transport (TLS with ALPN `h2`) plugs in by
/// giving `CaseRunner.connector` another function.
public protocol CaseConnection {
    /// Sends all bytes in one write; false when the peer is gone.
    func send(_ bytes: [UInt8]) -> Bool
    func finishSending()
    /// Reads until EOF, a reset, or `idleTimeout` seconds without a byte; with `returnAfterData`,
    /// returns as soon as what has arrived is read.
    func readUntilClosed(idleTimeout: Double, limit: Int, returnAfterData: Bool) -> RawSocketClient.Reply
    func close()
}

extension RawSocketClient: CaseConnection {}

/// Opens a connection to the target: (host, port, connect timeout).
public typealias CaseConnector = @Sendable (String, UInt16, Double) throws -> any CaseConnection

public enum CaseConnectors {
    /// Cleartext TCP: h2c with prior knowledge for HTTP/2 cases.
    public static let tcp: CaseConnector = { host, port, timeout in try RawSocketClient(host: host, port: port, timeout: timeout) }
}
