import CathammerContract

/// The recording origin's memory (`--app record`): per accepted connection the raw bytes received,
/// where each request began and ended with its parsed view, every rejection with its reason, and
/// the closes. Every event takes the next number of one sequence, which is how the harness knows
/// which records belong to the case it just ran. Lives in the one worker's process (`-p 1`) and is
/// read through the control listener (`--record-control`), served by the same event loop.
final class RecordStore {
    private(set) var sequence = 0
    private var connections: [ConnectionRecord] = []
    private var nextID = 1
    /// Bounds on what is kept: the oldest closed connections go first.
    let maxConnections: Int
    let maxBytes: Int
    private var storedBytes = 0

    init(maxConnections: Int = 4096, maxBytes: Int = 64 << 20) {
        self.maxConnections = maxConnections
        self.maxBytes = maxBytes
    }

    func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    /// A connection was accepted: its record.
    func open() -> ConnectionRecord {
        let record = ConnectionRecord(id: nextID, store: self, openedAt: nextSequence())
        nextID += 1
        connections.append(record)
        prune()
        return record
    }

    func noteBytes(_ count: Int) {
        storedBytes += count
        if storedBytes > maxBytes { prune() }
    }

    /// Connections with an event after `since`, as the control endpoint answers them.
    func snapshot(since: Int) -> OriginRecord {
        OriginRecord(sequence: sequence, connections: connections.filter { $0.lastEvent > since }.map { $0.contract(since: since) })
    }

    /// Forgets every closed connection (open ones keep their history: a case may still be using them).
    func forgetClosed() {
        connections.removeAll { $0.closedAt != nil }
        storedBytes = connections.reduce(0) { $0 + $1.received.count }
    }

    private func prune() {
        while connections.count > maxConnections || storedBytes > maxBytes,
              let index = connections.firstIndex(where: { $0.closedAt != nil }) {
            storedBytes -= connections[index].received.count
            connections.remove(at: index)
        }
    }
}

/// One connection's record; its session calls it as bytes arrive and requests are framed.
final class ConnectionRecord {
    let id: Int
    unowned let store: RecordStore
    let openedAt: Int
    private(set) var received: [UInt8] = []
    private(set) var chunks: [OriginConnection.Chunk] = []
    private(set) var requests: [OriginConnection.Request] = []
    private(set) var rejections: [OriginConnection.Rejection] = []
    private(set) var peerClosedAt: Int?
    private(set) var closedAt: Int?
    private(set) var lastEvent: Int

    init(id: Int, store: RecordStore, openedAt: Int) {
        self.id = id
        self.store = store
        self.openedAt = openedAt
        lastEvent = openedAt
    }

    private func event() -> Int {
        lastEvent = store.nextSequence()
        return lastEvent
    }

    func received(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        chunks.append(.init(sequence: event(), offset: received.count, length: bytes.count))
        received.append(contentsOf: bytes)
        store.noteBytes(bytes.count)
    }

    func requestParsed(start: Int, end: Int, view: EchoView) {
        requests.append(.init(sequence: event(), start: start, end: end, view: view))
    }

    func rejected(status: Int, reason: String, rfcSection: String, offset: Int) {
        rejections.append(.init(sequence: event(), offset: offset, status: status, reason: reason, rfcSection: rfcSection))
    }

    func peerClosed() {
        if peerClosedAt == nil { peerClosedAt = event() }
    }

    func closed() {
        if closedAt == nil { closedAt = event() }
    }

    /// The record as the control endpoint answers it: the bytes from the first one an event after
    /// `since` touches (a chunk received, a request framed), the events in full.
    func contract(since: Int) -> OriginConnection {
        var base = received.count
        if let chunk = chunks.first(where: { $0.sequence > since }) { base = min(base, chunk.offset) }
        for request in requests where request.sequence > since { base = min(base, request.start) }
        return OriginConnection(id: id, openedAt: openedAt, received: received[base...], receivedOffset: base, chunks: chunks,
                                requests: requests, rejections: rejections, peerClosedAt: peerClosedAt, closedAt: closedAt)
    }
}
