import CathammerContract
import Foundation
import Glibc
import XCTest

/// End-to-end: the real binary, a master and two workers on an ephemeral port, raw sockets.
final class ServeTests: XCTestCase {
    static let malformed: [(name: String, request: String, status: Int)] = [
        ("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("missing Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
        ("CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", 400),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
        ("bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("TE on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("request line too long", "GET /" + String(repeating: "a", count: 8300) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("field too long", "GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "b", count: 8300) + "\r\n\r\n", 431),
        ("header section too large",
         "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<9).map { "X-\($0): " + String(repeating: "c", count: 8000) + "\r\n" }.joined() + "\r\n", 431),
        ("too many fields", "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<100).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),
        ("body too large", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\nabc", 413),
        ("Content-Length with a sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400),
        ("conflicting Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
        ("chunk data without CRLF", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400),
        ("unknown transfer coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
        ("HTTP/2.0 in an HTTP/1 request line", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: y 100-continue\r\nContent-Length: 1\r\n\r\nx", 417),
    ]

    func testMalformedRequestsGetTheirStatusAndACloseAndTheNextConnectionWorks() throws {
        let server = try ServerProcess(["-p", "2"])
        for (name, request, status) in Self.malformed {
            let reply = try RawClient.exchange(port: server.port, request + "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            XCTAssertEqual(reply.statuses, [status], "\(name): \(reply.text.prefix(200))")
            XCTAssertTrue(reply.closed, "\(name): the connection must close after a refusal")
            XCTAssertTrue(reply.text.contains("Connection: close"), name)
            let next = try RawClient.exchange(port: server.port, "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(next.statuses, [200], "after \(name)")
        }
    }

    /// The last response is held (TCP_CORK) until the close, so it and the FIN leave in one segment:
    /// after its request the client receives the ACK of it and that one segment, not a third for the FIN.
    func testTheLastResponseAndTheFINShareASegment() throws {
        let server = try ServerProcess(["-p", "1"])
        for round in 0..<5 {
            let client = try RawClient(port: server.port)
            defer { client.close() }
            let before = TCPSegmentCounts(client.fd)
            client.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            let reply = client.readAll()
            XCTAssertEqual(reply.statuses, [200], "round \(round)")
            XCTAssertTrue(reply.closed && !reply.reset, "round \(round)")
            let after = TCPSegmentCounts(client.fd)
            XCTAssertEqual(after.dataSegmentsIn &- before.dataSegmentsIn, 1, "round \(round): the response in one segment")
            XCTAssertLessThanOrEqual(after.segmentsIn &- before.segmentsIn, 2, "round \(round): the FIN came with the response")
        }
    }

    func testValidRequestsAreAnsweredInOrder() throws {
        let server = try ServerProcess(["-p", "2"])
        let pipelined = try RawClient.exchange(port: server.port, """
            GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n\
            POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n\
            HEAD /cats/2 HTTP/1.1\r\nHost: a\r\n\r\n\
            GET /cats/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n
            """)
        XCTAssertEqual(pipelined.statuses, [200, 200, 200, 200])
        XCTAssertTrue(pipelined.closed)
        let text = pipelined.text
        let order = ["\"name\":\"Tom\"", "\"body_length\":5", "\"name\":\"Felix\""].map { text.range(of: $0)?.lowerBound }
        XCTAssertFalse(order.contains(nil), text)
        XCTAssertTrue(order.compactMap { $0 }.sorted() == order.compactMap { $0 }, "responses in request order")
        XCTAssertTrue(text.contains("\"framing\":\"chunked\""))
        XCTAssertFalse(text.contains("\"name\":\"Mittens\""), "HEAD has no body")

        let asterisk = try RawClient.exchange(port: server.port, "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(asterisk.statuses, [200])
        XCTAssertTrue(asterisk.text.contains("Allow: GET, HEAD"), "OPTIONS * describes the server")

        let http10 = try RawClient.exchange(port: server.port, "GET /cats/4 HTTP/1.0\r\n\r\n")
        XCTAssertEqual(http10.statuses, [200])
        XCTAssertTrue(http10.closed, "HTTP/1.0 without keep-alive closes")

        let client = try RawClient(port: server.port)
        defer { client.close() }
        client.send("PUT /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        XCTAssertTrue(client.readAvailable().text.hasPrefix("HTTP/1.1 100 Continue\r\n\r\n"), "100 before the body")
        client.send("body")
        let final = client.readAvailable()
        XCTAssertEqual(final.statuses, [200])
        XCTAssertTrue(final.text.contains("\"body_length\":4"))
        client.send("GET /cats/5 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(client.readAvailable().statuses, [200], "the connection is kept alive")
    }

    func testSlowHeadersGet408WhileOthersAreServed() throws {
        let server = try ServerProcess(["-p", "1", "--header-timeout", "1"])
        let slow = try RawClient(port: server.port)
        defer { slow.close() }
        slow.send("GET / HTTP/1.1\r\nHost: a\r\n")
        let start = Date()
        for _ in 0..<5 {
            let reply = try RawClient.exchange(port: server.port, "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            XCTAssertEqual(reply.statuses, [200], "a slow client does not hold the only worker")
        }
        let reply = slow.readAll(timeout: 10)
        XCTAssertEqual(reply.statuses, [408])
        XCTAssertTrue(reply.closed)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.9)
    }

    func testEchoAndSleep() throws {
        let server = try ServerProcess(["-p", "2"])
        let echo = try RawClient.exchange(port: server.port,
                                          "POST /echo?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Odd: caf\u{e9}\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        XCTAssertEqual(echo.statuses, [200])
        let json = try XCTUnwrap(echo.text.components(separatedBy: "\r\n\r\n").last)
        let view = try EchoView(json: Array(json.utf8))
        XCTAssertEqual(view.method, "POST")
        XCTAssertEqual(view.target, "/echo?x=1")
        XCTAssertEqual(view.authority, "example.com")
        XCTAssertEqual(view.bodyLength, 5)
        XCTAssertEqual(view.bodySHA256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertEqual(view.framing, "content-length")
        XCTAssertEqual(view.headers.map(\.name), ["Host", "X-Odd", "Content-Length", "Connection"])
        XCTAssertEqual(view.headers[1], EchoView.Field(name: "X-Odd", value: nil, valueBase64: "Y2Fmw6k="),
                       "non-printable values are base64")

        let started = Date()
        let slept = try RawClient.exchange(port: server.port, "GET /sleep?ms=300 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(slept.statuses, [200])
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.29)
        XCTAssertEqual(try RawClient.exchange(port: server.port, "GET /sleep?ms=x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [400])
    }

    func testEveryResponseNamesItsWorker() throws {
        let server = try ServerProcess(["-p", "2"])
        let reply = try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let line = try XCTUnwrap(reply.text.components(separatedBy: "\r\n").first { $0.hasPrefix("X-Worker: ") })
        let parts = line.dropFirst("X-Worker: ".count).split(separator: "/")
        XCTAssertEqual(parts.count, 3)
        XCTAssertTrue(["1", "2"].contains(String(parts[0])))
        XCTAssertTrue(server.workerPIDs().contains(Int32(parts[1]) ?? -1))
        XCTAssertEqual(parts[2], "1")
    }

    func testAKilledWorkerIsRespawned() throws {
        let server = try ServerProcess(["-p", "2"])
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 2 })
        let victim = try XCTUnwrap(server.workerPIDs().first)
        kill(victim, SIGKILL)
        XCTAssertTrue(ServerProcess.eventually {
            let pids = server.workerPIDs()
            return pids.count == 2 && !pids.contains(victim)
        }, "a replacement worker appears")
        for _ in 0..<10 {
            XCTAssertEqual(try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])
        }
    }

    /// Two workers, one of them busy with GET /sleep?ms=`sleep` on the returned connection.
    private func twoWorkersWithARequestInFlight(sleep: Int) throws -> (ServerProcess, [pid_t], RawClient) {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 2 })
        let workers = server.workerPIDs()
        let inFlight = try RawClient(port: server.port)
        inFlight.send("GET /sleep?ms=\(sleep) HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertTrue(server.someWorkerIsBusy(statsPort: statsPort), "the request is in flight when the stop starts")
        return (server, workers, inFlight)
    }

    func testSIGTERMFinishesInFlightRequestsAndLeavesNoProcess() throws {
        let (server, workers, inFlight) = try twoWorkersWithARequestInFlight(sleep: 700)
        defer { inFlight.close() }
        server.signal(SIGTERM)
        let reply = inFlight.readAll(timeout: 10)
        XCTAssertEqual(reply.statuses, [200], "the request in flight completes")
        XCTAssertTrue(reply.text.contains("Connection: close"), "and its connection is closed after it")
        XCTAssertEqual(server.waitForExit(), 0)
        for pid in workers { XCTAssertEqual(kill(pid, 0), -1, "worker \(pid) is gone") }
    }

    func testAccessLogAndMemoryReportAreOptIn() throws {
        let quiet = try ServerProcess(["-p", "1"])
        _ = try RawClient.exchange(port: quiet.port, "GET /cats/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        quiet.signal(SIGTERM)
        XCTAssertEqual(quiet.waitForExit(), 0)
        XCTAssertFalse(quiet.errorText.contains("GET /cats/2"), "no access log by default")

        let logged = try ServerProcess(["-p", "1", "--access-log", "--memory-report"])
        _ = try RawClient.exchange(port: logged.port, "GET /cats/2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        _ = try RawClient.exchange(port: logged.port, "GET / HTTP/1.1\r\n\r\n")
        logged.signal(SIGTERM)
        XCTAssertEqual(logged.waitForExit(), 0)
        XCTAssertTrue(logged.errorText.contains("GET /cats/2 200 52 "), logged.errorText)
        XCTAssertTrue(logged.errorText.contains("- - 400 "), "refusals are logged too")
        XCTAssertTrue(logged.errorText.contains("memory: rss "), logged.errorText)
    }

    func testSIGINTStopsAtOnce() throws {
        let (server, workers, inFlight) = try twoWorkersWithARequestInFlight(sleep: 20000)
        defer { inFlight.close() }
        server.signal(SIGINT)
        XCTAssertEqual(server.waitForExit(timeout: 15), 0, "a fast stop does not wait for the 20 s request")
        for pid in workers { XCTAssertEqual(kill(pid, 0), -1, "worker \(pid) is gone") }
    }

    func testBadFlagsExitTwoNamingTheFlag() throws {
        let address = try CathammerBinary.run(["serve", "--http", "nowhere"])
        XCTAssertEqual(address.status, 2)
        XCTAssertTrue(address.stderr.contains("--http"), address.stderr)
        let processes = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "-p", "0"])
        XCTAssertEqual(processes.status, 2)
        XCTAssertTrue(processes.stderr.contains("--processes"), processes.stderr)
        let backlog = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--listen", "1000000"])
        XCTAssertEqual(backlog.status, 2)
        XCTAssertTrue(backlog.stderr.contains("somaxconn"), backlog.stderr)
        let app = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--app", "dogserve"])
        XCTAssertEqual(app.status, 2)
        XCTAssertTrue(app.stderr.contains("--app"), app.stderr)
        for bad in ["0", "-1", "many", "1073741825"] {
            let streams = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--http2-max-streams-per-connection", bad])
            XCTAssertEqual(streams.status, 2, bad)
            XCTAssertTrue(streams.stderr.contains("--http2-max-streams-per-connection"), "\(bad): \(streams.stderr)")
        }
    }
}
