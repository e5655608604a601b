import CathammerContract
import Foundation
import Glibc
import Hammer
import HTTP2Wire
import HTTPWire
import XCTest

/// End-to-end HTTP/2 with prior knowledge: curl (libcurl with nghttp2) for what a real client does,
/// h2peer.py for hand-made frames.
final class HTTP2Tests: XCTestCase {
    private func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try CathammerBinary.runTool("/usr/bin/curl", ["-s", "--http2-prior-knowledge", "--max-time", "20"] + arguments,
                                    capture: true)
    }

    func testCurlWithPriorKnowledgeGetsTheSameApplicationOverHTTP2() throws {
        let server = try ServerProcess(["-p", "2"])
        let base = "http://127.0.0.1:\(server.port)"
        let cat = try curl(["-w", "\n%{http_version} %{http_code}", "\(base)/cats/1"])
        XCTAssertEqual(cat.output, "{\"id\":1,\"name\":\"Tom\",\"color\":\"grey\",\"lives\":9}\n\n2 200")

        let echo = try curl(["-H", "X-First: 1", "-H", "x-second: two", "--data-binary", "hello", "\(base)/echo?q=1"])
        let view = try EchoView(json: Array(echo.output.utf8))
        XCTAssertEqual(view.version, "HTTP/2")
        XCTAssertEqual(view.method, "POST")
        XCTAssertEqual(view.target, "/echo?q=1")
        XCTAssertEqual(view.authority, "127.0.0.1:\(server.port)")
        XCTAssertEqual(view.pseudoHeaders?.map(\.name), [":method", ":path", ":scheme", ":authority"], "as decoded, in order")
        XCTAssertEqual(view.headers.map(\.name), ["user-agent", "accept", "x-first", "x-second", "content-length", "content-type"])
        XCTAssertEqual(view.headers[3].value, "two")
        XCTAssertEqual(view.bodyLength, 5)
        XCTAssertEqual(view.bodySHA256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(view.framing, "content-length")

        let head = try curl(["-I", "\(base)/cats/2"])
        XCTAssertTrue(head.output.hasPrefix("HTTP/2 200"), head.output)
        XCTAssertTrue(head.output.contains("content-length: 52"), "HEAD announces GET's length: \(head.output)")
        XCTAssertTrue(head.output.contains("x-worker: "), head.output)

        // Several streams on one connection, one of them answered late by a timer. nghttp multiplexes
        // (curl 7.88 cannot reuse a prior-knowledge connection with --parallel: "Error in the HTTP2
        // framing layer", against nghttpd too).
        let many = try CathammerBinary.runTool("/usr/bin/nghttp", ["-v", "-n", "\(base)/sleep?ms=300", "\(base)/cats/3",
                                                                   "\(base)/cats/4", "\(base)/nothing"], capture: true)
        let statuses = many.output.split(separator: "\n").filter { $0.contains(":status:") }.map { $0.suffix(3) }
        XCTAssertEqual(statuses.sorted(), ["200", "200", "200", "404"], many.output)
        let statusLines = many.output.split(separator: "\n").filter { $0.contains(":status:") }
        XCTAssertEqual(Set(statusLines.map { $0.split(separator: "=")[1].prefix(2) }).count, 4, "four streams: \(many.output)")
        XCTAssertTrue(statusLines.last?.contains("stream_id=13") ?? false,
                      "the first request, the slow one, is answered last; the others did not wait: \(many.output)")

        let missing = try curl(["-w", "%{http_code}", "-o", "/dev/null", "\(base)/cats/0"])
        XCTAssertEqual(missing.output, "404")
    }

    func testStaticFilesAndLargeUploadsFlowThroughTheWindows() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("h2-static-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try Data(bytes).write(to: directory.appendingPathComponent("big.bin"))
        let server = try ServerProcess(["-p", "1", "--static-map", "/static=\(directory.path)"])
        let fetched = try CathammerBinary.runTool("/bin/sh", ["-c",
            "curl -s --http2-prior-knowledge http://127.0.0.1:\(server.port)/static/big.bin | sha256sum"], capture: true)
        XCTAssertEqual(fetched.output.prefix(64), Substring(SHA256Hex.of(bytes)), "3 MB over 64 KiB windows, byte for byte")

        // 300 KB up: the peer waits for the server's WINDOW_UPDATEs (stream window 64 KiB).
        let upload = try H2Peer.run(port: server.port, ["request", "--method", "POST", "--path", "/echo", "--body", "300000"])
        XCTAssertEqual(upload.statuses(), ["1": 200])
        let view = try EchoView(json: Array(upload.body(1).utf8))
        XCTAssertEqual(view.bodyLength, 300_000)
        XCTAssertEqual(view.framing, "chunked", "no content-length: the body ran to END_STREAM")
    }

    /// RFC 9113 §8.1.1: a malformed request is a stream error; the connection and its next stream live on.
    func testMalformedRequestsAreResetWithProtocolErrorAndTheConnectionKeepsServing() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"])
        let cases: [(String, [String])] = [
            ("uppercase field name", ["--header", "X-Upper:1"]),
            ("connection-specific field", ["--header", "connection:keep-alive"]),
            ("CRLF in a value", ["--header", "x-a:b\\r\\nx-c: d"]),
            ("content-length disagreeing with DATA", ["--method", "POST", "--path", "/echo", "--content-length", "10", "--body", "5"]),
            ("te other than trailers", ["--header", "te:gzip"]),
        ]
        for (name, arguments) in cases {
            let result = try H2Peer.run(port: server.port, ["request", "--then-get"] + arguments)
            XCTAssertEqual(result.resets()["1"], "PROTOCOL_ERROR", name)
            XCTAssertNil(result.statuses()["1"], "\(name): no response, a reset")
            XCTAssertEqual(result.statuses()["3"], 200, "\(name): the next stream on the same connection is served")
            XCTAssertNil(result.goAwayCode(), name)
        }
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { fetchStatsWorkers(port: statsPort).first?.h2MalformedRequests == cases.count })
        let metrics = try HTTPGet.fetch(host: "127.0.0.1", port: statsPort, path: "/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        XCTAssertTrue(text.contains("cathammer_worker_h2_malformed_requests_total{worker=\"1\""), text)
        XCTAssertTrue(text.contains("# TYPE cathammer_worker_h2_open_streams gauge"))
    }

    /// Per worker, open HTTP/2 connections and streams in progress are live gauges in the stats JSON,
    /// `cathammer top` and the Prometheus text, beside every flood counter; they fall back to zero.
    func testLiveHTTP2ConnectionsAndStreamsShowInStatsTopAndMetrics() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        let load = try H2Peer(port: server.port, ["load", "--connections", "2", "--streams", "4", "--seconds", "4",
                                                  "--path", "/sleep?ms=200"])
        XCTAssertTrue(ServerProcess.eventually {
            guard let worker = fetchStatsWorkers(port: statsPort).first else { return false }
            return worker.h2Connections == 2 && worker.h2OpenStreams >= 1
        }, "two connections and their streams in progress are seen while the load runs")
        let top = try CathammerBinary.run(["top", "--stats", "127.0.0.1:\(statsPort)", "--count", "1"])
        XCTAssertEqual(top.status, 0, top.stderr)
        let row = top.stdout.split(separator: "\n").first { $0.contains(" \(server.workerPIDs().first ?? -1) ") } ?? ""
        let cells = row.split(separator: " ")
        XCTAssertEqual(cells.count, 18, String(row))
        if cells.count == 18 { XCTAssertEqual(cells[14], "2", "h2conns: \(row)") }
        let metrics = String(decoding: try HTTPGet.fetch(host: "127.0.0.1", port: statsPort, path: "/metrics").body, as: UTF8.self)
        XCTAssertTrue(metrics.contains("cathammer_worker_h2_connections{worker=\"1\""), metrics)
        for name in ["h2_open_streams", "h2_streams_total", "h2_rapid_resets_total", "h2_continuation_floods_total",
                     "h2_hpack_bombs_total", "h2_settings_floods_total", "h2_ping_floods_total", "h2_empty_frame_floods_total",
                     "h2_window_update_floods_total", "h2_priority_floods_total", "h2_slow_reads_total",
                     "h2_settings_timeouts_total", "h2_stream_limits_total", "h2_connection_errors_total"] {
            XCTAssertTrue(metrics.contains("cathammer_worker_\(name){worker=\"1\""), name)
        }
        let result = try load.result()
        XCTAssertEqual(result["failed"] as? Int, 0, "\(result)")
        XCTAssertTrue(ServerProcess.eventually {
            guard let worker = fetchStatsWorkers(port: statsPort).first else { return false }
            return worker.h2Connections == 0 && worker.h2OpenStreams == 0 && worker.h2Streams >= 8
        }, "the gauges fall back to zero once the clients are gone")
    }

    /// `--http2-max-streams-per-connection 5`: six requests sent at once on one connection get five
    /// answers and a GOAWAY naming the fifth stream as the last processed (RFC 9113 §6.8); the sixth is
    /// refused, not processed, so the client may retry it, and on a new connection it is served.
    func testAConnectionThatUsedUpItsStreamsIsSentAwayNamingTheLastAndAReconnectIsServed() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--http2-max-streams-per-connection", "5"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.h2MaxStreamsPerConnection, 5)
        let spent = try H2Peer.run(port: server.port, ["streams", "--count", "6", "--path", "/echo"])
        XCTAssertEqual(spent.statuses(), ["1": 200, "3": 200, "5": 200, "7": 200, "9": 200], "\(spent)")
        let goAway = spent["goaway"] as? [String: Any]
        XCTAssertEqual(goAway?["last_stream_id"] as? Int, 9, "the GOAWAY names the fifth stream: \(spent)")
        XCTAssertEqual(goAway?["code"] as? String, "NO_ERROR")
        XCTAssertNil(spent.statuses()["11"], "the sixth stream is not processed")
        XCTAssertEqual(spent.resets()["11"], "REFUSED_STREAM", "and refused, so a client knows it may retry it (§8.7)")
        XCTAssertEqual(spent["closed"] as? Bool, true, "the server closes once the five are answered")
        XCTAssertTrue(ServerProcess.eventually {
            guard let worker = fetchStatsWorkers(port: statsPort).first else { return false }
            return worker.h2StreamLimits == 1 && worker.h2Streams == 5
        }, "counted once, and only five streams were opened")

        let again = try H2Peer.run(port: server.port, ["request", "--path", "/cats/2", "--then-get"])
        XCTAssertEqual(again.statuses(), ["1": 200, "3": 200], "a client that reconnects is served: \(again)")
        XCTAssertNil(again["goaway"] as? [String: Any], "two streams of five: no GOAWAY yet")
    }

    /// A connection that keeps asking is not idle, however fast each answer comes: its streams are
    /// all done whenever the worker settles, which the idle clock once took for idleness, so a busy
    /// connection was sent away (GOAWAY) one keep-alive timeout after it opened.
    func testABusyConnectionOutlivesTheKeepAliveTimeout() throws {
        let server = try ServerProcess(["-p", "1", "--keepalive-timeout", "0.5", "--http2-max-streams-per-connection", "100000000"])
        let busy = try H2Peer.run(port: server.port, ["load", "--connections", "1", "--streams", "4", "--seconds", "1.5"])
        XCTAssertEqual(busy["goaways"] as? Int, 0, "\(busy)")
        XCTAssertEqual(busy["connections"] as? Int, 1, "one connection for the whole run: \(busy)")
        XCTAssertEqual(busy["failed"] as? Int, 0, "\(busy)")
        XCTAssertGreaterThan(busy["ok"] as? Int ?? 0, 0, "\(busy)")

        // Idle, the same connection is sent away after the timeout.
        let idle = try H2Peer.run(port: server.port, ["request", "--path", "/cats/1", "--linger", "5"])
        XCTAssertEqual(idle.goAwayCode(), "NO_ERROR", "\(idle)")
    }

    /// Every HTTP/1.1 limit has its HTTP/2 counterpart, answered on the stream.
    func testLimitsExpectationsAndTrailersAreAnsweredOnTheStream() throws {
        let server = try ServerProcess(["-p", "1", "--limit-body", "1000", "--limit-fields", "5",
                                        "--limit-header-section", "2000"])
        func request(_ arguments: [String]) throws -> [String: Any] {
            try H2Peer.run(port: server.port, ["request", "--then-get"] + arguments)
        }
        let tooLarge = try request(["--method", "POST", "--path", "/echo", "--content-length", "5000", "--body", "5000"])
        XCTAssertEqual(tooLarge.statuses(), ["1": 413, "3": 200])
        let undeclared = try request(["--method", "POST", "--path", "/echo", "--body", "3000"])
        XCTAssertEqual(undeclared.statuses()["1"], 413, "a body without content-length is counted as it arrives")
        let manyFields = try request((0..<6).flatMap { ["--header", "x-f\($0):v"] })
        XCTAssertEqual(manyFields.statuses(), ["1": 431, "3": 200])
        let largeField = try request(["--header", "x-big:" + String(repeating: "b", count: 2500)])
        XCTAssertEqual(largeField.statuses(), ["1": 431, "3": 200], "decoded size over the header section limit")
        let expectation = try request(["--header", "expect:something"])
        XCTAssertEqual(expectation.statuses()["1"], 417)

        let continued = try request(["--method", "PUT", "--path", "/echo", "--expect-continue", "--content-length", "4", "--body", "4"])
        XCTAssertEqual((continued["statuses"] as? [String: Any])?["interim"] as? [Int], [100], "100 before the body")
        XCTAssertEqual(continued.statuses()["1"], 200)

        let trailed = try request(["--method", "POST", "--path", "/echo", "--body", "10", "--trailer", "x-checksum:abc"])
        let view = try EchoView(json: Array(trailed.body(1).utf8))
        XCTAssertEqual(view.trailers, [EchoView.Field(name: "x-checksum", value: "abc", valueBase64: nil)])
        XCTAssertEqual(view.bodyLength, 10)
        let badTrailer = try request(["--method", "POST", "--path", "/echo", "--body", "10", "--trailer", "content-length:10"])
        XCTAssertEqual(badTrailer.resets()["1"], "PROTOCOL_ERROR", "framing fields cannot come as trailers")
    }

    /// RFC 9113 §3.1: the h2c upgrade is not honoured, the request is answered over HTTP/1.1.
    func testUpgradeToH2cIsAnsweredOverHTTP1() throws {
        let server = try ServerProcess(["-p", "1"])
        let reply = try RawClient.exchange(port: server.port, """
            GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\
            HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n
            """, timeout: 2)
        XCTAssertEqual(reply.statuses, [200], reply.text)
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 OK\r\n"), "no 101 Switching Protocols: \(reply.text.prefix(80))")
        XCTAssertTrue(reply.text.contains("\"name\":\"Tom\""))
    }

    func testWithHTTP2OffThePrefaceIsRefusedAsHTTP1() throws {
        let server = try ServerProcess(["-p", "1", "--http2", "off"])
        let reply = try RawClient.exchange(port: server.port, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        XCTAssertEqual(reply.statuses.count, 1, reply.text)
        XCTAssertGreaterThanOrEqual(reply.statuses.first ?? 0, 400, reply.text)
        XCTAssertTrue(reply.closed)
        let check = try CathammerBinary.run(["serve", "--http2", "maybe", "--check-config"])
        XCTAssertNotEqual(check.status, 0, "a bad --http2 value is refused")
        XCTAssertTrue(check.stderr.contains("on") && check.stderr.contains("off"), check.stderr)
    }

    /// A client that stops sending (its FIN) with a response it never granted window for: the stream
    /// can never finish, so it is cancelled and the connection closes at once, not at a timeout
    /// (both are 60 s here).
    func testAStreamThatOnlyTheGoneClientCouldFinishIsCancelledAtItsEndOfStream() throws {
        let server = try ServerProcess(["-p", "1", "--write-timeout", "60", "--keepalive-timeout", "60"])
        let connection = try ClientConnection(to: .loopback(server.port), timeout: 5)
        defer { connection.close() }
        var bytes = HTTP2ConnectionPreface.bytes
        HTTP2FrameEncoder.appendSettings([HTTP2Setting(.initialWindowSize, 1)], into: &bytes)
        var block: [UInt8] = []
        var encoder = HPACKEncoder()
        encoder.encode([HeaderField(":method", "GET"), HeaderField(":scheme", "http"), HeaderField(":path", "/cats/1"),
                        HeaderField(":authority", "a")], into: &block)
        HTTP2FrameEncoder.appendHeaders(streamID: 1, fieldBlock: block, endStream: true, into: &bytes)
        XCTAssertTrue(connection.send(bytes).isComplete)
        // The response head and one byte of its body (the window) arrive; the rest waits for credit.
        var received = connection.readUntilClosed(idleTimeout: 2, returnAfterData: true).bytes
        connection.halfClose()
        let started = Date()
        let rest = connection.readUntilClosed(idleTimeout: 30)
        received += rest.bytes
        XCTAssertEqual(rest.ending, .eof, "the server closed the connection")
        XCTAssertLessThan(Date().timeIntervalSince(started), 20, "at the client's end of stream, not at a 60 s timeout")
        var reader = HTTP2FrameParser(configuration: .init(role: .client))
        var resets: [(UInt32, HTTP2ErrorCode)] = []
        received.withUnsafeBytes { raw in
            var offset = 0
            reading: while true {
                switch reader.next(raw, at: &offset) {
                case .frame(let frame):
                    if case .rstStream(let code) = frame.content { resets.append((frame.streamID, code)) }
                case .headerBlock, .streamError:
                    continue
                case .needMore, .connectionError:
                    break reading
                }
            }
        }
        XCTAssertEqual(resets.map(\.0), [1], "stream 1 was cancelled")
        XCTAssertEqual(resets.first?.1, .cancel)
    }
}
