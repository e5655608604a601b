import Foundation

/// `herd-check`: every accept mode × worker count × load, one cell each.
public struct HerdRun: Sendable {
    public var target: String
    public var started: Date
    public var cells: [HerdCell]
    /// Modes that could not be measured and why (e.g. reuseport without connection migration).
    public var skipped: [String: String]
    public var reference: Bool
    public var namespace: String
    /// Over TLS: what the cells' connections negotiated (each a full handshake).
    public var tls: TLSRunSummary?

    public init(target: String, started: Date, cells: [HerdCell], skipped: [String: String], reference: Bool, namespace: String,
                tls: TLSRunSummary? = nil) {
        self.target = target
        self.started = started
        self.cells = cells
        self.skipped = skipped
        self.reference = reference
        self.namespace = namespace
        self.tls = tls
    }

    /// The load of one cell: `connections` requests, each on a new connection (over TLS a full
    /// handshake each), by `concurrency` clients.
    public static func load(_ target: Endpoint, concurrency: Int, connections: Int, path: String) -> [RequestRecord] {
        var profile = LoadProfile()
        profile.kinds = [.fresh]
        profile.concurrency = concurrency
        profile.maxRequests = connections
        profile.duration = 120
        profile.paths = [path]
        let load = LoadGenerator(profile: profile, target: target)
        load.start()
        load.wait(timeout: 180)
        // The last closes and the workers' return to epoll_wait settle before the second reading.
        usleep(100_000)
        return load.log.all
    }

    /// A cell from the deltas and the requests.
    public static func cell(mode: String, workers: Int, load: String, concurrency: Int, records: [RequestRecord],
                            deltas: HerdArithmetic.Deltas, reference: Bool) -> HerdCell {
        let connections = records.count
        let accepted = reference ? deltas.accepts : connections
        let per = { (value: Int) in accepted > 0 ? Double(value) / Double(accepted) : 0 }
        return HerdCell(mode: mode, workers: workers, load: load, concurrency: concurrency, connections: connections,
                        failedRequests: records.filter { $0.outcome != .ok }.count, accepts: accepted,
                        wakeupsPerConnection: per(deltas.contextSwitches),
                        epollWakeupsPerConnection: reference ? per(deltas.epollWakeups) : nil,
                        listenerWakeupsPerConnection: reference ? per(deltas.listenerWakeups) : nil,
                        eagainPerConnection: reference ? per(deltas.eagain) : nil, busiestShare: deltas.busiestShare,
                        latency: LatencySummary(latenciesNanoseconds: records.filter { $0.outcome == .ok }.map(\.latencyNanoseconds)))
    }
}
