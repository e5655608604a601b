/// One herd measurement: an accept mode, a worker count and a load, with what the workers did.
public struct HerdCell: Codable, Sendable, Equatable {
    public var mode: String
    public var workers: Int
    /// "serial", "c=W/2", "c=W", "c=2W" (or "c=N" for other servers).
    public var load: String
    public var concurrency: Int
    public var connections: Int
    public var failedRequests: Int
    /// Connections the workers accepted (from the scoreboard; from outside: the requests sent).
    public var accepts: Int
    /// Voluntary context switches of all workers per accepted connection: how many processes woke
    /// per connection. The herd: plain epoll wakes every idle worker.
    public var wakeupsPerConnection: Double
    /// epoll_wait returns per connection (reference server only).
    public var epollWakeupsPerConnection: Double?
    /// epoll_wait returns with the listener ready, per connection: how many workers user space saw
    /// woken for each connection (reference server only; the kernel's own re-sleeps show only in
    /// the context switches).
    public var listenerWakeupsPerConnection: Double?
    /// accept() calls that found nothing, per connection (reference server only).
    public var eagainPerConnection: Double?
    /// The busiest worker's share of accepts (from outside: of the established connections sampled).
    public var busiestShare: Double
    public var latency: LatencySummary

    public init(mode: String, workers: Int, load: String, concurrency: Int, connections: Int, failedRequests: Int, accepts: Int,
                wakeupsPerConnection: Double, epollWakeupsPerConnection: Double?, listenerWakeupsPerConnection: Double?,
                eagainPerConnection: Double?,
                busiestShare: Double, latency: LatencySummary) {
        self.mode = mode
        self.workers = workers
        self.load = load
        self.concurrency = concurrency
        self.connections = connections
        self.failedRequests = failedRequests
        self.accepts = accepts
        self.wakeupsPerConnection = wakeupsPerConnection
        self.epollWakeupsPerConnection = epollWakeupsPerConnection
        self.listenerWakeupsPerConnection = listenerWakeupsPerConnection
        self.eagainPerConnection = eagainPerConnection
        self.busiestShare = busiestShare
        self.latency = latency
    }
}

/// Turns two scoreboard snapshots (or two /proc readings) into per-connection figures.
public enum HerdArithmetic {
    public struct Deltas: Equatable {
        public var accepts: Int
        public var contextSwitches: Int
        public var epollWakeups: Int
        public var listenerWakeups = 0
        public var eagain: Int
        public var busiestShare: Double
    }

    /// Workers matched by pid; a worker missing from either side is left out.
    public static func deltas(before: [ReferenceStats.Worker], after: [ReferenceStats.Worker]) -> Deltas {
        let earlier = Dictionary(before.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        var result = Deltas(accepts: 0, contextSwitches: 0, epollWakeups: 0, eagain: 0, busiestShare: 0)
        var perWorker: [Int] = []
        for worker in after {
            guard let old = earlier[worker.pid] else { continue }
            let accepted = worker.accepts - old.accepts
            perWorker.append(accepted)
            result.accepts += accepted
            result.contextSwitches += worker.voluntaryContextSwitches - old.voluntaryContextSwitches
            result.epollWakeups += worker.epollWakeups - old.epollWakeups
            result.listenerWakeups += worker.listenerWakeups - old.listenerWakeups
            result.eagain += worker.eagainAccepts - old.eagainAccepts
        }
        result.busiestShare = result.accepts > 0 ? Double(perWorker.max() ?? 0) / Double(result.accepts) : 0
        return result
    }

    /// From outside: the workers' context switches; the share comes from a `ConnectionSampler`.
    public static func deltas(before: [ProcessCounters], after: [ProcessCounters], workers: Set<Int32>,
                              busiestShare: Double) -> Deltas {
        let earlier = Dictionary(before.map { ($0.pid, $0) }, uniquingKeysWith: { first, _ in first })
        var result = Deltas(accepts: 0, contextSwitches: 0, epollWakeups: 0, eagain: 0, busiestShare: busiestShare)
        for process in after {
            guard let old = earlier[process.pid], workers.contains(process.pid) else { continue }
            result.contextSwitches += process.voluntaryContextSwitches - old.voluntaryContextSwitches
        }
        return result
    }

    /// The loads of the issue for `workers`: serial, W/2, W, 2W (duplicates and zero dropped).
    public static func loads(workers: Int) -> [(label: String, concurrency: Int)] {
        var seen: Set<Int> = []
        return [("serial", 1), ("c=W/2", workers / 2), ("c=W", workers), ("c=2W", 2 * workers)].filter {
            $0.1 >= 1 && seen.insert($0.1).inserted
        }
    }
}
