import CLinuxShim
import Glibc
import XCTest

/// The shim exposes what Glibc hides; these calls fail to compile or link without it.
final class CLinuxShimTests: XCTestCase {
    func testEpollSeesAReadablePipe() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(linux_pipe2(&fds, Int32(O_CLOEXEC | O_NONBLOCK)), 0)
        defer { close(fds[0]); close(fds[1]) }
        XCTAssertNotEqual(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, 0)

        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        XCTAssertGreaterThanOrEqual(epoll, 0)
        defer { close(epoll) }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = fds[0]
        XCTAssertEqual(epoll_ctl(epoll, EPOLL_CTL_ADD, fds[0], &event), 0)
        XCTAssertEqual(write(fds[1], "x", 1), 1)
        var ready = [epoll_event](repeating: epoll_event(), count: 4)
        XCTAssertEqual(epoll_wait(epoll, &ready, 4, 1000), 1)
        XCTAssertEqual(ready[0].data.fd, fds[0])
    }

    func testEventfdCountsWrites() {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        var one: UInt64 = 1
        XCTAssertEqual(write(fd, &one, 8), 8)
        XCTAssertEqual(write(fd, &one, 8), 8)
        var total: UInt64 = 0
        XCTAssertEqual(read(fd, &total, 8), 8)
        XCTAssertEqual(total, 2)
    }

    func testAccept4OnANonListeningSocketFailsCleanly() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        XCTAssertEqual(linux_accept4(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue)), -1)
        XCTAssertEqual(errno, EINVAL)
    }

    func testMemmemFindsANeedle() {
        let haystack = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        let needle = Array("\r\n\r\n".utf8)
        let found = haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { linux_memmem(hay.baseAddress, hay.count, $0.baseAddress, $0.count) }
                .map { $0 - UnsafeMutableRawPointer(mutating: hay.baseAddress!) }
        }
        XCTAssertEqual(found, 14)
    }
}
