import Foundation

/// The per-worker table `cathammer top` prints, from two successive stats snapshots (rates need two).
public struct TopTable {
    public struct Snapshot {
        public var master: [String: Any]
        public var workers: [[String: Any]]
        public var takenAt: Date

        /// Decodes the JSON the master serves at `/`.
        public init(json: [UInt8], takenAt: Date = Date()) throws {
            guard let object = try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
                  let master = object["master"] as? [String: Any], let workers = object["workers"] as? [[String: Any]]
            else { throw CocoaError(.coderReadCorrupt) }
            self.master = master
            self.workers = workers
            self.takenAt = takenAt
        }
    }

    public static let columns = ["id", "pid", "gen", "state", "requests", "req/s", "conns", "busy_ms", "accepts",
                                 "eagain", "wakeups", "vcsw", "rss_MiB", "respawns"]

    public static func render(_ current: Snapshot, previous: Snapshot?, source: String) -> String {
        func int(_ dictionary: [String: Any], _ key: String) -> Int { dictionary[key] as? Int ?? 0 }
        let master = current.master
        var lines = ["cathammer top — \(source) — master \(int(master, "pid")), \(int(master, "workers_configured")) workers, "
            + "listen queue \(int(master, "listen_queue"))/\(int(master, "listen_backlog")), reloads \(int(master, "reloads")), "
            + "forced kills \(int(master, "forced_kills")), respawns \(int(master, "respawns")), up \(int(master, "uptime_seconds")) s"]
        var rows = [columns]
        for worker in current.workers {
            let id = int(worker, "id")
            var rate = "-"
            if let previous, let before = previous.workers.first(where: { int($0, "id") == id }),
               int(before, "pid") == int(worker, "pid") {
                let seconds = current.takenAt.timeIntervalSince(previous.takenAt)
                if seconds > 0 { rate = String(format: "%.1f", Double(int(worker, "requests") - int(before, "requests")) / seconds) }
            }
            rows.append([
                String(id), String(int(worker, "pid")), String(int(worker, "generation")), worker["state"] as? String ?? "?",
                String(int(worker, "requests")), rate, String(int(worker, "connections")), String(int(worker, "busy_ms")),
                String(int(worker, "accepts")), String(int(worker, "eagain_accepts")), String(int(worker, "epoll_wakeups")),
                String(int(worker, "voluntary_context_switches")),
                String(format: "%.1f", Double(int(worker, "rss_bytes")) / 1_048_576), String(int(worker, "respawns")),
            ])
        }
        let widths = columns.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 3 ? cell + pad : pad + cell
            }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
