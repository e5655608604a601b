import CathammerContract

/// What traffic to send: the mix of kinds, the paths, bodies, gaps and timeouts.
public struct LoadProfile: Sendable {
    /// Kinds handed to clients round-robin: client i sends kinds[i % kinds.count].
    public var kinds: [TrafficKind] = [.keepAlive, .fresh, .post, .keepAlive, .pipelined, .curl, .slowBody, .fresh]
    /// Concurrent clients (threads; the libcurl clients share one multi handle).
    public var concurrency = 16
    /// Requests per second in total; nil sends as fast as the clients can.
    public var rate: Double?
    public var duration = 30.0
    public var maxRequests: Int?
    /// GET paths, used in turn.
    public var paths = ["/"]
    public var postPath = "/"
    public var postBodyBytes = 1024
    /// Pause between requests on a keep-alive connection, drawn from this range (milliseconds).
    public var idleGapMilliseconds: ClosedRange<Int> = 0...0
    /// A keep-alive connection left idle this much longer than its drawn gap is not reused: its
    /// thread was starved (a loaded machine), and a real client does not keep an idle connection
    /// past the server's keep-alive timeout either. Reusing it measured the starvation — the
    /// server's idle close (5 s on the reference server, 2 s on gunicorn) — not the reload.
    public var starvedReuseToleranceMilliseconds = 1000
    public var pipelineDepth = 3
    /// The `h2` kind: streams in flight per HTTP/2 connection (its clients are spread over
    /// ceil(clients / this) connections).
    public var h2StreamsPerConnection = 8
    public var slowBodyPieces = 4
    public var slowBodyPauseMilliseconds = 20
    public var connectTimeoutMilliseconds: Int32 = 1000
    public var readTimeoutMilliseconds: Int32 = 10_000

    public init() {}

    /// Whether a keep-alive connection idle for `idle` nanoseconds, meant to be idle for `intended`,
    /// is still reused (see `starvedReuseToleranceMilliseconds`).
    public func reuses(idle: UInt64, intended: UInt64) -> Bool {
        idle <= intended &+ MonotonicClock.nanoseconds(milliseconds: starvedReuseToleranceMilliseconds)
    }
}
