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
    public var pipelineDepth = 3
    /// The `h2` kind: streams in flight per HTTP/2 connection (its clients are spread over
    /// ceil(clients / this) connections).
    public var h2StreamsPerConnection = 8
    public var slowBodyPieces = 4
    public var slowBodyPauseMilliseconds = 20
    public var connectTimeoutMilliseconds: Int32 = 1000
    public var readTimeoutMilliseconds: Int32 = 10_000

    public init() {}
}
