/// The stream identifier and concurrency rules of RFC 9113 §5.1.1 and §5.1.2 for one connection:
/// which ids each side may use next, and how many streams each side has active. It keeps no per-stream
/// records, so it answers for ids a connection has already forgotten.
public struct HTTP2StreamIdentifiers: Hashable, Sendable {
    public let role: HTTP2Role
    /// The highest id the peer has opened or reserved; every id of the peer's parity at or below it
    /// is no longer idle (§5.1.1).
    public private(set) var highestPeerStreamID: UInt32 = 0
    public internal(set) var highestLocalStreamID: UInt32 = 0
    /// SETTINGS_MAX_CONCURRENT_STREAMS this endpoint advertised; nil is unlimited.
    public var maxConcurrentPeerStreams: UInt32?
    /// SETTINGS_MAX_CONCURRENT_STREAMS the peer advertised.
    public var maxConcurrentLocalStreams: UInt32?
    /// Streams of each initiator in "open" or "half-closed" (§5.1.2).
    public private(set) var activePeerStreams = 0
    public private(set) var activeLocalStreams = 0

    public init(role: HTTP2Role, maxConcurrentPeerStreams: UInt32? = nil) {
        self.role = role
        self.maxConcurrentPeerStreams = maxConcurrentPeerStreams
    }

    /// Clients use odd ids, servers even ones (§5.1.1).
    public func isPeerInitiated(_ id: UInt32) -> Bool {
        (id & 1 == 1) == (role == .server)
    }

    /// Whether `id` is still idle: of its initiator's parity and above everything that side used.
    public func isIdle(_ id: UInt32) -> Bool {
        guard id != 0 else { return false }
        return id > (isPeerInitiated(id) ? highestPeerStreamID : highestLocalStreamID)
    }

    /// Judges a HEADERS frame the peer sent on a stream this connection has no record of, i.e. the peer
    /// opening a stream, and records the id. A REFUSED_STREAM answer still uses up the id: reset the
    /// stream (§5.1.2 leaves the code to us; REFUSED_STREAM tells the client the request was not
    /// processed and may be retried, §8.7).
    public mutating func peerOpens(_ id: UInt32) -> HTTP2Violation? {
        guard role == .server else {
            // A server starts streams only by PUSH_PROMISE (§8.4); HEADERS on a new id is unexpected.
            return .connection("server-opened-stream-with-headers", .protocolError, "RFC 9113 §5.1.1")
        }
        guard id & 1 == 1 else {
            return .connection("client-stream-id-even", .protocolError, "RFC 9113 §5.1.1")
        }
        guard id > highestPeerStreamID else {
            return .connection("stream-id-not-increasing", .protocolError, "RFC 9113 §5.1.1")
        }
        highestPeerStreamID = id
        if let limit = maxConcurrentPeerStreams, activePeerStreams >= Int(limit) {
            return .stream(id, "max-concurrent-streams-exceeded", .refusedStream, "RFC 9113 §5.1.2")
        }
        return nil
    }

    /// Judges the promised id of a received PUSH_PROMISE (client role) and records it (§6.6, §5.1.1).
    public mutating func peerReserves(_ id: UInt32) -> HTTP2Violation? {
        guard role == .client, id != 0, id & 1 == 0 else {
            return .connection("promised-stream-id-invalid", .protocolError, "RFC 9113 §6.6")
        }
        guard id > highestPeerStreamID else {
            return .connection("stream-id-not-increasing", .protocolError, "RFC 9113 §5.1.1")
        }
        highestPeerStreamID = id
        return nil
    }

    /// The id for this endpoint's next stream (a request for a client, a promise for a server), or nil
    /// when ids are exhausted (§5.1.1: open a new connection) or, for requests, the peer's limit is
    /// reached (reserved streams do not count, §5.1.2).
    public mutating func nextLocalStreamID() -> UInt32? {
        if role == .client, let limit = maxConcurrentLocalStreams, activeLocalStreams >= Int(limit) { return nil }
        let next: UInt32
        if highestLocalStreamID == 0 {
            next = role == .client ? 1 : 2
        } else {
            guard highestLocalStreamID <= HTTP2FrameHeader.streamIDMask - 2 else { return nil }
            next = highestLocalStreamID + 2
        }
        highestLocalStreamID = next
        return next
    }

    /// Keeps the active counts in step with a stream's transitions.
    public mutating func noteTransition(of id: UInt32, from old: HTTP2StreamState, to new: HTTP2StreamState) {
        let delta = (new.countsTowardConcurrencyLimit ? 1 : 0) - (old.countsTowardConcurrencyLimit ? 1 : 0)
        guard delta != 0 else { return }
        if isPeerInitiated(id) { activePeerStreams += delta } else { activeLocalStreams += delta }
    }
}
