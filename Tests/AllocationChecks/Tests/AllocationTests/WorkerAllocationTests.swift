import CMallocCounter
import Foundation
import Glibc
import XCTest
@testable import PreforkServer

/// The worker's hot path for a keep-alive GET of a small page: read, parse, route, write — with no
/// heap allocation per request. A real worker runs on a thread of this process over a real socket.
final class WorkerAllocationTests: XCTestCase {
    func testKeepAliveGetAllocatesNothing() throws {
        let address = try XCTUnwrap(ListenAddressValue("127.0.0.1:0"))
        let config = ServerConfig(address: address, processes: 1)
        let (listener, port) = try Listener.open(address.address, backlog: 16)
        let (masterEnd, workerEnd) = try ControlChannel.pair()
        let worker = try Worker(settings: config.workerSettings(id: 1, generation: 1),
                                listeners: [WorkerListener(fd: listener, scheme: .http)],
                                controlFD: workerEnd.fd, application: CatserveApp(), scoreboard: nil)
        let finished = DispatchSemaphore(value: 0)
        // The worker is used by its thread only, until `finished` says it is done.
        let box = UncheckedSendable(worker)
        let thread = Thread {
            malloc_counter_watch_this_thread()
            _ = try? box.value.run()
            finished.signal()
        }
        thread.start()

        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        target.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        let request = Array("GET /cats/1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n".utf8)
        var reply = [UInt8](repeating: 0, count: 4096)
        // One request, one complete response (the body ends with "}\n"); raw syscalls only, so
        // the client side adds no allocation to the count.
        func roundTrip() -> Bool {
            guard request.withUnsafeBytes({ send(client, $0.baseAddress, $0.count, 0) }) == request.count else { return false }
            var received = 0
            while true {
                let count = reply.withUnsafeMutableBytes { recv(client, $0.baseAddress! + received, $0.count - received, 0) }
                guard count > 0 else { return false }
                received += count
                if received >= 2 && reply[received - 2] == 0x7D && reply[received - 1] == 0x0A { return true }
            }
        }
        for _ in 0..<200 { XCTAssertTrue(roundTrip()) }  // warm up: buffers reach their size
        malloc_counter_start()
        var completed = 0
        for _ in 0..<2000 where roundTrip() { completed += 1 }
        let allocations = malloc_counter_stop()
        XCTAssertEqual(completed, 2000)
        XCTAssertEqual(allocations, 0, "heap allocations for 2000 keep-alive GETs (worker and client together)")

        masterEnd.send(.quit)
        XCTAssertEqual(finished.wait(timeout: .now() + 10), .success)
        masterEnd.close()
        close(listener)
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
