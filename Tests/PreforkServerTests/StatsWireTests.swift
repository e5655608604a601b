import CathammerContract
import XCTest
@testable import PreforkServer

/// The stats endpoint's bytes for a fixed snapshot: `cathammer top`, reload-check and dashboards
/// read them, so the master's scoreboard must keep mapping onto the same keys, values and order.
final class StatsWireTests: XCTestCase {
    /// Every scoreboard field with its own value, so a field mapped onto the wrong key shows.
    private func fixedSnapshot() -> StatsSnapshot {
        func row(base: Int, state: WorkerState, busy: Int) -> StatsSnapshot.WorkerRow {
            var values: [Scoreboard.Field: Int] = [:]
            for field in Scoreboard.Field.allCases { values[field] = base + field.rawValue }
            return StatsSnapshot.WorkerRow(values: values, state: state, busyMilliseconds: busy)
        }
        return StatsSnapshot(
            masterPID: 4242, listen: "[::1]:8000", listeners: "http://[::1]:8000 https://[::1]:8443", configuredWorkers: 2,
            listenQueue: 3, listenBacklog: 1024, reloads: 5, failedReloads: 1, recycles: 7, harakiriKills: 2, forcedKills: 4,
            respawns: 6, ticketKeyRotations: 8, uptimeSeconds: 99.9, workers: [row(base: 100, state: .ready, busy: 12), row(base: 200, state: .retiring, busy: 0)])
    }

    func testJSONIsWhatTheMasterServedBefore() {
        // Captured from the hand-built JSON the master served before the contract module existed;
        // the listeners and the TLS counters follow the keys that were there.
        let expected = #"{"master":{"pid":4242,"listen":"[::1]:8000","workers_configured":2,"listen_queue":3,"listen_backlog":1024,"reloads":5,"failed_reloads":1,"recycles":7,"harakiri_kills":2,"forced_kills":4,"respawns":6,"uptime_seconds":99,"listeners":"http://[::1]:8000 https://[::1]:8443","tls_ticket_rotations":8},"workers":[{"state":"ready","busy_ms":12,"pid":100,"generation":101,"requests":103,"connections":105,"epoll_wakeups":106,"listener_wakeups":107,"accepts":108,"eagain_accepts":109,"rejections":110,"voluntary_context_switches":111,"rss_bytes":112,"respawns":114,"id":115,"accept_lock_contended":116,"accept_pauses":117,"tls_handshakes":118,"tls_resumed":119,"tls_handshake_timeouts":120,"tls_garbage":121,"tls_plain_http":122,"tls_handshake_failures":123,"tls_alpn_refused":124,"tls_alerts_received":125,"tls_renegotiations_refused":126,"tls_files_ktls":127,"tls_files_buffered":128},{"state":"retiring","busy_ms":0,"pid":200,"generation":201,"requests":203,"connections":205,"epoll_wakeups":206,"listener_wakeups":207,"accepts":208,"eagain_accepts":209,"rejections":210,"voluntary_context_switches":211,"rss_bytes":212,"respawns":214,"id":215,"accept_lock_contended":216,"accept_pauses":217,"tls_handshakes":218,"tls_resumed":219,"tls_handshake_timeouts":220,"tls_garbage":221,"tls_plain_http":222,"tls_handshake_failures":223,"tls_alpn_refused":224,"tls_alerts_received":225,"tls_renegotiations_refused":226,"tls_files_ktls":227,"tls_files_buffered":228}]}"# + "\n"
        XCTAssertEqual(fixedSnapshot().jsonText, expected)
    }

    func testEveryScoreboardCounterHasItsOwnKey() {
        let counters = Scoreboard.Field.allCases.compactMap(StatsSnapshot.WorkerRow.counter)
        XCTAssertEqual(counters.count, Scoreboard.Field.allCases.count - 3, "all but state, busy_since and started_at")
        XCTAssertEqual(Set(counters).count, counters.count, "no two fields on one key")
    }

    func testPrometheusTextIsWhatTheMasterServedBefore() {
        let expected = """
            # HELP cathammer_listen_queue_length Connections waiting in the listener's accept queue.
            # TYPE cathammer_listen_queue_length gauge
            cathammer_listen_queue_length 3
            # HELP cathammer_listen_backlog The listener's accept queue limit.
            # TYPE cathammer_listen_backlog gauge
            cathammer_listen_backlog 1024
            # HELP cathammer_reloads_total Rolling reloads completed.
            # TYPE cathammer_reloads_total counter
            cathammer_reloads_total 5
            # HELP cathammer_forced_kills_total Workers killed because they did not stop in time.
            # TYPE cathammer_forced_kills_total counter
            cathammer_forced_kills_total 4
            # HELP cathammer_failed_reloads_total Reloads refused or aborted (the old generation kept serving).
            # TYPE cathammer_failed_reloads_total counter
            cathammer_failed_reloads_total 1
            # HELP cathammer_recycles_total Workers replaced for max-requests, lifetime or memory.
            # TYPE cathammer_recycles_total counter
            cathammer_recycles_total 7
            # HELP cathammer_harakiri_kills_total Workers killed for a request longer than --harakiri.
            # TYPE cathammer_harakiri_kills_total counter
            cathammer_harakiri_kills_total 2
            # HELP cathammer_respawns_total Workers replaced after an unexpected exit.
            # TYPE cathammer_respawns_total counter
            cathammer_respawns_total 6
            # HELP cathammer_workers_configured Worker processes the master keeps.
            # TYPE cathammer_workers_configured gauge
            cathammer_workers_configured 2
            # HELP cathammer_tls_ticket_rotations_total Session-ticket keys replaced on schedule.
            # TYPE cathammer_tls_ticket_rotations_total counter
            cathammer_tls_ticket_rotations_total 8
            # HELP cathammer_worker_requests_total Requests answered.
            # TYPE cathammer_worker_requests_total counter
            cathammer_worker_requests_total{worker="115",pid="100",generation="101"} 103
            cathammer_worker_requests_total{worker="215",pid="200",generation="201"} 203
            # HELP cathammer_worker_connections Open client connections.
            # TYPE cathammer_worker_connections gauge
            cathammer_worker_connections{worker="115",pid="100",generation="101"} 105
            cathammer_worker_connections{worker="215",pid="200",generation="201"} 205
            # HELP cathammer_worker_epoll_wakeups_total Returns from epoll_wait.
            # TYPE cathammer_worker_epoll_wakeups_total counter
            cathammer_worker_epoll_wakeups_total{worker="115",pid="100",generation="101"} 106
            cathammer_worker_epoll_wakeups_total{worker="215",pid="200",generation="201"} 206
            # HELP cathammer_worker_listener_wakeups_total Wakeups with the listener ready.
            # TYPE cathammer_worker_listener_wakeups_total counter
            cathammer_worker_listener_wakeups_total{worker="115",pid="100",generation="101"} 107
            cathammer_worker_listener_wakeups_total{worker="215",pid="200",generation="201"} 207
            # HELP cathammer_worker_accepts_total Connections accepted.
            # TYPE cathammer_worker_accepts_total counter
            cathammer_worker_accepts_total{worker="115",pid="100",generation="101"} 108
            cathammer_worker_accepts_total{worker="215",pid="200",generation="201"} 208
            # HELP cathammer_worker_eagain_accepts_total accept() calls that found nothing.
            # TYPE cathammer_worker_eagain_accepts_total counter
            cathammer_worker_eagain_accepts_total{worker="115",pid="100",generation="101"} 109
            cathammer_worker_eagain_accepts_total{worker="215",pid="200",generation="201"} 209
            # HELP cathammer_worker_accept_pauses_total Pauses of accept() for want of descriptors.
            # TYPE cathammer_worker_accept_pauses_total counter
            cathammer_worker_accept_pauses_total{worker="115",pid="100",generation="101"} 117
            cathammer_worker_accept_pauses_total{worker="215",pid="200",generation="201"} 217
            # HELP cathammer_worker_rejections_total Requests refused by the strict parser.
            # TYPE cathammer_worker_rejections_total counter
            cathammer_worker_rejections_total{worker="115",pid="100",generation="101"} 110
            cathammer_worker_rejections_total{worker="215",pid="200",generation="201"} 210
            # HELP cathammer_worker_voluntary_context_switches_total Voluntary context switches (sleeps).
            # TYPE cathammer_worker_voluntary_context_switches_total counter
            cathammer_worker_voluntary_context_switches_total{worker="115",pid="100",generation="101"} 111
            cathammer_worker_voluntary_context_switches_total{worker="215",pid="200",generation="201"} 211
            # HELP cathammer_worker_rss_bytes Resident memory.
            # TYPE cathammer_worker_rss_bytes gauge
            cathammer_worker_rss_bytes{worker="115",pid="100",generation="101"} 112
            cathammer_worker_rss_bytes{worker="215",pid="200",generation="201"} 212
            # HELP cathammer_worker_busy_milliseconds Age of the request in progress (0 when idle).
            # TYPE cathammer_worker_busy_milliseconds gauge
            cathammer_worker_busy_milliseconds{worker="115",pid="100",generation="101"} 12
            cathammer_worker_busy_milliseconds{worker="215",pid="200",generation="201"} 0
            # HELP cathammer_worker_respawns_total Replacements of this slot's worker.
            # TYPE cathammer_worker_respawns_total counter
            cathammer_worker_respawns_total{worker="115",pid="100",generation="101"} 114
            cathammer_worker_respawns_total{worker="215",pid="200",generation="201"} 214
            # HELP cathammer_worker_tls_handshakes_total TLS handshakes completed.
            # TYPE cathammer_worker_tls_handshakes_total counter
            cathammer_worker_tls_handshakes_total{worker="115",pid="100",generation="101"} 118
            cathammer_worker_tls_handshakes_total{worker="215",pid="200",generation="201"} 218
            # HELP cathammer_worker_tls_resumed_total TLS handshakes that resumed a session from a ticket.
            # TYPE cathammer_worker_tls_resumed_total counter
            cathammer_worker_tls_resumed_total{worker="115",pid="100",generation="101"} 119
            cathammer_worker_tls_resumed_total{worker="215",pid="200",generation="201"} 219
            # HELP cathammer_worker_tls_refusals_total Connections on an HTTPS port ended before their session, by reason.
            # TYPE cathammer_worker_tls_refusals_total counter
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="handshake_timeout"} 120
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="garbage"} 121
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="plain_http"} 122
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="handshake_failed"} 123
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="alpn_refused"} 124
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="handshake_timeout"} 220
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="garbage"} 221
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="plain_http"} 222
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="handshake_failed"} 223
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="alpn_refused"} 224
            # HELP cathammer_worker_tls_alerts_received_total TLS alerts (not close_notify) received from clients.
            # TYPE cathammer_worker_tls_alerts_received_total counter
            cathammer_worker_tls_alerts_received_total{worker="115",pid="100",generation="101"} 125
            cathammer_worker_tls_alerts_received_total{worker="215",pid="200",generation="201"} 225
            # HELP cathammer_worker_tls_renegotiations_refused_total TLS 1.2 client renegotiations refused.
            # TYPE cathammer_worker_tls_renegotiations_refused_total counter
            cathammer_worker_tls_renegotiations_refused_total{worker="115",pid="100",generation="101"} 126
            cathammer_worker_tls_renegotiations_refused_total{worker="215",pid="200",generation="201"} 226
            # HELP cathammer_worker_tls_files_total Static files sent over TLS, by path: ktls (SSL_sendfile) or buffered (read + SSL_write).
            # TYPE cathammer_worker_tls_files_total counter
            cathammer_worker_tls_files_total{worker="115",pid="100",generation="101",path="ktls"} 127
            cathammer_worker_tls_files_total{worker="115",pid="100",generation="101",path="buffered"} 128
            cathammer_worker_tls_files_total{worker="215",pid="200",generation="201",path="ktls"} 227
            cathammer_worker_tls_files_total{worker="215",pid="200",generation="201",path="buffered"} 228

            """
        XCTAssertEqual(fixedSnapshot().prometheus(), expected)
    }
}
