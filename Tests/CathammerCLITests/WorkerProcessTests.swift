import CathammerContract
import Foundation
import Glibc
import Hammer
import XCTest

/// What a worker process inherits and how it behaves at its limits.
final class WorkerProcessTests: XCTestCase {
    private func fdTargets(_ pid: Int32) -> [Int: String] {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var targets: [Int: String] = [:]
        for name in names {
            guard let fd = Int(name), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)") else { continue }
            targets[fd] = target
        }
        return targets
    }

    func testWorkersInheritOnlyTheirFdsAndACleanSignalMask() throws {
        let server = try ServerProcess(["-p", "2"])
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 2 })
        for pid in server.workerPIDs() {
            let targets = fdTargets(pid)
            // stdio, listener (3), control channel (4), scoreboard (5), then the worker's own epoll and signalfd.
            XCTAssertTrue(targets[3]?.hasPrefix("socket:") ?? false, "\(targets)")
            XCTAssertTrue(targets[4]?.hasPrefix("socket:") ?? false, "\(targets)")
            XCTAssertTrue(targets[5]?.contains("cathammer-scoreboard") ?? false, "\(targets)")
            let extra = targets.filter { $0.key > 5 }.values.sorted()
            XCTAssertEqual(extra, ["anon_inode:[eventpoll]", "anon_inode:[signalfd]"], "no fd leaks from the master: \(targets)")

            let status = try XCTUnwrap(ProcessStatusFile.read(pid: pid))
            func mask(_ name: String) -> UInt64 { status.signalMask(name) ?? .max }
            // Blocked: only SIGINT, SIGQUIT, SIGTERM (read through the worker's signalfd), none of the master's.
            XCTAssertEqual(mask("SigBlk"), 1 << (SIGINT - 1) | 1 << (SIGQUIT - 1) | 1 << (SIGTERM - 1))
            // Standard signals only: the C library reserves signals 32 and 33 for itself.
            XCTAssertEqual(mask("SigIgn") & 0x7FFF_FFFF, 1 << (SIGPIPE - 1), "SIGPIPE ignored, nothing else")
        }
    }

    func testIPv6Loopback() throws {
        let server = try ServerProcess.start(arguments: ["serve", "--http", "[::1]:0", "-p", "1"], host: "[::1]")
        let client = try ClientConnection(to: Endpoint(host: "::1", port: server.port))
        defer { client.close() }
        client.send(Array("GET /cats/1 HTTP/1.1\r\nHost: [::1]\r\nConnection: close\r\n\r\n".utf8))
        let reply = client.readUntilClosed()
        XCTAssertTrue(String(decoding: reply.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
    }

    func testMaxConnectionsStopsAcceptingUntilOneCloses() throws {
        let server = try ServerProcess(["-p", "1", "--max-connections", "2"])
        let first = try RawClient(port: server.port)
        let second = try RawClient(port: server.port)
        defer { second.close() }
        first.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        second.send("GET /cats/2 HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(first.readAvailable().statuses, [200])
        XCTAssertEqual(second.readAvailable().statuses, [200])
        let third = try RawClient(port: server.port)  // completes in the kernel's backlog
        defer { third.close() }
        third.send("GET /cats/3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(third.readAll(timeout: 0.7).statuses, [], "a full worker does not accept")
        first.close()
        XCTAssertEqual(third.readAll(timeout: 10).statuses, [200], "accepted once a connection closed")
    }

    func testSlowBodiesGet408AndIdleConnectionsClose() throws {
        let server = try ServerProcess(["-p", "1", "--body-timeout", "1", "--keepalive-timeout", "1"])
        let slow = try RawClient(port: server.port)
        defer { slow.close() }
        slow.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
        let started = Date()
        let reply = slow.readAll(timeout: 10)
        XCTAssertEqual(reply.statuses, [408])
        XCTAssertTrue(reply.closed)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.9)

        let idle = try RawClient(port: server.port)
        defer { idle.close() }
        idle.send("GET /cats/1 HTTP/1.1\r\nHost: a\r\n\r\n")
        let idleStart = Date()
        let kept = idle.readAll(timeout: 10)
        XCTAssertEqual(kept.statuses, [200])
        XCTAssertTrue(kept.closed, "closed after the keep-alive timeout")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(idleStart), 0.9)
    }

    /// Out of file descriptors, a worker pauses accepting instead of spinning on a ready listener.
    func testRunningOutOfDescriptorsDoesNotSpin() throws {
        let server = try ServerProcess(["-p", "1", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 1 })
        let worker = try XCTUnwrap(server.workerPIDs().first)
        let limited = try CathammerBinary.runTool("/usr/bin/prlimit", ["--pid", String(worker), "--nofile=12:12"])
        XCTAssertEqual(limited, 0)
        var clients: [RawClient] = []
        defer { clients.forEach { $0.close() } }
        for _ in 0..<20 { clients.append(try RawClient(port: server.port)) }
        XCTAssertTrue(ServerProcess.eventually {
            (fetchStatsWorkers(port: statsPort).first?.acceptPauses ?? 0) > 0
        }, "the worker ran out of descriptors and paused accepting")
        let before = Self.cpuTicks(worker)
        usleep(1_000_000)
        let used = Self.cpuTicks(worker) - before
        XCTAssertLessThan(used, 30, "CPU ticks in one second while out of fds (a spin would use ~100)")
        clients.forEach { $0.close() }
        clients.removeAll()
        XCTAssertTrue(ServerProcess.eventually {
            (try? RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", timeout: 2))?.statuses == [200]
        }, "serves again once descriptors are free")
    }

    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}
