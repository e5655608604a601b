import Foundation

/// The reference server's stats endpoint (`cathammer serve --stats`): the master's books and the
/// worker table, as far as reload-check and herd-check need them.
public struct ReferenceStats: Sendable, Equatable {
    public struct Worker: Sendable, Equatable {
        public var pid: Int
        public var generation: Int
        public var state: String
        public var accepts: Int
        public var eagainAccepts: Int
        public var epollWakeups: Int
        public var listenerWakeups: Int
        public var voluntaryContextSwitches: Int
        public var requests: Int
    }

    public var reloads = 0
    public var failedReloads = 0
    public var recycles = 0
    public var forcedKills = 0
    public var respawns = 0
    public var configuredWorkers = 0
    public var workers: [Worker] = []

    public var generation: Int { workers.map(\.generation).max() ?? 0 }
    public var readyWorkers: [Worker] { workers.filter { $0.state == "ready" } }
    /// Reloads finished either way: rolled in, refused or aborted.
    public var reloadsEnded: Int { reloads + failedReloads }

    public static func fetch(port: UInt16) -> ReferenceStats? {
        guard let response = try? HTTPGet.fetch(host: "127.0.0.1", port: port, path: "/", timeout: 2),
              response.status == 200 else { return nil }
        return parse(response.body)
    }

    public static func parse(_ body: [UInt8]) -> ReferenceStats? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let master = object["master"] as? [String: Any] else { return nil }
        var stats = ReferenceStats()
        stats.reloads = master["reloads"] as? Int ?? 0
        stats.failedReloads = master["failed_reloads"] as? Int ?? 0
        stats.recycles = master["recycles"] as? Int ?? 0
        stats.forcedKills = master["forced_kills"] as? Int ?? 0
        stats.respawns = master["respawns"] as? Int ?? 0
        stats.configuredWorkers = master["workers_configured"] as? Int ?? 0
        stats.workers = (object["workers"] as? [[String: Any]] ?? []).map { row in
            Worker(pid: row["pid"] as? Int ?? 0, generation: row["generation"] as? Int ?? 0, state: row["state"] as? String ?? "",
                   accepts: row["accepts"] as? Int ?? 0, eagainAccepts: row["eagain_accepts"] as? Int ?? 0,
                   epollWakeups: row["epoll_wakeups"] as? Int ?? 0, listenerWakeups: row["listener_wakeups"] as? Int ?? 0,
                   voluntaryContextSwitches: row["voluntary_context_switches"] as? Int ?? 0, requests: row["requests"] as? Int ?? 0)
        }
        return stats
    }

    /// Polls until `condition` holds (every 20 ms, up to `timeout` s); returns the last snapshot and whether it held.
    public static func waitFor(port: UInt16, timeout: Double, _ condition: (ReferenceStats) -> Bool) -> (ReferenceStats?, Bool) {
        let deadline = LoadClock.now() + UInt64(timeout * 1e9)
        var last: ReferenceStats?
        while LoadClock.now() < deadline {
            if let stats = fetch(port: port) {
                last = stats
                if condition(stats) { return (stats, true) }
            }
            usleep(20_000)
        }
        return (last, false)
    }
}
