import CLinuxShim
import Glibc
import XCTest
@testable import PreforkServer

/// The pure parts of the TLS listener: readiness mapping, SNI selection, ALPN lists, ticket keys.
final class TLSPiecesTests: XCTestCase {
    private let readable = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
    private let writable = EPOLLOUT.rawValue

    func testPlainWaitsReadOnReadableAndWriteOnWritable() {
        let waits = TransportWaits()
        XCTAssertEqual(waits.events(wantsInput: true, wantsOutput: false), readable)
        XCTAssertEqual(waits.events(wantsInput: false, wantsOutput: true), writable)
        XCTAssertEqual(waits.events(wantsInput: true, wantsOutput: true), readable | writable)
        XCTAssertEqual(waits.events(wantsInput: false, wantsOutput: false), 0)
        XCTAssertTrue(waits.readiness(EPOLLIN.rawValue) == (input: true, output: false))
        XCTAssertTrue(waits.readiness(EPOLLRDHUP.rawValue) == (input: true, output: false))
        XCTAssertTrue(waits.readiness(EPOLLOUT.rawValue) == (input: false, output: true))
        XCTAssertTrue(waits.readiness(EPOLLHUP.rawValue) == (input: true, output: false), "a hang-up is found by reading")
        XCTAssertTrue(waits.readiness(EPOLLERR.rawValue | EPOLLOUT.rawValue) == (input: true, output: true))
    }

    /// SSL_read that wants to write waits for EPOLLOUT, and EPOLLOUT then lets it read again.
    func testAReadThatNeedsToWriteWaitsForWritable() {
        let waits = TransportWaits(readNeedsWritable: true)
        XCTAssertEqual(waits.events(wantsInput: true, wantsOutput: false), writable)
        XCTAssertTrue(waits.readiness(EPOLLOUT.rawValue) == (input: true, output: true))
        XCTAssertTrue(waits.readiness(EPOLLIN.rawValue) == (input: false, output: false))
        XCTAssertTrue(waits.readiness(EPOLLHUP.rawValue) == (input: true, output: false))
    }

    /// SSL_write that wants to read waits for EPOLLIN, and EPOLLIN then lets it write again.
    func testAWriteThatNeedsToReadWaitsForReadable() {
        let waits = TransportWaits(writeNeedsReadable: true)
        XCTAssertEqual(waits.events(wantsInput: false, wantsOutput: true), readable)
        XCTAssertEqual(waits.events(wantsInput: true, wantsOutput: true), readable)
        XCTAssertTrue(waits.readiness(EPOLLIN.rawValue) == (input: true, output: true))
        XCTAssertTrue(waits.readiness(EPOLLOUT.rawValue) == (input: false, output: false))
    }

    func testAPendingCloseNotifyWaitsForWritableWhileDraining() {
        let waits = TransportWaits(closeNotifyPending: true)
        XCTAssertEqual(waits.events(wantsInput: true, wantsOutput: false), readable | writable)
        XCTAssertEqual(waits.events(wantsInput: false, wantsOutput: false), writable)
    }

    func testSNISelectsExactNamesThenWildcardsElseTheDefault() {
        let table = SNITable(patterns: ["api.example.com", "*.example.com", "API.example.com", "*.cats.test"])
        XCTAssertEqual(table.select("api.example.com"), 0)
        XCTAssertEqual(table.select("API.Example.COM."), 0, "case and a trailing dot do not matter")
        XCTAssertEqual(table.select("www.example.com"), 1)
        XCTAssertNil(table.select("a.b.example.com"), "a wildcard covers one label")
        XCTAssertNil(table.select("example.com"), "nor the parent itself")
        XCTAssertEqual(table.select("tom.cats.test"), 3)
        XCTAssertNil(table.select("localhost"))
        XCTAssertNil(table.select(""))
    }

    func testSNIFlagShapes() throws {
        let parsed = try SNICertificate.parse("Api.Example.com=/c/api.pem,/c/api.key").get()
        XCTAssertEqual(parsed.name, "api.example.com")
        XCTAssertEqual(parsed.pair, CertificatePair(certificate: "/c/api.pem", privateKey: "/c/api.key"))
        XCTAssertEqual(try SNICertificate.parse("*.cats.test=a.pem,a.key").get().name, "*.cats.test")
        for bad in ["api.example.com", "api.example.com=a.pem", "api.example.com=a.pem,", "=a.pem,a.key",
                    "bad name=a.pem,a.key", "a..b=a.pem,a.key", "*=a.pem,a.key", "a.*.b=a.pem,a.key", "x=a,b,c"] {
            guard case .failure(let error) = SNICertificate.parse(bad) else { return XCTFail("\(bad) accepted") }
            XCTAssertTrue(error.description.contains("--tls-sni"), error.description)
        }
    }

    func testALPNListComesFromTheSessionProtocols() {
        XCTAssertEqual(SessionProtocol.alpnWireFormat([.http1]), [8] + Array("http/1.1".utf8))
        XCTAssertEqual(SessionProtocol(alpnIdentifier: "http/1.1"), .http1)
        XCTAssertNil(SessionProtocol(alpnIdentifier: "spdy/3"))
        let settings = WorkerSettings(id: 1, generation: 1, limits: .defaults,
                                      connectionTimeouts: .init(keepAliveIdle: 1, header: 1, bodyIdle: 1, write: 1, drain: 1),
                                      maxConnections: 1, retireIdleGrace: 1)
        XCTAssertEqual(settings.sessionProtocols.first, .http1, "HTTP/1.1 is offered")
    }

    /// kTLS is asked for only when the kernel lists the `tls` upper-layer protocol.
    func testTheKernelsUpperLayerListIsReadByName() {
        XCTAssertEqual(TCPUpperLayers.list("mptcp\n"), ["mptcp"])
        XCTAssertTrue(TCPUpperLayers.list("mptcp tls\n").contains("tls"))
        XCTAssertFalse(TCPUpperLayers.list("tlsx mptcp").contains("tls"))
        XCTAssertEqual(TCPUpperLayers.list(""), [])
    }

    func testTheRingKeepsTheCurrentKeyAndTwoBefore() throws {
        let keys = try (0..<5).map { _ in try TicketKeyRing.freshKey() }
        XCTAssertEqual(Set(keys).count, 5, "fresh keys are random")
        XCTAssertTrue(keys.allSatisfy { $0.count == 80 })
        var ring = TicketKeyRing(keys: [keys[0]])
        ring.rotate(to: keys[1])
        XCTAssertEqual(ring.keys, [keys[1], keys[0]])
        ring.rotate(to: keys[2])
        ring.rotate(to: keys[3])
        XCTAssertEqual(ring.keys, [keys[3], keys[2], keys[1]], "newest first, the oldest beyond three forgotten")
        XCTAssertEqual(ring.concatenated, keys[3] + keys[2] + keys[1])
        XCTAssertEqual(TicketKeyRing.retainedRotations, 2)
    }

    func testTicketsAreAnnouncedForAsLongAsTheirKeyIsKept() {
        let pair = CertificatePair(certificate: "c", privateKey: "k")
        XCTAssertEqual(TLSSettings(defaultCertificate: pair, ticketRotation: 3600).ticketLifetime, 7200)
        XCTAssertEqual(TLSSettings(defaultCertificate: pair, ticketRotation: 30 * 24 * 3600).ticketLifetime, 7 * 24 * 3600,
                       "RFC 8446 §4.6.1 caps a ticket's lifetime at seven days")
    }

    func testTheNextRotationFollowsThePublishedOne() {
        XCTAssertEqual(TicketKeyRing.nextRotation(rotatedAt: 1_000, interval: 500, now: 1_200), 1_500)
        XCTAssertEqual(TicketKeyRing.nextRotation(rotatedAt: 1_000, interval: 500, now: 9_000), 9_000, "overdue: now")
    }

    /// The master's page, mapped a second time as a worker maps it: same keys, a new sequence per
    /// publication, the rotation count and time carried along.
    func testTheKeyPageIsSharedThroughItsFile() throws {
        let first = try TicketKeyRing.fresh()
        let master = try TicketKeyStore(publishing: first, rotatedAt: 123)
        let worker = try TicketKeyStore(fd: master.fd)
        let seen = try XCTUnwrap(worker.read())
        XCTAssertEqual(seen.ring, first)
        XCTAssertEqual(seen.rotatedAt, 123)
        XCTAssertEqual(seen.rotations, 0)
        XCTAssertEqual(seen.sequence % 2, 0, "a consistent read sees an even sequence")
        XCTAssertEqual(worker.sequence, seen.sequence)

        var rotated = first
        rotated.rotate(to: try TicketKeyRing.freshKey())
        master.publish(rotated, rotatedAt: 456, rotations: 1)
        XCTAssertNotEqual(worker.sequence, seen.sequence, "a worker notices with one load")
        let after = try XCTUnwrap(worker.read())
        XCTAssertEqual(after.ring, rotated)
        XCTAssertEqual(after.ring.keys.count, 2)
        XCTAssertEqual(after.rotatedAt, 456)
        XCTAssertEqual(after.rotations, 1)
        close(master.fd)
    }

    func testAWorkerThatLeavesGivesNewConnectionsItsGrace() {
        var retirement = WorkerRetirement()
        XCTAssertNil(retirement.connectionGrace)
        _ = retirement.handle(.limitReached(.maxRequests))
        XCTAssertNil(retirement.connectionGrace)
        _ = retirement.handle(.retire(grace: 7))
        XCTAssertEqual(retirement.connectionGrace, 7)
        _ = retirement.handle(.stop)
        XCTAssertEqual(retirement.connectionGrace, 0)
    }

    /// A handler swapped for a registered fd gets the next event; the registration stays.
    func testReplacingAHandlerKeepsTheRegistration() throws {
        final class Recorder: EventHandler {
            var events = 0
            let fd: Int32
            init(fd: Int32) { self.fd = fd }
            func handleEvents(_ events: UInt32, loop: EventLoop) {
                self.events += 1
                var value: UInt64 = 0
                _ = read(fd, &value, 8)
                loop.stop()
            }
        }
        let loop = try EventLoop()
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        defer { close(fd) }
        let first = Recorder(fd: fd), second = Recorder(fd: fd)
        try loop.register(fd, events: EPOLLIN.rawValue, handler: first)
        loop.replaceHandler(of: fd, with: second)
        XCTAssertTrue(loop.isRegistered(fd))
        var one: UInt64 = 1
        XCTAssertEqual(write(fd, &one, 8), 8)
        loop.run()
        XCTAssertEqual(first.events, 0)
        XCTAssertEqual(second.events, 1)
        loop.replaceHandler(of: fd + 1000, with: first)
        XCTAssertFalse(loop.isRegistered(fd + 1000), "an fd that is not registered stays so")
    }
}
