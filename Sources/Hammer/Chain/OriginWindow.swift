import CathammerContract

/// What the origin received for one case: the records between the sequence number read before the
/// case and the fence request the harness sent through the front after it. Attribution is by those
/// two numbers alone: an event belongs to the case when its sequence number lies between them.
public struct OriginWindow: Sendable, Equatable {
    /// How the fence request (sent after the case, on a fresh client connection) reached the origin.
    public enum Fence: Sendable, Equatable {
        /// As a request of its own: everything forwarded for the case arrived before it.
        case seen
        /// As a request that began with `prefix` bytes of this case: the origin connection was left
        /// mid-request, and the fence completed it.
        case poisoned(prefix: Int, connection: Int)
        /// Not as a request: its bytes sit inside another request's body or an unfinished one.
        case absorbed(connection: Int)
        /// Not at all within the wait (the front did not forward it, or is gone).
        case lost

        public var text: String {
            switch self {
            case .seen: return "seen"
            case .poisoned(let prefix, let connection): return "poisoned (\(prefix) bytes before it on origin connection #\(connection))"
            case .absorbed(let connection): return "absorbed (inside another request on origin connection #\(connection))"
            case .lost: return "lost"
            }
        }
    }

    /// One origin connection's part of the window.
    public struct Connection: Sendable, Equatable {
        public var id: Int
        /// The connection's bytes in the window, and where they start in the connection.
        public var bytes: [UInt8]
        public var startOffset: Int
        /// Requests framed in the window (the fence excluded); `start`/`end` are connection offsets.
        public var requests: [OriginConnection.Request]
        public var rejections: [OriginConnection.Rejection]
        /// Opened during the case (not a connection the front reused).
        public var opened: Bool
        public var peerClosed: Bool
        public var closed: Bool
        /// Bytes at the end of the window that no request or rejection accounts for: the beginning
        /// of a request the origin is still waiting to complete.
        public var unfinishedBytes: Int
        /// A request of the window began before it (with bytes forwarded for an earlier case).
        public var carriedOver: Bool
    }

    public var connections: [Connection]
    public var fence: Fence

    /// Every request framed in the window, in the order the origin framed them.
    public var requests: [OriginConnection.Request] {
        connections.flatMap(\.requests).sorted { $0.sequence < $1.sequence }
    }

    public var rejections: [OriginConnection.Rejection] {
        connections.flatMap(\.rejections).sorted { $0.sequence < $1.sequence }
    }

    static let fenceLine = Array("GET \(OriginFence.pathPrefix)".utf8)

    /// The window of `record` after `since` up to the fence named `token`.
    public init(record: OriginRecord, since: Int, fenceToken token: String) {
        var fenceRequest: (connection: OriginConnection, request: OriginConnection.Request)?
        for connection in record.connections {
            if let request = connection.requests.first(where: { $0.sequence > since && OriginFence.token(ofTarget: $0.view.target) == token }) {
                fenceRequest = (connection, request)
            }
        }
        let cut = fenceRequest?.request.sequence ?? record.sequence
        var fence = Fence.lost
        var connections: [Connection] = []
        let fencePath = Array(OriginFence.path(token: token).utf8)
        for connection in record.connections {
            let chunks = connection.chunks.filter { $0.sequence > since && $0.sequence <= cut }
            var start = chunks.first?.offset ?? connection.receivedEnd
            var end = chunks.last.map { $0.offset + $0.length } ?? start
            // Up to the cut; the fence itself (the cut, when it was seen) is not the case's.
            let requests = connection.requests.filter { $0.sequence > since && $0.sequence <= cut && $0.sequence != fenceRequest?.request.sequence }
            if let fenceRequest, fenceRequest.connection.id == connection.id {
                // The fence's own bytes are not the case's; what came before them on its line is.
                let raw = connection.received(fenceRequest.request.start..<fenceRequest.request.end)
                let own = Self.firstIndex(of: Self.fenceLine, in: raw) ?? 0
                if own > 0 {
                    fence = .poisoned(prefix: own, connection: connection.id)
                } else {
                    fence = .seen
                }
                end = min(end, fenceRequest.request.start + own)
                start = min(start, end)
            }
            let rejections = connection.rejections.filter { $0.sequence > since && $0.sequence <= cut }
            let peerClosed = connection.peerClosedAt.map { $0 > since && $0 <= cut } ?? false
            let closed = connection.closedAt.map { $0 > since && $0 <= cut } ?? false
            let opened = connection.openedAt > since && connection.openedAt <= cut
            let bytes = connection.received(start..<max(start, end))
            if fenceRequest == nil, Self.firstIndex(of: fencePath, in: bytes) != nil { fence = .absorbed(connection: connection.id) }
            guard !bytes.isEmpty || !requests.isEmpty || !rejections.isEmpty else { continue }
            // Bytes past the last framed request, on a connection neither side has closed nor refused.
            let framedEnd = max(requests.map(\.end).max() ?? start, start)
            let stillOpen = connection.closedAt.map { $0 > cut } ?? true
            let unfinished = rejections.isEmpty && stillOpen && !peerClosed ? max(0, end - framedEnd) : 0
            connections.append(Connection(
                id: connection.id, bytes: bytes, startOffset: start, requests: requests, rejections: rejections, opened: opened,
                peerClosed: peerClosed, closed: closed, unfinishedBytes: unfinished,
                carriedOver: requests.contains { $0.start < start }))
        }
        self.connections = connections
        self.fence = fence
    }

    public init(connections: [Connection], fence: Fence) {
        self.connections = connections
        self.fence = fence
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }
}
