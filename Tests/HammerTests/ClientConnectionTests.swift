import CathammerContract
import CTLS
import FakeServers
import Glibc
import XCTest
@testable import Hammer

/// The harness transport against real sockets: cleartext and TLS (a fake TLS server that records
/// the plaintext length of every record it reads, and certificates the test run made).
final class ClientConnectionTests: XCTestCase {
    private var certificates: TestCertificates!
    private var servers: [FakeTLSServer] = []

    override func setUpWithError() throws {
        certificates = try TestCertificates.shared()
    }

    override func tearDown() {
        servers.forEach { $0.stop() }
    }

    private func server(certificate: String? = nil, key: String? = nil, alpn: [String] = ["http/1.1"], maxVersion: Int32? = nil,
                        script: @escaping @Sendable (Int) -> FakeTLSServer.Behaviour = { _ in .answer }) throws -> FakeTLSServer {
        var options = FakeTLSServer.Options(certificate: certificate ?? certificates.serverCertificate, key: key ?? certificates.serverKey)
        options.alpn = alpn
        if let maxVersion { options.maxVersion = maxVersion }
        options.script = script
        let server = try FakeTLSServer(options)
        servers.append(server)
        return server
    }

    private func context(serverName: String? = nil, alpn: [String] = ["http/1.1"],
                         verification: TLSClientSettings.Verification? = nil) throws -> TLSClientContext {
        try TLSClientContext(TLSClientSettings(serverName: serverName, alpn: alpn,
                                               verification: verification ?? .authorities(file: certificates.caCertificate)))
    }

    /// Polls the fake until `condition` holds for its connections (the server reads on its own thread).
    private func waitFor(_ server: FakeTLSServer, _ condition: ([FakeTLSServer.Seen]) -> Bool) -> [FakeTLSServer.Seen] {
        let deadline = MonotonicClock.now() + 10_000_000_000
        while MonotonicClock.now() < deadline {
            if condition(server.seen) { break }
            usleep(5000)
        }
        return server.seen
    }

    func testEachSendIsOneTLSRecordAndBytewiseIsOneRecordPerByte() throws {
        let server = try server()
        let connection = try ClientConnection(to: Endpoint(host: "localhost", port: server.port, tls: try context()))
        defer { connection.close() }
        XCTAssertEqual(connection.send(Array("GET / HTTP/1.1\r\n".utf8)), .complete)
        for byte in "Host: a\r\n".utf8 { XCTAssertEqual(connection.send([byte]), .complete) }
        XCTAssertEqual(connection.send(Array("\r\n".utf8)), .complete)
        let big = [UInt8](repeating: UInt8(ascii: "b"), count: 40_000)
        XCTAssertEqual(connection.send(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 40000\r\n\r\n".utf8) + big), .complete)
        let expected = [16] + Array(repeating: 1, count: 9) + [2] + [16384, 16384, 40_051 - 2 * 16384]
        let seen = waitFor(server) { ($0.first?.records.count ?? 0) >= expected.count }
        XCTAssertEqual(seen.first?.records, expected, "one record per send, one per byte bytewise, 16 KiB records above that")
        XCTAssertEqual(connection.recordsSent, expected.count)
        let reply = connection.readUntilClosed(idleTimeout: 2, returnAfterData: true)
        XCTAssertTrue(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"), "answered over TLS")
    }

    func testAResponseFollowedByAResetIsStillRead() throws {
        let server = try server { _ in .answerThenReset }
        let connection = try ClientConnection(to: Endpoint(host: "127.0.0.1", port: server.port, tls: try context(verification: TLSClientSettings.Verification.none)))
        defer { connection.close() }
        connection.send(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        let reply = connection.readUntilClosed(idleTimeout: 5)
        XCTAssertEqual(String(decoding: reply.bytes, as: UTF8.self), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok 0\n",
                       "the decrypted answer comes before the reset")
        XCTAssertEqual(reply.ending, .reset)
        XCTAssertEqual(connection.receive(timeout: 1), .ended(.reset), "later reads report the same ending")
    }

    func testHalfCloseSendsCloseNotifyAndTheAnswerStillArrives() throws {
        let server = try server()
        let connection = try ClientConnection(to: Endpoint(host: "localhost", port: server.port, tls: try context()))
        defer { connection.close() }
        connection.send(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        connection.halfClose()
        XCTAssertEqual(connection.send(Array("late".utf8)), .failed(written: 0, errno: EPIPE), "nothing leaves after a half-close")
        let reply = connection.readUntilClosed(idleTimeout: 5)
        XCTAssertTrue(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
        XCTAssertEqual(reply.ending, .eof, "the server's close_notify ends the stream")
        XCTAssertEqual(waitFor(server) { $0.first?.closeNotify == true }.first?.closeNotify, true, "the server read our close_notify")
    }

    func testServerNameIsSentForNamesAndNotForAddresses() throws {
        let server = try server()
        for (host, serverName) in [("localhost", "localhost"), ("127.0.0.1", nil), ("127.0.0.1", "other.test")] {
            let settings = TLSClientSettings(serverName: serverName ?? TLSClientSettings.defaultServerName(host: host),
                                             verification: serverName == "other.test" ? .none : .authorities(file: certificates.caCertificate))
            try ClientConnection(to: Endpoint(host: host, port: server.port, tls: try TLSClientContext(settings))).close()
        }
        let seen = waitFor(server) { $0.count == 3 && $0.allSatisfy(\.handshakeCompleted) }
        XCTAssertEqual(seen.map(\.serverName), ["localhost", nil, "other.test"])
    }

    func testALPNIsOfferedAndTheServersChoiceReadBack() throws {
        let plain = try server(alpn: ["http/1.1"])
        let both = try server(alpn: ["h2", "http/1.1"])
        let none = try server(alpn: [])
        let offer = try context(alpn: ["h2", "http/1.1"])
        func negotiated(_ server: FakeTLSServer, _ context: TLSClientContext) throws -> String? {
            let connection = try ClientConnection(to: Endpoint(host: "localhost", port: server.port, tls: context))
            defer { connection.close() }
            return connection.tls?.alpn
        }
        XCTAssertEqual(try negotiated(plain, offer), "http/1.1")
        XCTAssertEqual(try negotiated(both, offer), "h2", "the server's preference among what we offered")
        XCTAssertNil(try negotiated(none, offer), "a server without ALPN selects nothing")
        XCTAssertEqual(try negotiated(both, try context(alpn: ["http/1.1"])), "http/1.1")
    }

    func testVerificationAgainstACAFileTheSystemStoreOrNothing() throws {
        let good = try server()
        let otherName = try server(certificate: certificates.otherNameCertificate, key: certificates.otherNameKey)
        let selfSigned = try server(certificate: certificates.selfSignedCertificate, key: certificates.selfSignedKey)
        func reason(_ server: FakeTLSServer, host: String = "localhost", _ verification: TLSClientSettings.Verification) -> String? {
            let context = try? TLSClientContext(TLSClientSettings(serverName: TLSClientSettings.defaultServerName(host: host),
                                                                 verification: verification))
            do {
                try ClientConnection(to: Endpoint(host: host, port: server.port, tls: context), timeout: 5).close()
                return nil
            } catch {
                guard case .tlsVerification(_, let reason) = error else { return "not a verification failure: \(error)" }
                return reason
            }
        }
        let ca = TLSClientSettings.Verification.authorities(file: certificates.caCertificate)
        XCTAssertNil(reason(good, ca))
        XCTAssertNil(reason(good, host: "127.0.0.1", ca), "the address is checked against the certificate's IP names")
        XCTAssertEqual(reason(good, .systemStore), "unable to get local issuer certificate", "the test CA is in no system store")
        XCTAssertEqual(reason(otherName, ca), "hostname mismatch")
        XCTAssertEqual(reason(otherName, host: "127.0.0.1", ca), "IP address mismatch")
        XCTAssertEqual(reason(selfSigned, ca), "self-signed certificate")
        for server in [good, otherName, selfSigned] { XCTAssertNil(reason(server, .none), "--insecure accepts anything") }
        do {
            try ClientConnection(to: Endpoint(host: "localhost", port: otherName.port, tls: try context())).close()
            XCTFail("the wrong name must not verify")
        } catch {
            XCTAssertTrue("\(error)".contains("the server's certificate did not verify: hostname mismatch (RFC 9110 §4.3.4"), "\(error)")
        }
    }

    func testALaterConnectionResumesTheSessionUnlessAskedNotTo() throws {
        for version in [TLS1_3_VERSION, TLS1_2_VERSION] {
            let server = try server(maxVersion: version)
            let context = try context()
            let endpoint = Endpoint(host: "localhost", port: server.port, tls: context)
            func exchange(offerSession: Bool) throws -> TLSSessionInfo? {
                let connection = try ClientConnection(to: endpoint, offerSession: offerSession)
                defer { connection.close() }
                // TLS 1.3 tickets arrive after the handshake: the answer's read takes them in.
                connection.send(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
                _ = connection.readUntilClosed(idleTimeout: 2, returnAfterData: true)
                return connection.tls
            }
            let first = try exchange(offerSession: true)
            XCTAssertEqual(first?.offeredSession, false, "nothing to offer yet")
            XCTAssertEqual(first?.resumed, false)
            XCTAssertEqual(first?.version, version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2")
            let second = try exchange(offerSession: true)
            XCTAssertEqual(second?.offeredSession, true)
            XCTAssertEqual(second?.resumed, true, "\(first?.version ?? ""): the second connection resumes")
            let fresh = try exchange(offerSession: false)
            XCTAssertEqual(fresh?.offeredSession, false)
            XCTAssertEqual(fresh?.resumed, false, "a fresh connection makes a full handshake")
            XCTAssertEqual(waitFor(server) { $0.count == 3 }.map(\.resumed), [false, true, false], "the server agrees")
        }
    }

    func testAnAbortedHandshakeIsATLSFailureWithItsReason() throws {
        let server = try server { _ in .abortHandshake }
        XCTAssertThrowsError(try ClientConnection(to: Endpoint(host: "localhost", port: server.port, tls: try context()))) { error in
            guard let failure = error as? TransportError else { return XCTFail("\(error)") }
            XCTAssertTrue(failure.isTLS)
            XCTAssertTrue(failure.description.hasPrefix("TLS handshake with localhost:\(server.port) failed: the server closed the connection during the handshake"),
                          failure.description)
        }
    }

    /// The fuzzer's executor goes through the transport: each segment one record, then close_notify.
    func testTheFuzzExecutorWritesEachSegmentAsOneRecordAndHalfCloses() throws {
        let server = try server()
        let executor = FuzzExecutor(endpoint: Endpoint(host: "localhost", port: server.port, tls: try context()), timeout: 5, quiet: 0.5)
        let input = FuzzInput(segments: [Array("GET / HT".utf8), Array("TP/1.1\r\nHost: {host}\r\n".utf8), Array("\r\n".utf8)])
        let observation = executor.execute(input, expectation: Oracle.expect(input.filled(authority: executor.authority)))
        XCTAssertEqual(observation.statuses, [200])
        let seen = waitFor(server) { $0.first?.closeNotify == true }
        XCTAssertEqual(seen.first?.records, [8, 14 + "localhost:\(server.port)".utf8.count + 2, 2])
        XCTAssertEqual(seen.first?.closeNotify, true, "the half-close is close_notify, then SHUT_WR")
        XCTAssertEqual(executor.sessions.all.map(\.version), ["TLSv1.3"], "the executor keeps each connection's TLS for the report")
    }

    func testCleartextConnectsReadsAndReportsRefusals() throws {
        let lenient = try FakeLenientServer()
        defer { lenient.stop() }
        let connection = try ClientConnection(to: .loopback(lenient.port))
        XCTAssertNil(connection.tls)
        connection.send(Array("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))
        let reply = connection.readUntilClosed()
        XCTAssertEqual(String(decoding: reply.bytes, as: UTF8.self), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok 0\n")
        XCTAssertEqual(reply.ending, .eof)
        XCTAssertEqual(connection.recordsSent, 0)
        connection.close()
        connection.close()
        XCTAssertThrowsError(try ClientConnection(to: .loopback(1))) { error in
            XCTAssertEqual(error as? TransportError, .refused(authority: "127.0.0.1:1"))
        }
    }
}
