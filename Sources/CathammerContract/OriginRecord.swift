#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the recording origin (`cathammer serve --app record`) knows about the connections it
/// accepted, as its control endpoint answers `GET /records?since=N`. Every event the origin sees
/// (bytes arriving, a request parsed, a rejection, a close) takes the next number of one store-wide
/// sequence, so the harness attributes records to a case by sequence numbers it read before and
/// after the case, never by timing.
public struct OriginRecord: Codable, Equatable, Sendable {
    /// The store's sequence when the snapshot was taken: the last event number handed out.
    public var sequence: Int
    /// Connections with at least one event after `since`, in the order they were accepted.
    public var connections: [OriginConnection]

    public init(sequence: Int, connections: [OriginConnection]) {
        self.sequence = sequence
        self.connections = connections
    }

    public init(json: [UInt8]) throws {
        self = try JSONDecoder().decode(OriginRecord.self, from: Data(json))
    }

    public func jsonBody() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { Array($0) + [0x0A] } ?? Array("{}\n".utf8)
    }
}

/// One accepted connection: every byte it delivered, and what the strict parser made of them.
public struct OriginConnection: Codable, Equatable, Sendable {
    /// Accept order, from 1, unique for the origin's life.
    public var id: Int
    /// The event number of the accept.
    public var openedAt: Int
    /// The bytes received from `receivedOffset` on, base64 (any byte survives JSON). A snapshot
    /// since N starts at the first byte an event after N touches: a long-lived pooled connection
    /// does not send its whole history each time.
    public var receivedBase64: String
    public var receivedOffset: Int
    /// Which event delivered which bytes: `offset` counts from the connection's first byte.
    public var chunks: [Chunk]
    public var requests: [Request]
    public var rejections: [Rejection]
    /// The event number of the peer's FIN, if it came.
    public var peerClosedAt: Int?
    /// The event number of the origin's close, if it happened.
    public var closedAt: Int?

    public struct Chunk: Codable, Equatable, Sendable {
        public var sequence: Int
        public var offset: Int
        public var length: Int

        public init(sequence: Int, offset: Int, length: Int) {
            self.sequence = sequence
            self.offset = offset
            self.length = length
        }
    }

    /// A request the strict parser framed: where it began and ended in the connection's bytes
    /// (head and body), and its parsed view.
    public struct Request: Codable, Equatable, Sendable {
        public var sequence: Int
        public var start: Int
        public var end: Int
        public var view: EchoView

        public init(sequence: Int, start: Int, end: Int, view: EchoView) {
            self.sequence = sequence
            self.start = start
            self.end = end
            self.view = view
        }
    }

    /// A refusal: the status sent, the reason code and its RFC section, and the byte offset the
    /// parser stopped at.
    public struct Rejection: Codable, Equatable, Sendable {
        public var sequence: Int
        public var offset: Int
        public var status: Int
        public var reason: String
        public var rfcSection: String

        public init(sequence: Int, offset: Int, status: Int, reason: String, rfcSection: String) {
            self.sequence = sequence
            self.offset = offset
            self.status = status
            self.reason = reason
            self.rfcSection = rfcSection
        }
    }

    public init(id: Int, openedAt: Int, received: some Collection<UInt8>, receivedOffset: Int = 0, chunks: [Chunk], requests: [Request],
                rejections: [Rejection], peerClosedAt: Int?, closedAt: Int?) {
        self.id = id
        self.openedAt = openedAt
        receivedBase64 = Data(received).base64EncodedString()
        self.receivedOffset = receivedOffset
        self.chunks = chunks
        self.requests = requests
        self.rejections = rejections
        self.peerClosedAt = peerClosedAt
        self.closedAt = closedAt
    }

    /// The received bytes from `receivedOffset` on, decoded.
    public var received: [UInt8] { Data(base64Encoded: receivedBase64).map(Array.init) ?? [] }

    /// The received bytes in `range` (offsets from the connection's first byte), as far as this
    /// snapshot holds them.
    public func received(_ range: Range<Int>) -> [UInt8] {
        let bytes = received
        let lower = max(0, range.lowerBound - receivedOffset)
        let upper = min(bytes.count, range.upperBound - receivedOffset)
        return lower < upper ? Array(bytes[lower..<upper]) : []
    }

    /// One past the last byte received.
    public var receivedEnd: Int { receivedOffset + (Data(base64Encoded: receivedBase64)?.count ?? 0) }
}

/// The recording origin's reserved paths: a fence request the harness sends through the front after
/// each case, so that every byte the front forwarded for the case is known to have arrived.
public enum OriginFence {
    public static let pathPrefix = "/__cathammer/fence/"

    public static func path(token: String) -> String { pathPrefix + token }

    /// The token of a fence request's target, or nil for any other target.
    public static func token(ofTarget target: String) -> String? {
        let characters = Array(target)
        let prefix = Array(pathPrefix)
        guard characters.count >= prefix.count else { return nil }
        for start in 0...(characters.count - prefix.count) where Array(characters[start..<(start + prefix.count)]) == prefix {
            return String(characters[(start + prefix.count)...].prefix { $0 != "?" && $0 != " " })
        }
        return nil
    }
}
