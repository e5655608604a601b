import CathammerContract
import CTLS
import Foundation
import Glibc
import FakeServers
import XCTest

/// Session resumption across workers, reloads and re-execs, and certificates re-read on SIGHUP.
final class TLSReloadTests: XCTestCase {
    private static let get = "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"

    /// One request on a fresh TLS connection: whether it resumed, and the X-Worker it was answered by
    /// (`id/pid/generation`).
    private func exchange(_ port: UInt16, resuming session: TLSTestSession?) throws
        -> (resumed: Bool, worker: String, session: TLSTestSession?, commonName: String?)
    {
        let client = try TLSTestClient(port: port, .init(session: session))
        client.send(Self.get)
        let reply = client.readUntilClosed()
        let worker = reply.text.components(separatedBy: "\r\n").first { $0.hasPrefix("X-Worker: ") }?.dropFirst(10)
        return (client.resumed, worker.map(String.init) ?? "", client.session(), client.peerCommonName)
    }

    private func settled(_ statsPort: UInt16, count: Int, generation: Int) -> Bool {
        ServerProcess.eventually(timeout: 40) {
            let rows = fetchStatsWorkers(port: statsPort)
            return rows.count == count && rows.allSatisfy { $0.generation == generation && $0.state == "ready" }
        }
    }

    /// A copy of a certificate pair at paths the test can overwrite.
    private func workingPair(_ source: TestCertificates.Pair, in certificates: TestCertificates) throws -> (certificate: String, key: String) {
        let stem = certificates.folder + "/live-\(UInt32.random(in: 0...UInt32.max))"
        try copy(source, to: (stem + ".pem", stem + ".key"))
        return (stem + ".pem", stem + ".key")
    }

    private func copy(_ source: TestCertificates.Pair, to target: (certificate: String, key: String)) throws {
        try Data(contentsOf: URL(fileURLWithPath: source.certificate)).write(to: URL(fileURLWithPath: target.certificate))
        try Data(contentsOf: URL(fileURLWithPath: source.key)).write(to: URL(fileURLWithPath: target.key))
    }

    func testATicketMintedByOneWorkerResumesOnAnotherAndAfterSIGHUP() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "2", "--accept", "plain", "--stats", "127.0.0.1:0"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 1))
        let first = try exchange(port, resuming: nil)
        XCTAssertFalse(first.resumed)
        let ticket = try XCTUnwrap(first.session, "the server issued a session ticket")

        // Every worker takes connections (plain accept: whoever wins); resume until another one answered.
        let minter = first.worker.split(separator: "/").first
        var otherWorker: String?
        for _ in 0..<200 where otherWorker == nil {
            let again = try exchange(port, resuming: ticket)
            XCTAssertTrue(again.resumed, "every worker decrypts every ticket (answered by \(again.worker))")
            if again.worker.split(separator: "/").first != minter { otherWorker = again.worker }
        }
        XCTAssertNotNil(otherWorker, "a second worker answered within 200 connections")
        XCTAssertGreaterThan(workerTotal(statsPort, \.tlsResumed), 0)

        // An independent client: openssl s_client writes the session and resumes from the file.
        let sessionFile = certificates.folder + "/session-\(getpid()).pem"
        defer { try? FileManager.default.removeItem(atPath: sessionFile) }
        let out = try runBounded(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-sess_out", sessionFile, "-ign_eof"],
                                 input: Self.get)
        XCTAssertTrue(out.output.contains("New, TLSv1.3"), out.output)
        let resumedByFile = try runBounded(["openssl", "s_client", "-connect", "127.0.0.1:\(port)", "-sess_in", sessionFile, "-ign_eof"],
                                           input: Self.get)
        XCTAssertTrue(resumedByFile.output.contains("Reused, TLSv1.3"), resumedByFile.output)

        // A new generation of workers resumes the same ticket.
        server.signal(SIGHUP)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 2))
        let afterReload = try exchange(port, resuming: ticket)
        XCTAssertTrue(afterReload.resumed, "the ticket survives the roll")
        XCTAssertTrue(afterReload.worker.hasSuffix("/2"), afterReload.worker)
    }

    func testAReexecutedMasterKeepsTheTicketKeys() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 1, generation: 1))
        let ticket = try XCTUnwrap(try exchange(port, resuming: nil).session)
        server.signal(SIGUSR2)
        XCTAssertTrue(settled(statsPort, count: 1, generation: 2))
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.pid, Int(server.pid), "the same master process, a new image")
        let resumed = try exchange(port, resuming: ticket)
        XCTAssertTrue(resumed.resumed, "the new image adopted the ticket keys")
        XCTAssertTrue(resumed.worker.hasSuffix("/2"), resumed.worker)
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.listeners.split(separator: " ").count, 2, "both listeners adopted")
    }

    /// A TLS 1.3 resumption gets a fresh ticket (as from nginx): a client that always resumes with
    /// its newest ticket, as wrk does, keeps resuming instead of a full handshake every other time.
    func testATLS13ResumptionIsGivenANewTicket() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1"] + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort)
        let first = try XCTUnwrap(try exchange(port, resuming: nil).session)
        let resumed = try exchange(port, resuming: first)
        XCTAssertTrue(resumed.resumed)
        let second = try XCTUnwrap(resumed.session)
        XCTAssertNotEqual(Self.ticket(second), Self.ticket(first), "the resumption brought a new ticket")
        XCTAssertTrue(try exchange(port, resuming: second).resumed, "and the new ticket resumes")
    }

    private static func ticket(_ session: TLSTestSession) -> [UInt8] {
        var bytes: UnsafePointer<UInt8>?
        var length = 0
        SSL_SESSION_get0_ticket(session.pointer, &bytes, &length)
        return bytes.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
    }

    func testRotatedTicketKeysStillDecryptTicketsOfThePreviousKey() throws {
        let certificates = try TestCertificates.shared()
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0", "--tls-ticket-rotation", "4s"]
            + certificates.serveArguments())
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        let ticket = try XCTUnwrap(try exchange(port, resuming: nil).session)
        XCTAssertTrue(ServerProcess.eventually { (fetchStatsMaster(port: statsPort)?.ticketKeyRotations ?? 0) >= 1 })
        XCTAssertTrue(try exchange(port, resuming: ticket).resumed, "the previous key still decrypts")
        XCTAssertTrue(try exchange(port, resuming: nil).session != nil, "the new key mints tickets")
    }

    func testSIGHUPReadsTheCertificatesAgain() throws {
        let certificates = try TestCertificates.shared()
        let live = try workingPair(certificates.ecdsa, in: certificates)
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0", "--https", "127.0.0.1:0",
                                        "--tls-cert", live.certificate, "--tls-key", live.key])
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertEqual(try exchange(port, resuming: nil).commonName, "localhost")

        try copy(certificates.second, to: live)
        server.signal(SIGHUP)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 2))
        for _ in 0..<4 { XCTAssertEqual(try exchange(port, resuming: nil).commonName, "second.test", "new connections see the new certificate") }
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.failedReloads, 0)
    }

    func testABrokenCertificateOnSIGHUPAbortsTheRollAndTheOldOneServes() throws {
        let certificates = try TestCertificates.shared()
        let live = try workingPair(certificates.ecdsa, in: certificates)
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0", "--https", "127.0.0.1:0",
                                        "--tls-cert", live.certificate, "--tls-key", live.key])
        let port = try XCTUnwrap(server.httpsPort), statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 1))
        let before = Set(server.workerPIDs())

        try Data(contentsOf: URL(fileURLWithPath: certificates.broken)).write(to: URL(fileURLWithPath: live.certificate))
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually { fetchStatsMaster(port: statsPort)?.failedReloads == 1 }, "the roll is refused")
        XCTAssertEqual(Set(server.workerPIDs()), before, "no worker was touched")
        XCTAssertEqual(try exchange(port, resuming: nil).commonName, "localhost", "the old certificate is still served")
        XCTAssertTrue(ServerProcess.eventually { server.errorSoFar.contains("reload refused") && server.errorSoFar.contains(live.certificate) },
                      server.errorSoFar)

        // A key that does not match the certificate is refused the same way.
        try copy(certificates.ecdsa, to: live)
        try Data(contentsOf: URL(fileURLWithPath: certificates.strayKey)).write(to: URL(fileURLWithPath: live.key))
        server.signal(SIGHUP)
        XCTAssertTrue(ServerProcess.eventually { fetchStatsMaster(port: statsPort)?.failedReloads == 2 })
        XCTAssertEqual(Set(server.workerPIDs()), before)

        try copy(certificates.second, to: live)
        server.signal(SIGHUP)
        XCTAssertTrue(settled(statsPort, count: 2, generation: 2), "a good certificate rolls in")
        XCTAssertEqual(fetchStatsMaster(port: statsPort)?.reloads, 1)
        XCTAssertEqual(try exchange(port, resuming: nil).commonName, "second.test")
    }
}
