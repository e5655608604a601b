import Foundation
import Glibc
import Hammer
import XCTest

final class StatsTests: XCTestCase {
    func testStatsJSONAndMetricsDescribeEveryWorker() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        for _ in 0..<6 {
            _ = try RawClient.exchange(port: server.port, "GET /cats/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        }
        _ = try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")

        // Counters are written by the workers as they go: poll until all seven requests show.
        var snapshot: [String: Any] = [:]
        XCTAssertTrue(ServerProcess.eventually {
            guard let response = try? HTTPGet.fetch(host: "127.0.0.1", port: statsPort, path: "/"),
                  let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                  let workers = object["workers"] as? [[String: Any]]
            else { return false }
            snapshot = object
            return workers.reduce(0) { $0 + ($1["accepts"] as? Int ?? 0) } == 7
        })
        let master = try XCTUnwrap(snapshot["master"] as? [String: Any])
        XCTAssertEqual(master["pid"] as? Int, Int(server.pid))
        XCTAssertEqual(master["workers_configured"] as? Int, 2)
        XCTAssertEqual(master["listen_backlog"] as? Int, 1024)
        for key in ["listen_queue", "reloads", "forced_kills", "respawns", "uptime_seconds"] {
            XCTAssertNotNil(master[key] as? Int, key)
        }
        let workers = try XCTUnwrap(snapshot["workers"] as? [[String: Any]])
        XCTAssertEqual(workers.count, 2)
        XCTAssertEqual(Set(workers.compactMap { $0["pid"] as? Int }), Set(server.workerPIDs().map(Int.init)))
        for worker in workers {
            XCTAssertEqual(worker["state"] as? String, "ready")
            XCTAssertEqual(worker["generation"] as? Int, 1)
            for key in ["id", "requests", "connections", "epoll_wakeups", "listener_wakeups", "accepts", "eagain_accepts",
                        "accept_pauses", "accept_lock_contended", "rejections", "voluntary_context_switches", "rss_bytes",
                        "busy_ms", "respawns"] {
                XCTAssertNotNil(worker[key] as? Int, key)
            }
            XCTAssertGreaterThan(worker["rss_bytes"] as? Int ?? 0, 1_000_000)
        }
        XCTAssertEqual(workers.reduce(0) { $0 + ($1["requests"] as? Int ?? 0) }, 7, "six answered and one refused")
        XCTAssertEqual(workers.reduce(0) { $0 + ($1["rejections"] as? Int ?? 0) }, 1)

        let metrics = try HTTPGet.fetch(host: "127.0.0.1", port: statsPort, path: "/metrics")
        XCTAssertEqual(metrics.status, 200)
        let text = String(decoding: metrics.body, as: UTF8.self)
        for name in ["cathammer_listen_queue_length", "cathammer_forced_kills_total", "cathammer_reloads_total",
                     "cathammer_worker_requests_total{worker=\"1\"", "cathammer_worker_rss_bytes{worker=\"2\"",
                     "cathammer_worker_epoll_wakeups_total", "cathammer_worker_eagain_accepts_total",
                     "cathammer_worker_accept_pauses_total"] {
            XCTAssertTrue(text.contains(name), name)
        }
        XCTAssertEqual(try HTTPGet.fetch(host: "127.0.0.1", port: statsPort, path: "/nope").status, 404)
    }

    func testTopPrintsAWorkerTableAndFailsCleanlyWithoutAServer() throws {
        let server = try ServerProcess(["-p", "2", "--stats", "127.0.0.1:0"])
        let statsPort = try XCTUnwrap(server.statsPort)
        let top = try CathammerBinary.run(["top", "--stats", "127.0.0.1:\(statsPort)", "--count", "2", "--interval", "0.1"])
        XCTAssertEqual(top.status, 0, top.stderr)
        XCTAssertEqual(top.stdout.components(separatedBy: "cathammer top — ").count - 1, 2, "two refreshes")
        XCTAssertTrue(top.stdout.contains("requests  req/s"))
        for pid in server.workerPIDs() { XCTAssertTrue(top.stdout.contains(" \(pid) "), "worker \(pid) listed") }

        let refused = try CathammerBinary.run(["top", "--stats", "127.0.0.1:1", "--count", "1"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("cannot connect"), refused.stderr)
        XCTAssertEqual(try CathammerBinary.run(["top", "--stats", "nonsense"]).status, 2)
    }
}
