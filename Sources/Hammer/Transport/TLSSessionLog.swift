import Synchronization

/// The TLS sessions of many connections made on several threads, kept for a run's report.
public final class TLSSessionLog: Sendable {
    private let sessions = Mutex<[TLSSessionInfo]>([])

    public init() {}

    public func add(_ session: TLSSessionInfo) { sessions.withLock { $0.append(session) } }

    public var all: [TLSSessionInfo] { sessions.withLock { $0 } }
}
