@preconcurrency import Glibc
import HTTPWire

/// What a target did with one stream.
public struct Observation: Sendable, Equatable {
    /// Final responses (1xx left out), complete or cut short by the close.
    public var responses: [ResponseMessage]
    public var ending: ConnectionEnding
    /// The connection could not be opened at all.
    public var connectFailed: Bool
    public var received: [UInt8]

    public var statuses: [Int] { responses.map(\.status) }
    public var outcome: ObservedOutcome { ObservedOutcome(statuses: statuses, ending: ending) }
}

/// Sends a stream over a fresh connection, one write per segment (one TLS record over TLS), then
/// half-closes, and reads the answer until the target closes or goes quiet.
public struct FuzzExecutor: Sendable {
    public var endpoint: Endpoint
    /// Longest wait for a response the strict oracle says must come.
    public var timeout: Double
    /// After the expected responses, how long to wait for one too many.
    public var quiet: Double
    /// What every TLS connection negotiated, for the report (shared by the executor's copies).
    public let sessions = TLSSessionLog()

    public init(endpoint: Endpoint, timeout: Double = 1.5, quiet: Double = 0.25) {
        self.endpoint = endpoint
        self.timeout = timeout
        self.quiet = quiet
    }

    public var authority: String { endpoint.authority }

    public func execute(_ input: FuzzInput, expectation: Expectation) -> Observation {
        var observation = Observation(responses: [], ending: .open, connectFailed: false, received: [])
        let client: ClientConnection
        do {
            client = try ClientConnection(to: endpoint, timeout: max(timeout, 2))
        } catch {
            observation.connectFailed = true
            observation.ending = .reset
            return observation
        }
        defer { client.close() }
        if let session = client.tls { sessions.add(session) }
        let segments = input.filledSegments(authority: authority)
        for (index, segment) in segments.enumerated() {
            // A short gap so each write reaches the server as a read of its own.
            if index > 0 { usleep(1000) }
            if !client.send(segment).isComplete { break }
        }
        client.halfClose()

        // HEAD responses have no body; the methods tell the response parser which ones those are.
        var parser = ResponseStreamParser(requestMethods: expectation.requests.map { String(decoding: $0.method, as: UTF8.self) })
        while true {
            let complete = parser.responses.filter { !$0.isInterim && $0.complete }.count
            let wait = complete >= expectation.responses ? quiet : timeout
            let reply = client.readUntilClosed(idleTimeout: wait, limit: 1024 * 1024, returnAfterData: true)
            observation.received += reply.bytes
            parser.feed(reply.bytes)
            if reply.ending == .eof { observation.ending = .closed; break }
            if reply.ending == .reset { observation.ending = .reset; break }
            if reply.bytes.isEmpty || observation.received.count > 4 * 1024 * 1024 { break }
        }
        parser.finish()
        observation.responses = parser.responses.filter { !$0.isInterim && $0.status >= 0 }
        return observation
    }
}
