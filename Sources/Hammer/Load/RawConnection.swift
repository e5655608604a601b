import CathammerContract
@preconcurrency import Glibc
import HTTPWire

/// A load connection: the harness transport, writes in pieces with pauses, and reads framed by the
/// wire parser until the expected responses are complete, or EOF, reset or timeout.
final class RawConnection {
    let transport: ClientConnection
    var requestsSent = 0
    /// The first request on this connection carries what its TLS handshake negotiated.
    private(set) var handshakeReported = false

    var openedAt: UInt64 { transport.openedAt }

    private init(transport: ClientConnection) { self.transport = transport }

    /// Connects (and over TLS makes the handshake, offering the target's newest session when
    /// `offerSession`); on failure returns the outcome class and detail. The handshake is the
    /// server's work, so it is bounded like a read, not like the TCP connect.
    static func open(_ target: Endpoint, connectTimeoutMilliseconds: Int32, handshakeTimeoutMilliseconds: Int32,
                     offerSession: Bool) -> Result<RawConnection, ConnectFailure> {
        do {
            return .success(RawConnection(transport: try ClientConnection(
                to: target, timeout: Double(connectTimeoutMilliseconds) / 1000,
                handshakeTimeout: Double(handshakeTimeoutMilliseconds) / 1000, offerSession: offerSession)))
        } catch {
            return .failure(ConnectFailure(error))
        }
    }

    struct ConnectFailure: Error {
        var outcome: OutcomeClass
        var detail: String

        init(_ error: TransportError) {
            switch error {
            case .refused, .unresolvable: outcome = .refused
            case .connectTimeout: outcome = .connectTimeout
            case .connectFailed(_, let code): outcome = code == ECONNRESET ? .eofFresh : .refused
            case .tlsHandshake, .tlsVerification: outcome = .tlsHandshake
            }
            detail = error.description
        }
    }

    /// What the handshake negotiated, once: for the first request on the connection.
    func takeHandshake() -> TLSSessionInfo? {
        defer { handshakeReported = true }
        return handshakeReported ? nil : transport.tls
    }

    /// Writes `pieces` in order, pausing `pause` ms between them; each piece is one write (one TLS record).
    func write(_ pieces: [[UInt8]], pauseMilliseconds: Int = 0) -> ClientConnection.SendResult {
        var total = 0
        for (index, piece) in pieces.enumerated() {
            if index > 0 && pauseMilliseconds > 0 { usleep(UInt32(pauseMilliseconds * 1000)) }
            switch transport.send(piece) {
            case .complete: total += piece.count
            case .failed(let written, let code): return .failed(written: total + written, errno: code)
            }
        }
        return .complete
    }

    struct ReadResult {
        var parser: ResponseStreamParser
        var received: Int
        var ending: ExchangeClassifier.Ending
    }

    /// Reads until `count` final responses are complete, or EOF, reset, or `timeout` ms of silence.
    func read(methods: [String], count: Int, timeoutMilliseconds: Int32) -> ReadResult {
        var result = ReadResult(parser: ResponseStreamParser(requestMethods: methods), received: 0, ending: .timeout)
        while true {
            if result.parser.responses.filter({ !$0.isInterim && $0.complete }).count >= count {
                result.ending = .response
                return result
            }
            switch transport.receive(timeout: Double(timeoutMilliseconds) / 1000, maximum: 16384) {
            case .bytes(let bytes):
                result.received += bytes.count
                result.parser.feed(bytes)
            case .ended(.timeout):
                result.ending = .timeout
                return result
            case .ended(let ending):
                result.ending = ending == .reset ? .reset : .eof
                result.parser.finish()
                return result
            }
        }
    }
}
