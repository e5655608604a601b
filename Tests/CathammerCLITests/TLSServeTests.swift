import CathammerContract
import CTLS
import Foundation
import Glibc
import FakeServers
import XCTest

/// The sum of one counter over the workers a stats endpoint reports.
func workerTotal(_ statsPort: UInt16, _ counter: KeyPath<StatsSnapshot.WorkerRow, Int>) -> Int {
    fetchStatsWorkers(port: statsPort).reduce(0) { $0 + $1[keyPath: counter] }
}

/// Runs a command with `input` on stdin, bounded by `timeout` (coreutils), stdout and stderr merged.
func runBounded(_ command: [String], input: String = "", timeout: Int = 15) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = [String(timeout)] + command
    let stdin = Pipe(), output = Pipe()
    process.standardInput = stdin
    process.standardOutput = output
    process.standardError = output
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// End-to-end: `cathammer serve --https` with certificates the test run makes, reached with curl,
/// `openssl s_client` and a small Swift client (TLSTestClient).
final class TLSServeTests: XCTestCase {
    private static let get = "GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n"

    func testHTTP11OverTLS() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "2"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort)
        XCTAssertNotEqual(port, server.port, "one --http and one --https listener")

        // curl: two GETs on one connection (the second reuses it), a POST to /echo.
        let keepAlive = try runBounded(["curl", "-sk", "--http1.1", "https://127.0.0.1:\(port)/cats/1", "https://127.0.0.1:\(port)/cats/2",
                                        "-w", "[%{num_connects} %{http_version}]"])
        XCTAssertEqual(keepAlive.status, 0, keepAlive.output)
        XCTAssertTrue(keepAlive.output.contains("\"name\":\"Tom\"") && keepAlive.output.contains("\"name\":\"Mittens\""), keepAlive.output)
        XCTAssertTrue(keepAlive.output.hasSuffix("[0 1.1]"), "the second request reused the TLS connection: \(keepAlive.output)")
        let post = try runBounded(["curl", "-sk", "https://127.0.0.1:\(port)/echo", "--data-binary", "hello, cats"])
        let view = try EchoView(json: Array(post.output.utf8))
        XCTAssertEqual(view.scheme, "https")
        XCTAssertEqual(view.method, "POST")
        XCTAssertEqual(view.bodyLength, 11)
        XCTAssertEqual(view.bodySHA256, SHA256Hex.of(Array("hello, cats".utf8)))
        let cleartext = try RawClient.exchange(port: server.port, "GET /echo HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(cleartext.text.contains("\"scheme\":\"http\""), "the --http listener says http: \(cleartext.text)")

        // Pipelined requests in one record, answered in order; ALPN chose HTTP/1.1; close_notify ends it.
        let client = try TLSTestClient(port: port)
        XCTAssertEqual(client.negotiatedProtocol, "http/1.1")
        XCTAssertEqual(client.version, "TLSv1.3")
        client.send(Self.get + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /cats/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let pipelined = client.readUntilClosed()
        XCTAssertEqual(pipelined.ending, .closeNotify)
        let statuses = pipelined.text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        XCTAssertEqual(statuses, ["200", "200", "200"], pipelined.text)
        let order = ["\"name\":\"Tom\"", "\"body_length\":3", "\"name\":\"Felix\""].map { pipelined.text.range(of: $0)?.lowerBound }
        XCTAssertFalse(order.contains(nil), pipelined.text)
        XCTAssertEqual(order.compactMap { $0 }, order.compactMap { $0 }.sorted(), "responses in request order")

        // A client without ALPN gets HTTP/1.1; TLS 1.2 works too.
        let noALPN = try TLSTestClient(port: port, .init(alpn: nil, maxVersion: TLS1_2_VERSION))
        XCTAssertNil(noALPN.negotiatedProtocol)
        XCTAssertEqual(noALPN.version, "TLSv1.2")
        noALPN.send(Self.get)
        XCTAssertTrue(noALPN.read(until: "}\n").contains("HTTP/1.1 200 OK"))
    }

    func testSNIPicksTheCertificateAndTheDefaultServesTheRest() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + certificates.serveArguments() + [
            "--tls-sni", "rsa.test=\(certificates.rsa.certificate),\(certificates.rsa.key)",
            "--tls-sni", "*.wild.test=\(certificates.second.certificate),\(certificates.second.key)",
        ])
        let port = try XCTUnwrap(server.httpsPort)
        let cases: [(String?, String)] = [("rsa.test", "rsa.test"), ("RSA.Test", "rsa.test"), ("tom.wild.test", "second.test"),
                                          ("unknown.test", "localhost"), (nil, "localhost")]
        for (name, expected) in cases {
            let client = try TLSTestClient(port: port, .init(serverName: name))
            XCTAssertEqual(client.peerCommonName, expected, "SNI \(name ?? "(none)")")
            client.send(Self.get)
            XCTAssertTrue(client.read(until: "}\n").contains("\"name\":\"Tom\""), "served with the \(expected) certificate")
        }
        // An independent client, and the RSA certificate's chain verified against itself.
        let curl = try runBounded(["curl", "-s", "--cacert", certificates.rsa.certificate, "--resolve", "rsa.test:\(port):127.0.0.1",
                                   "https://rsa.test:\(port)/cats/2"])
        XCTAssertEqual(curl.status, 0, curl.output)
        XCTAssertTrue(curl.output.contains("Mittens"), curl.output)
    }

    func testALPNChoosesByServerPreferenceAndAnOfferWithNothingWeSpeakGetsTheAlert() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertEqual(try TLSTestClient(port: port, .init(alpn: ["http/1.1"])).negotiatedProtocol, "http/1.1")
        XCTAssertEqual(try TLSTestClient(port: port, .init(alpn: ["http/1.1", "h2"])).negotiatedProtocol, "h2",
                       "the server's preference: HTTP/2 first")
        do {
            _ = try TLSTestClient(port: port, .init(alpn: ["spdy/3", "foo"]))
            XCTFail("a handshake offering no protocol we speak must fail")
        } catch let failure as TLSTestClient.Failure {
            XCTAssertEqual(failure.alertReceived, 120, "no_application_protocol (RFC 7301 §3.2): \(failure)")
        }
        let sClient = try runBounded(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-alpn", "foo"])
        XCTAssertTrue(sClient.output.contains("no application protocol"), sClient.output)
        XCTAssertTrue(ServerProcess.eventually { workerTotal(statsPort, \.tlsALPNRefused) == 2 })
        XCTAssertEqual(workerTotal(statsPort, \.tlsHandshakes), 2)
    }

    /// Each kind of bad input on an HTTPS port, counted by reason, none of them costing a worker.
    /// The handshake timeout is tested on a server of its own with a 1 s timeout; the other inputs go
    /// to a server with the default 10 s. With 1 s for all of them, the untrusting client, which
    /// connects and only then builds its TLS context (OpenSSL's first in the process, and the CA
    /// bundle for `verify`), could run out of the server's clock on a loaded machine: its alert then
    /// came after the timeout had closed the connection and `tls_alerts_received` stayed at 0 (seen
    /// at load 18; a C client doing the same beside 24 busy loops: 1 handshake in 40 over 1 s,
    /// counted as a timeout instead of the alert).
    func testBadInputIsCountedByReasonAndTheWorkerKeepsServing() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        let workerPIDs = server.workerPIDs()
        /// The TLS counters as the stats show them, for the failure messages.
        func counters(_ port: UInt16) -> String {
            guard let row = fetchStatsWorkers(port: port).first else { return "no stats" }
            return "handshakes \(row.tlsHandshakes), timeouts \(row.tlsHandshakeTimeouts), garbage \(row.tlsGarbage), "
                + "plain \(row.tlsPlainHTTP), failures \(row.tlsHandshakeFailures), alerts \(row.tlsAlertsReceived), "
                + "renegotiations refused \(row.tlsRenegotiationsRefused)"
        }

        // Garbage instead of a ClientHello.
        let garbage = try RawClient(port: port)
        garbage.send([0x01, 0x02] + Array("garbage".utf8))
        XCTAssertTrue(garbage.readAll(timeout: 5).closed)
        XCTAssertTrue(ServerProcess.eventually { workerTotal(statsPort, \.tlsGarbage) == 1 }, counters(statsPort))

        // A plain HTTP request: a plain-text 400 that says so, then the connection closes.
        let plain = try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(plain.statuses, [400])
        XCTAssertTrue(plain.text.contains("plain HTTP request sent to an HTTPS port"), plain.text)
        XCTAssertTrue(plain.text.contains("Connection: close"))
        XCTAssertTrue(plain.closed)
        XCTAssertFalse(plain.reset, "the refusal closes in stages: no reset destroys it")
        XCTAssertTrue(ServerProcess.eventually { workerTotal(statsPort, \.tlsPlainHTTP) == 1 }, counters(statsPort))

        // A client that stops mid-handshake, and one that never starts: the handshake timeout closes both.
        let impatient = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--tls-handshake-timeout", "1"]
            + certificates.serveArguments())
        let impatientPort = try XCTUnwrap(impatient.httpsPort), impatientStats = try XCTUnwrap(impatient.statsPort)
        let stalled = try RawClient(port: impatientPort)
        stalled.send([0x16, 0x03, 0x01, 0x00])
        let silent = try RawClient(port: impatientPort)
        XCTAssertTrue(stalled.readAll(timeout: 10).closed, "closed at the handshake timeout")
        XCTAssertTrue(silent.readAll(timeout: 10).closed)
        XCTAssertTrue(ServerProcess.eventually { workerTotal(impatientStats, \.tlsHandshakeTimeouts) == 2 }, counters(impatientStats))

        // A handshake record OpenSSL cannot parse.
        let malformed = try RawClient(port: port)
        malformed.send([0x16, 0x03, 0x01, 0x00, 0x05] + Array("hello".utf8))
        XCTAssertTrue(malformed.readAll(timeout: 5).closed)
        XCTAssertTrue(ServerProcess.eventually { workerTotal(statsPort, \.tlsHandshakeFailures) == 1 }, counters(statsPort))

        // A client that does not trust our certificate ends the handshake with an alert.
        XCTAssertThrowsError(try TLSTestClient(port: port, .init(verify: true)))
        XCTAssertTrue(ServerProcess.eventually { workerTotal(statsPort, \.tlsAlertsReceived) >= 1 }, counters(statsPort))

        // A TLS 1.2 client-initiated renegotiation is refused.
        let renegotiating = try TLSTestClient(port: port, .init(maxVersion: TLS1_2_VERSION))
        renegotiating.send(Self.get)
        XCTAssertTrue(renegotiating.read(until: "}\n").contains("200 OK"))
        XCTAssertFalse(renegotiating.renegotiate(), "the server refuses to renegotiate")
        XCTAssertTrue(ServerProcess.eventually { workerTotal(statsPort, \.tlsRenegotiationsRefused) == 1 }, counters(statsPort))

        // The same worker still serves, over TLS and in clear.
        XCTAssertEqual(server.workerPIDs(), workerPIDs)
        let after = try runBounded(["curl", "-sk", "https://127.0.0.1:\(port)/cats/4"])
        XCTAssertTrue(after.output.contains("Luna"), after.output)
        let rows = fetchStatsWorkers(port: statsPort)
        XCTAssertEqual(rows.map(\.respawns), [0])
        XCTAssertEqual(rows.first?.tlsALPNRefused, 0)
    }

    /// Pipelined requests laid out so that, when /sleep takes the connection out of reading, part of
    /// a record is still inside OpenSSL (SSL_pending) and the socket is empty: no readiness event
    /// will come, and the last request is answered only if the session reads what OpenSSL holds.
    func testRecordBytesOpenSSLHoldsAreServedWithoutAnotherReadinessEvent() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort)
        func request(_ target: String, paddedTo length: Int, close: Bool = false) -> String {
            let head = "GET \(target) HTTP/1.1\r\nHost: a\r\n" + (close ? "Connection: close\r\n" : "")
            var padding = length - head.utf8.count - 2
            var fields = ""
            var index = 0
            while padding > 0 {
                // One field line: "X-Pad-N: " + value + CRLF, at most 4 KiB each.
                let name = "X-Pad-\(index): "
                let value = min(4000, padding - name.utf8.count - 2)
                fields += name + String(repeating: "p", count: max(0, value)) + "\r\n"
                padding -= name.utf8.count + max(0, value) + 2
                index += 1
            }
            let text = head + fields + "\r\n"
            precondition(text.utf8.count == length, "\(target): \(text.utf8.count) bytes, not \(length)")
            return text
        }
        // Two 16 KiB records: [cats/1 (10000) | first 6384 of sleep] [last 4000 of sleep | cats/2 | cats/3 ...].
        let small = "GET /cats/2 HTTP/1.1\r\nHost: a\r\n\r\n"
        let stream = request("/cats/1", paddedTo: 10_000) + request("/sleep?ms=300", paddedTo: 10_384) + small
            + request("/cats/3", paddedTo: 32_768 - 10_000 - 10_384 - small.utf8.count, close: true)
        XCTAssertEqual(stream.utf8.count, 32_768)
        let client = try TLSTestClient(port: port)
        client.send(stream)
        let reply = client.readUntilClosed(timeout: 8)
        XCTAssertEqual(reply.text.components(separatedBy: "HTTP/1.1 200 OK").count - 1, 4, reply.text)
        XCTAssertTrue(reply.text.contains("\"name\":\"Felix\""), "the last request, half of it inside OpenSSL, was answered")
        XCTAssertEqual(reply.ending, .closeNotify)
    }

    /// The staged close over TLS: the response, close_notify, the FIN; never a reset.
    func testARefusalClosesWithCloseNotify() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort)
        let refused = try TLSTestClient(port: port)
        refused.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let reply = refused.readUntilClosed()
        XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 400 "), reply.text)
        XCTAssertTrue(reply.text.contains("host-duplicate"), reply.text)
        XCTAssertEqual(reply.ending, .closeNotify)

        let asked = try TLSTestClient(port: port)
        asked.send("GET /cats/5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let closing = asked.readUntilClosed()
        XCTAssertTrue(closing.text.contains("Simba"))
        XCTAssertEqual(closing.ending, .closeNotify, "a client that asked to close gets close_notify too")
    }

    /// A client that half-closes (close_notify) right after its last request gets the whole answer
    /// and a FIN, never a reset: its close_notify is unread when the server closes, in OpenSSL's
    /// buffer (sent with the request) or in the socket (sent while the answer was being made).
    func testAClientsCloseNotifyAfterItsRequestIsDrainedBeforeTheClose() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort)
        for round in 0..<5 {
            let together = try TLSTestClient(port: port)
            together.corked {
                together.send("GET /cats/5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                together.sendCloseNotify()
            }
            let reply = together.readUntilClosed()
            XCTAssertTrue(reply.text.hasPrefix("HTTP/1.1 200 ") && reply.text.contains("Simba"), "round \(round): \(reply.text)")
            XCTAssertEqual(reply.ending, .closeNotify, "round \(round)")
            XCTAssertEqual(together.tcpEnding(), "FIN", "round \(round): close_notify with the request")

            let later = try TLSTestClient(port: port)
            later.send("GET /sleep?ms=150 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            usleep(30_000)
            later.sendCloseNotify()
            let slow = later.readUntilClosed()
            XCTAssertTrue(slow.text.hasPrefix("HTTP/1.1 200 "), "round \(round): \(slow.text)")
            XCTAssertEqual(slow.ending, .closeNotify, "round \(round)")
            XCTAssertEqual(later.tcpEnding(), "FIN", "round \(round): close_notify while the answer was made")
        }
    }

    /// The last response, close_notify and the FIN leave in one segment (TCP_CORK until the close),
    /// where they would take a write and a segment each.
    func testTheLastResponseAndCloseNotifyShareASegment() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort)
        for round in 0..<5 {
            let client = try TLSTestClient(port: port)
            // A first response on the connection, so the session tickets are in before the count.
            client.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n")
            XCTAssertTrue(client.read(until: "}\n").contains("Tom"), "round \(round)")
            let before = TCPSegmentCounts(client.fd)
            client.send("GET /cats/5 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let reply = client.readUntilClosed()
            XCTAssertTrue(reply.text.contains("Simba"), "round \(round): \(reply.text)")
            XCTAssertEqual(reply.ending, .closeNotify, "round \(round)")
            XCTAssertEqual(client.tcpEnding(), "FIN", "round \(round)")
            let after = TCPSegmentCounts(client.fd)
            XCTAssertEqual(after.dataSegmentsIn &- before.dataSegmentsIn, 1, "round \(round): response and close_notify in one segment")
        }
    }

    func testStaticFilesOverTLS() throws {
        let certificates = try TestCertificates.shared()
        let site = URL(fileURLWithPath: certificates.folder).appendingPathComponent("site-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: site) }
        var big = [UInt8](repeating: 0, count: 1_500_000)
        for index in big.indices { big[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
        try Data(big).write(to: site.appendingPathComponent("big.bin"))
        try Data("hello, cats\n".utf8).write(to: site.appendingPathComponent("hello.txt"))
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--static-map", "/files=\(site.path)"]
            + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)

        let download = certificates.folder + "/download-\(getpid()).bin"
        defer { try? FileManager.default.removeItem(atPath: download) }
        let curl = try runBounded(["curl", "-sk", "-o", download, "https://127.0.0.1:\(port)/files/big.bin"])
        XCTAssertEqual(curl.status, 0, curl.output)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: download)), Data(big))

        let client = try TLSTestClient(port: port)
        client.send("GET /files/big.bin HTTP/1.1\r\nHost: a\r\n\r\nGET /files/hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let reply = client.readUntilClosed()
        let headEnd = try XCTUnwrap(reply.bytes.firstRange(of: Array("\r\n\r\n".utf8))).upperBound
        XCTAssertEqual(Array(reply.bytes[headEnd..<(headEnd + big.count)]), big)
        XCTAssertTrue(reply.text.hasSuffix("hello, cats\n"), "the pipelined request after the file is answered")

        // Which way each file went is in the stats; without the kernel's `tls` module it is the buffered one.
        XCTAssertTrue(ServerProcess.eventually {
            workerTotal(statsPort, \.tlsFilesKTLS) + workerTotal(statsPort, \.tlsFilesBuffered) == 3
        })
        if !FileManager.default.fileExists(atPath: "/sys/module/tls") {
            XCTAssertEqual(workerTotal(statsPort, \.tlsFilesBuffered), 3)
        }
    }

    /// Retire with idle TLS keep-alive connections: a request in the grace is answered with
    /// Connection: close and the staged close; a connection left idle is closed with close_notify.
    func testARetiringWorkerClosesIdleTLSConnectionsCleanly() throws {
        let certificates = try TestCertificates.shared()
        // Keep-alive long enough that only the retire grace, counted from RETIRE, ends the idle connection.
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--retire-idle-grace", "6",
                                        "--keepalive-timeout", "60"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        let active = try TLSTestClient(port: port), idle = try TLSTestClient(port: port)
        for client in [active, idle] {
            client.send(Self.get)
            XCTAssertFalse(client.read(until: "}\n").contains("Connection: close"))
        }
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually {
            let rows = fetchStatsWorkers(port: statsPort)
            return rows.contains { $0.generation == 2 && $0.state == "ready" } && rows.contains { $0.state == "retiring" }
        }, "the new worker serves and the old one retires with its idle connections")

        active.send(Self.get)
        let last = active.readUntilClosed()
        XCTAssertTrue(last.text.contains("Connection: close") && last.text.contains("X-Worker: 1/"), last.text)
        XCTAssertTrue(last.text.hasSuffix("}\n") && last.text.contains("/1\r\n"), "answered by the old generation: \(last.text)")
        XCTAssertEqual(last.ending, .closeNotify)

        let quiet = idle.readUntilClosed(timeout: 20)
        XCTAssertEqual(quiet.text, "")
        XCTAssertEqual(quiet.ending, .closeNotify, "the idle connection ends with close_notify at the grace, no reset")
        XCTAssertTrue(ServerProcess.eventually {
            let rows = fetchStatsWorkers(port: statsPort)
            return rows.count == 1 && rows[0].generation == 2
        })
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.forcedKills, 0)
    }

    func testSeveralListenersInEveryAcceptMode() throws {
        let certificates = try TestCertificates.shared()
        for mode in ["exclusive", "plain", "lock"] {
            let server = try ServerProcess(["-p", "2", "--accept", mode, "--http", "127.0.0.1:0", "--https", "127.0.0.1:0",
                                            "--stats", "127.0.0.1:0"] + certificates.serveArguments())
            XCTAssertEqual(server.httpPorts.count, 2, mode)
            XCTAssertEqual(server.httpsPorts.count, 2, mode)
            for port in server.httpPorts {
                XCTAssertEqual(try RawClient.exchange(port: port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses,
                               [200], "\(mode) http \(port)")
            }
            for port in server.httpsPorts {
                let client = try TLSTestClient(port: port)
                client.send("GET /cats/6 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                XCTAssertTrue(client.readUntilClosed().text.contains("Nala"), "\(mode) https \(port)")
            }
            let listeners = fetchStatsMaster(port: try XCTUnwrap(server.statsPort))?.listeners ?? ""
            XCTAssertEqual(listeners.split(separator: " ").count, 4, listeners)
            XCTAssertEqual(listeners.split(separator: " ").filter { $0.hasPrefix("https://") }.count, 2, listeners)
        }
    }

    /// `--accept reuseport` gives each worker its own socket per listener; it needs connection
    /// migration, which a private network namespace can switch on without touching the machine.
    func testSeveralListenersWithReusePortInANamespace() throws {
        let certificates = try TestCertificates.shared()
        let script = """
            set -u
            ip link set lo up && sysctl -qw net.ipv4.tcp_migrate_req=1 || exit 77
            dir=$(mktemp -d)
            '\(CathammerBinary.url.path)' serve --http 127.0.0.1:0 --https 127.0.0.1:0 --tls-cert '\(certificates.ecdsa.certificate)' \
              --tls-key '\(certificates.ecdsa.key)' -p 2 --accept reuseport --retire-idle-grace 1 > "$dir/out" 2> "$dir/err" &
            master=$!
            for _ in $(seq 200); do grep -q 'ready on' "$dir/out" && break; sleep 0.05; done
            http=$(sed -n 's/.*ready on http:\\/\\/127\\.0\\.0\\.1:\\([0-9]*\\),.*/\\1/p' "$dir/out")
            https=$(sed -n 's/.*https:\\/\\/127\\.0\\.0\\.1:\\([0-9]*\\) .*/\\1/p' "$dir/out")
            [ -n "$http" ] && [ -n "$https" ] || { cat "$dir/out" "$dir/err"; kill $master; exit 3; }
            sleep 0.3
            echo "http listeners=$(ss -Hltn "sport = :$http" | wc -l) https listeners=$(ss -Hltn "sport = :$https" | wc -l)"
            ok=0; failed=0
            for i in $(seq 60); do
              for url in "http://127.0.0.1:$http/cats/1" "https://127.0.0.1:$https/cats/1"; do
                code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 "$url")
                if [ "$code" = 200 ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
              done
              [ $((i % 20)) -eq 0 ] && kill -HUP $master
            done
            kill -TERM $master
            wait $master
            echo "ok=$ok failed=$failed exit=$?"
            rm -rf "$dir"
            """
        let result = try runBounded(["/usr/bin/unshare", "--net", "/bin/sh", "-c", script], timeout: 120)
        XCTAssertNotEqual(result.status, 77, "the test needs its own network namespace: \(result.output)")
        XCTAssertTrue(result.output.contains("http listeners=2 https listeners=2"), "one socket per worker and listener: \(result.output)")
        XCTAssertTrue(result.output.contains("ok=120 failed=0"), "every request answered through 3 reloads: \(result.output)")
    }

    func testTheIniFileConfiguresTLSAndFlagsReplaceItsListeners() throws {
        let certificates = try TestCertificates.shared()
        let ini = certificates.folder + "/tls-\(UInt32.random(in: 0...UInt32.max)).ini"
        try Data("""
            [cathammer]
            processes = 1
            https = 127.0.0.1:0
            https = 127.0.0.1:0
            tls-cert = \(certificates.ecdsa.certificate)
            tls-key = \(certificates.ecdsa.key)
            tls-sni = rsa.test=\(certificates.rsa.certificate),\(certificates.rsa.key)
            tls-handshake-timeout = 5

            """.utf8).write(to: URL(fileURLWithPath: ini))
        defer { try? FileManager.default.removeItem(atPath: ini) }
        let fromFile = try ServerProcess(["--ini", ini])
        XCTAssertEqual(fromFile.httpsPorts.count, 2, "both https listeners of the file")
        let client = try TLSTestClient(port: try XCTUnwrap(fromFile.httpsPort), .init(serverName: "rsa.test"))
        XCTAssertEqual(client.peerCommonName, "rsa.test")

        let overridden = try ServerProcess(["--ini", ini, "--https", "127.0.0.1:0"])
        XCTAssertEqual(overridden.httpsPorts.count, 1, "--https on the command line replaces the file's")
        XCTAssertEqual(overridden.httpPorts.count, 1)

        let bad = certificates.folder + "/bad-\(UInt32.random(in: 0...UInt32.max)).ini"
        try Data("[cathammer]\nhttps = 127.0.0.1:0\ntls-cert = a.pem\ntls-key = a.key\ntls-sni = nofiles\n".utf8)
            .write(to: URL(fileURLWithPath: bad))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let refused = try CathammerBinary.run(["serve", "--ini", bad, "--check-config"])
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains(bad + ":5: bad value for 'tls-sni'"), refused.stderr)
    }

    func testBadTLSSettingsExitWith2AndNameTheCulprit() throws {
        let certificates = try TestCertificates.shared()
        let https = ["serve", "--http", "127.0.0.1:0", "--https", "127.0.0.1:0"]
        let cases: [(arguments: [String], mentions: [String])] = [
            (https + ["--tls-cert", "/nonexistent/cert.pem", "--tls-key", certificates.ecdsa.key], ["/nonexistent/cert.pem"]),
            (https + ["--tls-cert", certificates.broken, "--tls-key", certificates.ecdsa.key], [certificates.broken, "PEM"]),
            (https + ["--tls-cert", certificates.ecdsa.certificate, "--tls-key", certificates.strayKey],
             [certificates.strayKey, certificates.ecdsa.certificate, "does not match"]),
            (https + ["--tls-cert", certificates.ecdsa.certificate, "--tls-key", certificates.ecdsa.key,
                      "--tls-sni", "rsa.test=\(certificates.rsa.certificate),/nonexistent/rsa.key"], ["--tls-sni rsa.test", "/nonexistent/rsa.key"]),
            (https, ["--https needs --tls-cert and --tls-key"]),
            (["serve", "--http", "127.0.0.1:0", "--tls-cert", certificates.ecdsa.certificate], ["--tls-cert", "no --https"]),
            (https + ["--tls-cert", certificates.ecdsa.certificate, "--tls-key", certificates.ecdsa.key, "--tls-sni", "nofiles"],
             ["--tls-sni 'nofiles'"]),
            (https + ["--tls-cert", certificates.ecdsa.certificate, "--tls-key", certificates.ecdsa.key, "--tls-ticket-rotation", "soon"],
             ["--tls-ticket-rotation", "soon"]),
            (["serve", "--https", "nowhere"], ["--https 'nowhere'"]),
            (https + ["--tls-cert", certificates.broken, "--tls-key", certificates.ecdsa.key, "--check-config"], [certificates.broken]),
        ]
        for (arguments, mentions) in cases {
            let result = try CathammerBinary.run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
            for text in mentions { XCTAssertTrue(result.stderr.contains(text), "\(arguments) should mention \(text): \(result.stderr)") }
        }
    }
}
