import CathammerContract
import Foundation

/// The reference server's stats endpoint (`cathammer serve --stats`), as reload-check and
/// herd-check poll it: the snapshot and the questions they ask of it.
public struct ReferenceStats: Sendable, Equatable {
    public typealias Worker = StatsSnapshot.WorkerRow

    public var snapshot: StatsSnapshot

    public init(snapshot: StatsSnapshot) { self.snapshot = snapshot }

    public var reloads: Int { snapshot.master.reloads }
    public var failedReloads: Int { snapshot.master.failedReloads }
    public var recycles: Int { snapshot.master.recycles }
    public var forcedKills: Int { snapshot.master.forcedKills }
    public var respawns: Int { snapshot.master.respawns }
    public var configuredWorkers: Int { snapshot.master.workersConfigured }
    public var workers: [Worker] { snapshot.workers }

    public var generation: Int { workers.map(\.generation).max() ?? 0 }
    public var readyWorkers: [Worker] { workers.filter { $0.state == "ready" } }
    /// Reloads finished either way: rolled in, refused or aborted.
    public var reloadsEnded: Int { reloads + failedReloads }

    public static func fetch(port: UInt16) -> ReferenceStats? {
        guard let response = try? HTTPGet.fetch(.loopback(port), path: "/", timeout: 2),
              response.status == 200 else { return nil }
        return parse(response.body)
    }

    public static func parse(_ body: [UInt8]) -> ReferenceStats? {
        (try? StatsSnapshot(json: body)).map(ReferenceStats.init(snapshot:))
    }

    /// Polls until `condition` holds (every 20 ms, up to `timeout` s); returns the last snapshot and whether it held.
    public static func waitFor(port: UInt16, timeout: Double, _ condition: (ReferenceStats) -> Bool) -> (ReferenceStats?, Bool) {
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        var last: ReferenceStats?
        while MonotonicClock.now() < deadline {
            if let stats = fetch(port: port) {
                last = stats
                if condition(stats) { return (stats, true) }
            }
            usleep(20_000)
        }
        return (last, false)
    }
}
