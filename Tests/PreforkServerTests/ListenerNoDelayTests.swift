import Glibc
import XCTest
@testable import PreforkServer

/// The worker no longer sets TCP_NODELAY on each accepted socket: it relies on Linux copying the
/// listener's option into the sockets accept() returns. These tests hold the kernel to that.
final class ListenerNoDelayTests: XCTestCase {
    func testAnAcceptedSocketInheritsTCPNoDelayFromItsListener() throws {
        XCTAssertEqual(try acceptedNoDelay(host: "127.0.0.1", listenerSet: true), 1)
    }

    func testWithoutTheListenerOptionAnAcceptedSocketHasNagle() throws {
        // The control: the option an accepted socket has comes from the listener, not a default.
        XCTAssertEqual(try acceptedNoDelay(host: "127.0.0.1", listenerSet: false), 0)
    }

    func testTheInheritanceHoldsForIPv6() throws {
        // Loopback ::1 exists on the machines the tests run on; a machine without it fails here.
        XCTAssertEqual(try acceptedNoDelay(host: "::1", listenerSet: true), 1)
    }

    func testAReusePortListenerPassesItOnToo() throws {
        let reserved = try Listener.reserve(ListenAddress(host: "127.0.0.1", port: 0))
        defer { close(reserved.fd) }
        let listener = try Listener.openReusePort(like: reserved.fd, backlog: 8)
        defer { close(listener) }
        Listener.passNoDelayToAcceptedSockets(listener)
        XCTAssertEqual(try acceptOne(from: listener, port: reserved.port, host: "127.0.0.1"), 1)
    }

    /// TCP_NODELAY of the server side of one loopback connection.
    private func acceptedNoDelay(host: String, listenerSet: Bool) throws -> Int32 {
        let opened = try Listener.open(ListenAddress(host: host, port: 0), backlog: 8)
        defer { close(opened.fd) }
        if listenerSet { Listener.passNoDelayToAcceptedSockets(opened.fd) }
        return try acceptOne(from: opened.fd, port: opened.port, host: host)
    }

    private func acceptOne(from listener: Int32, port: UInt16, host: String) throws -> Int32 {
        let client = try connectBlocking(host: host, port: port)
        defer { close(client) }
        var pollEntry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pollEntry, 1, 5_000), 1, "the connection never reached the listener")
        let accepted = accept(listener, nil, nil)
        guard accepted >= 0 else { throw SystemError("accept4") }
        defer { close(accepted) }
        var value: Int32 = -1
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(accepted, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length) == 0 else {
            throw SystemError("getsockopt")
        }
        return value
    }

    private func connectBlocking(host: String, port: UInt16) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else {
            throw SystemError("getaddrinfo \(host)", code: 0)
        }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let error = SystemError("connect \(host):\(port)")
            close(fd)
            throw error
        }
        return fd
    }
}
