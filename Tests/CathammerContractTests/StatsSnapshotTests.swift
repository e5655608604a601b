import Foundation
import XCTest
@testable import CathammerContract

final class StatsSnapshotTests: XCTestCase {
    private func fixed() -> StatsSnapshot {
        var master = StatsSnapshot.Master()
        master.pid = 3045
        master.listen = "127.0.0.1:18731"
        master.workersConfigured = 2
        master.listenBacklog = 1024
        master.reloads = 1
        master.uptimeSeconds = 3
        let first = StatsSnapshot.WorkerRow(state: "ready", busyMilliseconds: 7, pid: 3048, generation: 1, requests: 2,
                                            epollWakeups: 6, listenerWakeups: 2, accepts: 2, eagainAccepts: 2,
                                            voluntaryContextSwitches: 5, rssBytes: 33_972_224, id: 1)
        var second = StatsSnapshot.WorkerRow(state: "retiring", pid: 3049, generation: 1, connections: 4, rejections: 9,
                                             voluntaryContextSwitches: 1, rssBytes: 29_974_528, respawns: 3, id: 2,
                                             acceptLockContended: 8, acceptPauses: 11)
        second.h2Connections = 2
        second.h2RapidResets = 5
        return StatsSnapshot(master: master, workers: [first, second])
    }

    /// The keys and their order as the master has always served them (not sorted: people diff
    /// two snapshots by eye), every counter including `accept_pauses` and the HTTP/2 ones after it.
    func testExactJSONText() {
        let expected = #"{"master":{"pid":3045,"listen":"127.0.0.1:18731","workers_configured":2,"listen_queue":0,"listen_backlog":1024,"reloads":1,"failed_reloads":0,"recycles":0,"harakiri_kills":0,"forced_kills":0,"respawns":0,"uptime_seconds":3,"listeners":"","tls_ticket_rotations":0,"h2_max_streams_per_connection":0},"workers":[{"state":"ready","busy_ms":7,"pid":3048,"generation":1,"requests":2,"connections":0,"epoll_wakeups":6,"listener_wakeups":2,"accepts":2,"eagain_accepts":2,"rejections":0,"voluntary_context_switches":5,"rss_bytes":33972224,"respawns":0,"id":1,"accept_lock_contended":0,"accept_pauses":0,"h2_connections":0,"h2_open_streams":0,"h2_streams":0,"h2_malformed_requests":0,"h2_connection_errors":0,"h2_rapid_resets":0,"h2_continuation_floods":0,"h2_hpack_bombs":0,"h2_settings_floods":0,"h2_ping_floods":0,"h2_empty_frame_floods":0,"h2_window_update_floods":0,"h2_priority_floods":0,"h2_slow_reads":0,"h2_settings_timeouts":0,"h2_stream_limits":0,"tls_handshakes":0,"tls_resumed":0,"tls_handshake_timeouts":0,"tls_garbage":0,"tls_plain_http":0,"tls_handshake_failures":0,"tls_alpn_refused":0,"tls_alerts_received":0,"tls_renegotiations_refused":0,"tls_files_ktls":0,"tls_files_buffered":0},{"state":"retiring","busy_ms":0,"pid":3049,"generation":1,"requests":0,"connections":4,"epoll_wakeups":0,"listener_wakeups":0,"accepts":0,"eagain_accepts":0,"rejections":9,"voluntary_context_switches":1,"rss_bytes":29974528,"respawns":3,"id":2,"accept_lock_contended":8,"accept_pauses":11,"h2_connections":2,"h2_open_streams":0,"h2_streams":0,"h2_malformed_requests":0,"h2_connection_errors":0,"h2_rapid_resets":5,"h2_continuation_floods":0,"h2_hpack_bombs":0,"h2_settings_floods":0,"h2_ping_floods":0,"h2_empty_frame_floods":0,"h2_window_update_floods":0,"h2_priority_floods":0,"h2_slow_reads":0,"h2_settings_timeouts":0,"h2_stream_limits":0,"tls_handshakes":0,"tls_resumed":0,"tls_handshake_timeouts":0,"tls_garbage":0,"tls_plain_http":0,"tls_handshake_failures":0,"tls_alpn_refused":0,"tls_alerts_received":0,"tls_renegotiations_refused":0,"tls_files_ktls":0,"tls_files_buffered":0}]}"#
        XCTAssertEqual(fixed().jsonText, expected + "\n")
    }

    func testEncodeDecodeRoundTrip() throws {
        let snapshot = fixed()
        XCTAssertEqual(try StatsSnapshot(json: Array(snapshot.jsonText.utf8)), snapshot)
        let encoded = try JSONEncoder().encode(snapshot)
        XCTAssertEqual(try JSONDecoder().decode(StatsSnapshot.self, from: encoded), snapshot)
        // Sorted, the Codable keys are the served keys: one list of keys behind both writers.
        let sorted = JSONEncoder()
        sorted.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let viaEncoder = try JSONSerialization.jsonObject(with: try sorted.encode(snapshot)) as? NSDictionary
        let viaText = try JSONSerialization.jsonObject(with: Data(snapshot.jsonText.utf8)) as? NSDictionary
        XCTAssertEqual(viaEncoder, viaText)
    }

    /// A sample the master served before this type existed decodes and re-encodes to the same bytes,
    /// with the HTTP/2 and TLS counters and the listeners it did not have as zeros (and empty).
    func testServedSampleSurvivesARoundTrip() throws {
        let served = #"{"master":{"pid":3045,"listen":"127.0.0.1:18731","workers_configured":2,"listen_queue":0,"listen_backlog":1024,"reloads":0,"failed_reloads":0,"recycles":0,"harakiri_kills":0,"forced_kills":0,"respawns":0,"uptime_seconds":3},"workers":[{"state":"ready","busy_ms":0,"pid":3048,"generation":1,"requests":2,"connections":0,"epoll_wakeups":6,"listener_wakeups":2,"accepts":2,"eagain_accepts":2,"rejections":0,"voluntary_context_switches":5,"rss_bytes":33972224,"respawns":0,"id":1,"accept_lock_contended":0,"accept_pauses":0},{"state":"ready","busy_ms":0,"pid":3049,"generation":1,"requests":0,"connections":0,"epoll_wakeups":0,"listener_wakeups":0,"accepts":0,"eagain_accepts":0,"rejections":0,"voluntary_context_switches":1,"rss_bytes":29974528,"respawns":0,"id":2,"accept_lock_contended":0,"accept_pauses":0}]}"# + "\n"
        let h2Zeros = #","h2_connections":0,"h2_open_streams":0,"h2_streams":0,"h2_malformed_requests":0,"h2_connection_errors":0,"h2_rapid_resets":0,"h2_continuation_floods":0,"h2_hpack_bombs":0,"h2_settings_floods":0,"h2_ping_floods":0,"h2_empty_frame_floods":0,"h2_window_update_floods":0,"h2_priority_floods":0,"h2_slow_reads":0,"h2_settings_timeouts":0,"h2_stream_limits":0"#
        let tlsZeros = #","tls_handshakes":0,"tls_resumed":0,"tls_handshake_timeouts":0,"tls_garbage":0,"tls_plain_http":0,"tls_handshake_failures":0,"tls_alpn_refused":0,"tls_alerts_received":0,"tls_renegotiations_refused":0,"tls_files_ktls":0,"tls_files_buffered":0"#
        XCTAssertEqual(try StatsSnapshot(json: Array(served.utf8)).jsonText,
                       served.replacingOccurrences(of: #""uptime_seconds":3}"#, with: #""uptime_seconds":3,"listeners":"","tls_ticket_rotations":0,"h2_max_streams_per_connection":0}"#)
                           .replacingOccurrences(of: #""accept_pauses":0}"#, with: #""accept_pauses":0"# + h2Zeros + tlsZeros + "}"))
    }

    /// A server a counter older (no `accept_pauses`) or with books this build does not know.
    func testMissingAndUnknownKeys() throws {
        let older = #"{"master":{"reloads":3,"shiny_new":1},"workers":[{"pid":11,"state":"ready"}]}"#
        let snapshot = try StatsSnapshot(json: Array(older.utf8))
        XCTAssertEqual(snapshot.master.reloads, 3)
        XCTAssertEqual(snapshot.master.listen, "")
        XCTAssertEqual(snapshot.workers, [StatsSnapshot.WorkerRow(state: "ready", pid: 11)])
        XCTAssertEqual(try StatsSnapshot(json: Array(#"{"master":{}}"#.utf8)).workers, [])
        XCTAssertThrowsError(try StatsSnapshot(json: Array(#"{"workers":[]}"#.utf8)), "no master, no snapshot")
        XCTAssertThrowsError(try StatsSnapshot(json: Array("not json".utf8)))
        XCTAssertThrowsError(try StatsSnapshot(json: Array(#"{"master":{"pid":"one"}}"#.utf8)), "a counter that is not a number")
    }

    func testStringsAreEscapedAsJSONEncoderDoes() throws {
        var master = StatsSnapshot.Master()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for scalar in (0..<0x80).compactMap(Unicode.Scalar.init) + ["é", "🐈", "\u{2028}"] {
            master.listen = "a\(scalar)b"
            let ours = JSONText.quoted(master.listen)
            XCTAssertEqual(ours, String(decoding: try encoder.encode(master.listen), as: UTF8.self), "U+\(String(scalar.value, radix: 16))")
            XCTAssertEqual(try StatsSnapshot(json: Array(StatsSnapshot(master: master, workers: []).jsonText.utf8)).master.listen,
                           master.listen)
        }
    }
}
