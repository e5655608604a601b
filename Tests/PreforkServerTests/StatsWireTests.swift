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
            respawns: 6, ticketKeyRotations: 8, h2MaxStreamsPerConnection: 10_000, uptimeSeconds: 99.9, workers: [row(base: 100, state: .ready, busy: 12), row(base: 200, state: .retiring, busy: 0)])
    }

    func testJSONIsWhatTheMasterServedBefore() {
        // Captured from the hand-built JSON the master served before the contract module existed;
        // the listeners and the TLS counters follow the keys that were there.
        let expected = #"{"master":{"pid":4242,"listen":"[::1]:8000","workers_configured":2,"listen_queue":3,"listen_backlog":1024,"reloads":5,"failed_reloads":1,"recycles":7,"harakiri_kills":2,"forced_kills":4,"respawns":6,"uptime_seconds":99,"listeners":"http://[::1]:8000 https://[::1]:8443","tls_ticket_rotations":8,"h2_max_streams_per_connection":10000},"workers":[{"state":"ready","busy_ms":12,"pid":100,"generation":101,"requests":103,"connections":105,"epoll_wakeups":106,"listener_wakeups":107,"accepts":108,"eagain_accepts":109,"rejections":110,"voluntary_context_switches":111,"rss_bytes":112,"respawns":114,"id":115,"accept_lock_contended":116,"accept_pauses":117,"h2_connections":118,"h2_open_streams":119,"h2_streams":120,"h2_malformed_requests":121,"h2_connection_errors":122,"h2_rapid_resets":123,"h2_continuation_floods":124,"h2_hpack_bombs":125,"h2_settings_floods":126,"h2_ping_floods":127,"h2_empty_frame_floods":128,"h2_window_update_floods":129,"h2_priority_floods":130,"h2_slow_reads":131,"h2_settings_timeouts":132,"h2_stream_limits":133,"tls_handshakes":134,"tls_resumed":135,"tls_handshake_timeouts":136,"tls_garbage":137,"tls_plain_http":138,"tls_handshake_failures":139,"tls_alpn_refused":140,"tls_alerts_received":141,"tls_renegotiations_refused":142,"tls_files_ktls":143,"tls_files_buffered":144},{"state":"retiring","busy_ms":0,"pid":200,"generation":201,"requests":203,"connections":205,"epoll_wakeups":206,"listener_wakeups":207,"accepts":208,"eagain_accepts":209,"rejections":210,"voluntary_context_switches":211,"rss_bytes":212,"respawns":214,"id":215,"accept_lock_contended":216,"accept_pauses":217,"h2_connections":218,"h2_open_streams":219,"h2_streams":220,"h2_malformed_requests":221,"h2_connection_errors":222,"h2_rapid_resets":223,"h2_continuation_floods":224,"h2_hpack_bombs":225,"h2_settings_floods":226,"h2_ping_floods":227,"h2_empty_frame_floods":228,"h2_window_update_floods":229,"h2_priority_floods":230,"h2_slow_reads":231,"h2_settings_timeouts":232,"h2_stream_limits":233,"tls_handshakes":234,"tls_resumed":235,"tls_handshake_timeouts":236,"tls_garbage":237,"tls_plain_http":238,"tls_handshake_failures":239,"tls_alpn_refused":240,"tls_alerts_received":241,"tls_renegotiations_refused":242,"tls_files_ktls":243,"tls_files_buffered":244}]}"# + "\n"
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
            # HELP cathammer_h2_max_streams_per_connection Streams one HTTP/2 connection may open before its GOAWAY (0: HTTP/2 off).
            # TYPE cathammer_h2_max_streams_per_connection gauge
            cathammer_h2_max_streams_per_connection 10000
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
            # HELP cathammer_worker_h2_connections Open HTTP/2 connections.
            # TYPE cathammer_worker_h2_connections gauge
            cathammer_worker_h2_connections{worker="115",pid="100",generation="101"} 118
            cathammer_worker_h2_connections{worker="215",pid="200",generation="201"} 218
            # HELP cathammer_worker_h2_open_streams HTTP/2 streams in progress.
            # TYPE cathammer_worker_h2_open_streams gauge
            cathammer_worker_h2_open_streams{worker="115",pid="100",generation="101"} 119
            cathammer_worker_h2_open_streams{worker="215",pid="200",generation="201"} 219
            # HELP cathammer_worker_h2_streams_total HTTP/2 streams opened.
            # TYPE cathammer_worker_h2_streams_total counter
            cathammer_worker_h2_streams_total{worker="115",pid="100",generation="101"} 120
            cathammer_worker_h2_streams_total{worker="215",pid="200",generation="201"} 220
            # HELP cathammer_worker_h2_malformed_requests_total Requests reset with PROTOCOL_ERROR as malformed (RFC 9113 §8.1.1).
            # TYPE cathammer_worker_h2_malformed_requests_total counter
            cathammer_worker_h2_malformed_requests_total{worker="115",pid="100",generation="101"} 121
            cathammer_worker_h2_malformed_requests_total{worker="215",pid="200",generation="201"} 221
            # HELP cathammer_worker_h2_connection_errors_total Connections ended with GOAWAY and an error code.
            # TYPE cathammer_worker_h2_connection_errors_total counter
            cathammer_worker_h2_connection_errors_total{worker="115",pid="100",generation="101"} 122
            cathammer_worker_h2_connection_errors_total{worker="215",pid="200",generation="201"} 222
            # HELP cathammer_worker_h2_rapid_resets_total Connections ended for resetting streams faster than they are served (CVE-2023-44487).
            # TYPE cathammer_worker_h2_rapid_resets_total counter
            cathammer_worker_h2_rapid_resets_total{worker="115",pid="100",generation="101"} 123
            cathammer_worker_h2_rapid_resets_total{worker="215",pid="200",generation="201"} 223
            # HELP cathammer_worker_h2_continuation_floods_total Field blocks refused for size, CONTINUATION count or slowness.
            # TYPE cathammer_worker_h2_continuation_floods_total counter
            cathammer_worker_h2_continuation_floods_total{worker="115",pid="100",generation="101"} 124
            cathammer_worker_h2_continuation_floods_total{worker="215",pid="200",generation="201"} 224
            # HELP cathammer_worker_h2_hpack_bombs_total Field blocks refused for their decoded size (431).
            # TYPE cathammer_worker_h2_hpack_bombs_total counter
            cathammer_worker_h2_hpack_bombs_total{worker="115",pid="100",generation="101"} 125
            cathammer_worker_h2_hpack_bombs_total{worker="215",pid="200",generation="201"} 225
            # HELP cathammer_worker_h2_settings_floods_total Connections ended for a SETTINGS flood.
            # TYPE cathammer_worker_h2_settings_floods_total counter
            cathammer_worker_h2_settings_floods_total{worker="115",pid="100",generation="101"} 126
            cathammer_worker_h2_settings_floods_total{worker="215",pid="200",generation="201"} 226
            # HELP cathammer_worker_h2_ping_floods_total Connections ended for a PING flood.
            # TYPE cathammer_worker_h2_ping_floods_total counter
            cathammer_worker_h2_ping_floods_total{worker="115",pid="100",generation="101"} 127
            cathammer_worker_h2_ping_floods_total{worker="215",pid="200",generation="201"} 227
            # HELP cathammer_worker_h2_empty_frame_floods_total Connections ended for empty DATA, empty field blocks or unknown frames.
            # TYPE cathammer_worker_h2_empty_frame_floods_total counter
            cathammer_worker_h2_empty_frame_floods_total{worker="115",pid="100",generation="101"} 128
            cathammer_worker_h2_empty_frame_floods_total{worker="215",pid="200",generation="201"} 228
            # HELP cathammer_worker_h2_window_update_floods_total Connections ended for a WINDOW_UPDATE flood.
            # TYPE cathammer_worker_h2_window_update_floods_total counter
            cathammer_worker_h2_window_update_floods_total{worker="115",pid="100",generation="101"} 129
            cathammer_worker_h2_window_update_floods_total{worker="215",pid="200",generation="201"} 229
            # HELP cathammer_worker_h2_priority_floods_total Connections ended for a PRIORITY flood.
            # TYPE cathammer_worker_h2_priority_floods_total counter
            cathammer_worker_h2_priority_floods_total{worker="115",pid="100",generation="101"} 130
            cathammer_worker_h2_priority_floods_total{worker="215",pid="200",generation="201"} 230
            # HELP cathammer_worker_h2_slow_reads_total Connections ended because the peer stopped reading.
            # TYPE cathammer_worker_h2_slow_reads_total counter
            cathammer_worker_h2_slow_reads_total{worker="115",pid="100",generation="101"} 131
            cathammer_worker_h2_slow_reads_total{worker="215",pid="200",generation="201"} 231
            # HELP cathammer_worker_h2_settings_timeouts_total Connections ended because our SETTINGS were never acknowledged.
            # TYPE cathammer_worker_h2_settings_timeouts_total counter
            cathammer_worker_h2_settings_timeouts_total{worker="115",pid="100",generation="101"} 132
            cathammer_worker_h2_settings_timeouts_total{worker="215",pid="200",generation="201"} 232
            # HELP cathammer_worker_h2_stream_limits_total Connections sent away after using up their streams.
            # TYPE cathammer_worker_h2_stream_limits_total counter
            cathammer_worker_h2_stream_limits_total{worker="115",pid="100",generation="101"} 133
            cathammer_worker_h2_stream_limits_total{worker="215",pid="200",generation="201"} 233
            # HELP cathammer_worker_tls_handshakes_total TLS handshakes completed.
            # TYPE cathammer_worker_tls_handshakes_total counter
            cathammer_worker_tls_handshakes_total{worker="115",pid="100",generation="101"} 134
            cathammer_worker_tls_handshakes_total{worker="215",pid="200",generation="201"} 234
            # HELP cathammer_worker_tls_resumed_total TLS handshakes that resumed a session from a ticket.
            # TYPE cathammer_worker_tls_resumed_total counter
            cathammer_worker_tls_resumed_total{worker="115",pid="100",generation="101"} 135
            cathammer_worker_tls_resumed_total{worker="215",pid="200",generation="201"} 235
            # HELP cathammer_worker_tls_refusals_total Connections on an HTTPS port ended before their session, by reason.
            # TYPE cathammer_worker_tls_refusals_total counter
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="handshake_timeout"} 136
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="garbage"} 137
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="plain_http"} 138
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="handshake_failed"} 139
            cathammer_worker_tls_refusals_total{worker="115",pid="100",generation="101",reason="alpn_refused"} 140
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="handshake_timeout"} 236
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="garbage"} 237
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="plain_http"} 238
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="handshake_failed"} 239
            cathammer_worker_tls_refusals_total{worker="215",pid="200",generation="201",reason="alpn_refused"} 240
            # HELP cathammer_worker_tls_alerts_received_total TLS alerts (not close_notify) received from clients.
            # TYPE cathammer_worker_tls_alerts_received_total counter
            cathammer_worker_tls_alerts_received_total{worker="115",pid="100",generation="101"} 141
            cathammer_worker_tls_alerts_received_total{worker="215",pid="200",generation="201"} 241
            # HELP cathammer_worker_tls_renegotiations_refused_total TLS 1.2 client renegotiations refused.
            # TYPE cathammer_worker_tls_renegotiations_refused_total counter
            cathammer_worker_tls_renegotiations_refused_total{worker="115",pid="100",generation="101"} 142
            cathammer_worker_tls_renegotiations_refused_total{worker="215",pid="200",generation="201"} 242
            # HELP cathammer_worker_tls_files_total Static files sent over TLS, by path: ktls (SSL_sendfile) or buffered (read + SSL_write).
            # TYPE cathammer_worker_tls_files_total counter
            cathammer_worker_tls_files_total{worker="115",pid="100",generation="101",path="ktls"} 143
            cathammer_worker_tls_files_total{worker="115",pid="100",generation="101",path="buffered"} 144
            cathammer_worker_tls_files_total{worker="215",pid="200",generation="201",path="ktls"} 243
            cathammer_worker_tls_files_total{worker="215",pid="200",generation="201",path="buffered"} 244

            """
        XCTAssertEqual(fixedSnapshot().prometheus(), expected)
    }
}
