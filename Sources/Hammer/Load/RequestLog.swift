import Synchronization

/// Every request's record, from all clients; ids are handed out here so they are unique per run.
public final class RequestLog: Sendable {
    private let records = Mutex<[RequestRecord]>([])
    private let nextID = Atomic<UInt64>(1)
    public let start: UInt64

    public init(start: UInt64) { self.start = start }

    func newID() -> UInt64 { nextID.wrappingAdd(1, ordering: .relaxed).oldValue }

    func add(_ record: RequestRecord) { records.withLock { $0.append(record) } }

    public var all: [RequestRecord] { records.withLock { $0 }.sorted { $0.id < $1.id } }

    public var count: Int { records.withLock { $0.count } }

    /// How many records so far match, without copying them (a live progress line asks often).
    public func count(where matches: (RequestRecord) -> Bool) -> Int {
        records.withLock { $0.reduce(0) { $0 + (matches($1) ? 1 : 0) } }
    }

    /// Monotonic ns → ns since the load started.
    func relative(_ time: UInt64) -> UInt64 { time >= start ? time - start : 0 }
}
