import CathammerContract
import Foundation

/// The per-worker table `cathammer top` prints, from two successive stats snapshots (rates need two).
public struct TopTable {
    public struct Snapshot {
        public var stats: StatsSnapshot
        public var takenAt: Date

        /// Decodes the JSON the master serves at `/`.
        public init(json: [UInt8], takenAt: Date = Date()) throws {
            stats = try StatsSnapshot(json: json)
            self.takenAt = takenAt
        }
    }

    public static let columns = ["id", "pid", "gen", "state", "requests", "req/s", "conns", "busy_ms", "accepts",
                                 "eagain", "wakeups", "vcsw", "rss_MiB", "respawns", "h2conns", "h2open", "h2bad", "floods"]

    /// The HTTP/2 flood counters, named as the stats JSON names them.
    nonisolated(unsafe) static let floods: [(name: String, counter: KeyPath<StatsSnapshot.WorkerRow, Int>)] = [
        ("rapid_resets", \.h2RapidResets), ("continuation", \.h2ContinuationFloods), ("hpack_bombs", \.h2HpackBombs),
        ("settings", \.h2SettingsFloods), ("ping", \.h2PingFloods), ("empty_frames", \.h2EmptyFrameFloods),
        ("window_update", \.h2WindowUpdateFloods), ("priority", \.h2PriorityFloods), ("slow_reads", \.h2SlowReads),
        ("settings_timeouts", \.h2SettingsTimeouts), ("stream_limits", \.h2StreamLimits),
    ]

    public static func render(_ current: Snapshot, previous: Snapshot?, source: String) -> String {
        let master = current.stats.master
        var lines = ["cathammer top — \(source) — master \(master.pid), \(master.workersConfigured) workers, "
            + "listen queue \(master.listenQueue)/\(master.listenBacklog), reloads \(master.reloads), "
            + "forced kills \(master.forcedKills), respawns \(master.respawns), up \(master.uptimeSeconds) s"]
        var rows = [columns]
        for worker in current.stats.workers {
            var rate = "-"
            if let previous, let before = previous.stats.workers.first(where: { $0.id == worker.id }), before.pid == worker.pid {
                let seconds = current.takenAt.timeIntervalSince(previous.takenAt)
                if seconds > 0 { rate = String(format: "%.1f", Double(worker.requests - before.requests) / seconds) }
            }
            rows.append([
                String(worker.id), String(worker.pid), String(worker.generation), worker.state,
                String(worker.requests), rate, String(worker.connections), String(worker.busyMilliseconds),
                String(worker.accepts), String(worker.eagainAccepts), String(worker.epollWakeups),
                String(worker.voluntaryContextSwitches),
                String(format: "%.1f", Double(worker.rssBytes) / 1_048_576), String(worker.respawns),
                String(worker.h2Connections), String(worker.h2OpenStreams), String(worker.h2MalformedRequests),
                String(floods.reduce(0) { $0 + worker[keyPath: $1.counter] }),
            ])
        }
        // Which floods, for the workers that met any.
        let floodLines = current.stats.workers.compactMap { worker -> String? in
            let named = floods.filter { worker[keyPath: $0.counter] > 0 }.map { "\($0.name) \(worker[keyPath: $0.counter])" }
            return named.isEmpty ? nil : "worker \(worker.id) HTTP/2 floods: " + named.joined(separator: ", ")
        }
        lines += aligned(rows, leftAligned: 3)
        lines += floodLines
        if master.listeners.contains("https://") {
            lines.append("")
            lines.append("TLS — refusals by reason, alerts and renegotiations from clients, static files by path")
            var tls = [tlsColumns]
            for worker in current.stats.workers {
                tls.append([
                    String(worker.id), String(worker.pid), String(worker.tlsHandshakes), String(worker.tlsResumed),
                    String(worker.tlsHandshakeTimeouts), String(worker.tlsGarbage), String(worker.tlsPlainHTTP),
                    String(worker.tlsHandshakeFailures), String(worker.tlsALPNRefused), String(worker.tlsAlertsReceived),
                    String(worker.tlsRenegotiationsRefused), String(worker.tlsFilesKTLS), String(worker.tlsFilesBuffered),
                ])
            }
            lines += aligned(tls, leftAligned: nil)
            lines.append("ticket key rotations \(master.ticketKeyRotations)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static let tlsColumns = ["id", "pid", "handshakes", "resumed", "timeouts", "garbage", "plain_http", "failed",
                                    "alpn", "alerts", "reneg", "files_ktls", "files_buffered"]

    /// Columns padded to their widest cell; numbers right-aligned, the `leftAligned` column (text) left.
    private static func aligned(_ rows: [[String]], leftAligned: Int?) -> [String] {
        guard let header = rows.first else { return [] }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == leftAligned ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }
}
