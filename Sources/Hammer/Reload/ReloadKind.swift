/// What `--reload` does to the target.
public enum ReloadKind: String, CaseIterable, Codable, Sendable {
    /// SIGHUP to the master: a rolling reload.
    case hup
    /// SIGUSR2 to the master: the reference server re-executes itself in place, then rolls.
    case reexec
    /// `r` written to the reference server's master FIFO.
    case fifo
    /// No command: the reference server recycles workers after `--max-requests` requests.
    case maxRequests = "max-requests"
    /// SIGKILL to a random worker: its in-flight requests are expected to fail, attributed.
    case killWorker = "kill-worker"
    /// SIGTTIN / SIGTTOU in turn: N → N+1 → N workers.
    case workerCount = "worker-count"
    /// A reload whose new workers fail to start, or whose configuration is refused; the old generation serves.
    case badConfig = "bad-config"
    /// `--reload-cmd`: a shell command (e.g. `nginx -s reload`).
    case command
    /// `--reload-signal SIG`: a signal to `--pid` (or to the spawned target).
    case signal

    /// Kinds that need the reference server (its stats endpoint, FIFO, ini file or flags).
    public var needsReferenceServer: Bool {
        switch self {
        case .fifo, .maxRequests, .badConfig, .reexec: return true
        default: return false
        }
    }
}

/// One reload: when it was fired, when the server had settled, what happened.
public struct ReloadEvent: Sendable, Codable, Equatable {
    public var index: Int
    public var kind: ReloadKind
    /// Nanoseconds since the load started.
    public var startNanoseconds: UInt64
    public var endNanoseconds: UInt64
    /// The server reached the state the reload leads to within the bound.
    public var settled: Bool
    public var note: String

    public init(index: Int, kind: ReloadKind, startNanoseconds: UInt64, endNanoseconds: UInt64, settled: Bool, note: String) {
        self.index = index
        self.kind = kind
        self.startNanoseconds = startNanoseconds
        self.endNanoseconds = endNanoseconds
        self.settled = settled
        self.note = note
    }

    /// Whether a request that ran from `start` to `end` overlapped this reload.
    public func overlaps(start: UInt64, end: UInt64) -> Bool { start <= endNanoseconds && end >= startNanoseconds }
}

/// The reloads of a run in order; answers which reload a request overlapped.
public struct ReloadTimeline: Sendable, Equatable {
    public var events: [ReloadEvent]

    public init(events: [ReloadEvent] = []) { self.events = events }

    /// The first reload a request overlapped, or nil if it ran entirely outside reloads.
    public func reload(overlapping record: RequestRecord) -> ReloadEvent? {
        events.first { $0.overlaps(start: record.startNanoseconds, end: record.endNanoseconds) }
    }
}
