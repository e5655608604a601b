import CLinuxShim
@preconcurrency import Glibc
import HTTPWire

/// What the stats endpoint reports, gathered by the master from the scoreboard and its own books.
struct StatsSnapshot {
    struct WorkerRow {
        var values: [Scoreboard.Field: Int]
        var state: WorkerState
        var busyMilliseconds: Int
    }

    var masterPID: Int32
    var listen: String
    var configuredWorkers: Int
    var listenQueue: Int
    var listenBacklog: Int
    var reloads: Int
    var failedReloads: Int
    var recycles: Int
    var harakiriKills: Int
    var forcedKills: Int
    var respawns: Int
    var uptimeSeconds: Double
    var workers: [WorkerRow]

    /// JSON for `GET /` (stable key order, so diffs between two snapshots read well).
    func json() -> String {
        var out = "{\"master\":{"
        out += "\"pid\":\(masterPID),\"listen\":\"\(listen)\",\"workers_configured\":\(configuredWorkers),"
        out += "\"listen_queue\":\(listenQueue),\"listen_backlog\":\(listenBacklog),\"reloads\":\(reloads),"
        out += "\"failed_reloads\":\(failedReloads),\"recycles\":\(recycles),\"harakiri_kills\":\(harakiriKills),"
        out += "\"forced_kills\":\(forcedKills),\"respawns\":\(respawns),\"uptime_seconds\":\(Int(uptimeSeconds))},"
        out += "\"workers\":["
        out += workers.map { row in
            var fields = ["\"state\":\"\(row.state.name)\"", "\"busy_ms\":\(row.busyMilliseconds)"]
            for field in Scoreboard.Field.allCases where field != .state && field != .busySince && field != .startedAt {
                fields.append("\"\(field.name)\":\(row.values[field] ?? 0)")
            }
            return "{" + fields.joined(separator: ",") + "}"
        }.joined(separator: ",")
        out += "]}\n"
        return out
    }

    /// Prometheus text exposition for `GET /metrics`.
    func prometheus() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            out += "# HELP cathammer_\(name) \(help)\n# TYPE cathammer_\(name) \(type)\n"
            for sample in samples { out += "cathammer_\(name)\(sample.labels) \(sample.value)\n" }
        }
        metric("listen_queue_length", "gauge", "Connections waiting in the listener's accept queue.", [("", listenQueue)])
        metric("listen_backlog", "gauge", "The listener's accept queue limit.", [("", listenBacklog)])
        metric("reloads_total", "counter", "Rolling reloads completed.", [("", reloads)])
        metric("forced_kills_total", "counter", "Workers killed because they did not stop in time.", [("", forcedKills)])
        metric("failed_reloads_total", "counter", "Reloads refused or aborted (the old generation kept serving).", [("", failedReloads)])
        metric("recycles_total", "counter", "Workers replaced for max-requests, lifetime or memory.", [("", recycles)])
        metric("harakiri_kills_total", "counter", "Workers killed for a request longer than --harakiri.", [("", harakiriKills)])
        metric("respawns_total", "counter", "Workers replaced after an unexpected exit.", [("", respawns)])
        metric("workers_configured", "gauge", "Worker processes the master keeps.", [("", configuredWorkers)])
        func perWorker(_ name: String, _ type: String, _ help: String, _ value: (WorkerRow) -> Int) {
            metric(name, type, help, workers.map { row in
                ("{worker=\"\(row.values[.slotID] ?? 0)\",pid=\"\(row.values[.pid] ?? 0)\",generation=\"\(row.values[.generation] ?? 0)\"}", value(row))
            })
        }
        perWorker("worker_requests_total", "counter", "Requests answered.") { $0.values[.requests] ?? 0 }
        perWorker("worker_connections", "gauge", "Open client connections.") { $0.values[.connections] ?? 0 }
        perWorker("worker_epoll_wakeups_total", "counter", "Returns from epoll_wait.") { $0.values[.wakeups] ?? 0 }
        perWorker("worker_listener_wakeups_total", "counter", "Wakeups with the listener ready.") { $0.values[.listenerWakeups] ?? 0 }
        perWorker("worker_accepts_total", "counter", "Connections accepted.") { $0.values[.accepts] ?? 0 }
        perWorker("worker_eagain_accepts_total", "counter", "accept() calls that found nothing.") { $0.values[.emptyAccepts] ?? 0 }
        perWorker("worker_accept_pauses_total", "counter", "Pauses of accept() for want of descriptors.") {
            $0.values[.acceptPauses] ?? 0
        }
        perWorker("worker_rejections_total", "counter", "Requests refused by the strict parser.") { $0.values[.rejections] ?? 0 }
        perWorker("worker_voluntary_context_switches_total", "counter", "Voluntary context switches (sleeps).") {
            $0.values[.voluntaryContextSwitches] ?? 0
        }
        perWorker("worker_rss_bytes", "gauge", "Resident memory.") { $0.values[.rssBytes] ?? 0 }
        perWorker("worker_busy_milliseconds", "gauge", "Age of the request in progress (0 when idle).") { $0.busyMilliseconds }
        perWorker("worker_respawns_total", "counter", "Replacements of this slot's worker.") { $0.values[.respawns] ?? 0 }
        return out
    }
}

/// `--stats HOST:PORT`: the master answers `GET /` (JSON) and `GET /metrics` (Prometheus) itself.
/// Each connection is answered once and closed; requests go through the same strict parser.
final class StatsServer: EventHandler {
    private let fd: Int32
    let port: UInt16
    private let snapshot: () -> StatsSnapshot
    private var clients: [Int32: StatsClient] = [:]

    init(address: ListenAddress, loop: EventLoop, snapshot: @escaping () -> StatsSnapshot) throws(SystemError) {
        let opened = try Listener.open(address, backlog: 64)
        fd = opened.fd
        port = opened.port
        self.snapshot = snapshot
        try loop.register(fd, events: EPOLLIN.rawValue, handler: self)
    }

    /// Takes over the stats listener of the previous master image.
    init(adopting fd: Int32, loop: EventLoop, snapshot: @escaping () -> StatsSnapshot) throws(SystemError) {
        self.fd = fd
        port = Listener.boundPort(fd)
        self.snapshot = snapshot
        try loop.register(fd, events: EPOLLIN.rawValue, handler: self)
    }

    var listenerFD: Int32 { fd }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        while true {
            let client = linux_accept4(fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            guard client >= 0 else { return }
            let handler = StatsClient(fd: client, server: self)
            clients[client] = handler
            do {
                try loop.register(client, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: handler)
            } catch {
                finished(handler, loop: loop)
            }
        }
    }

    fileprivate func respond(to request: ParsedRequest?) -> [UInt8] {
        let path = request.map { String(decoding: $0.path, as: UTF8.self) }
        let (status, type, body): (Int, String, String)
        switch (request?.knownMethod, path) {
        case (.get?, "/"), (.get?, "/stats"):
            (status, type, body) = (200, "application/json", snapshot().json())
        case (.get?, "/metrics"):
            (status, type, body) = (200, "text/plain; version=0.0.4", snapshot().prometheus())
        case (nil, _):
            (status, type, body) = (400, "text/plain", "bad request\n")
        default:
            (status, type, body) = (404, "text/plain", "the stats server answers GET / and GET /metrics\n")
        }
        return Array("HTTP/1.1 \(status) \(ResponseEncoder.reasonPhrase(status))\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }

    fileprivate func finished(_ client: StatsClient, loop: EventLoop) {
        loop.unregister(client.fd)
        close(client.fd)
        clients[client.fd] = nil
    }
}

private final class StatsClient: EventHandler {
    let fd: Int32
    unowned let server: StatsServer
    private var stream = RequestStreamParser()
    private var output: [UInt8] = []
    private var sent = 0

    init(fd: Int32, server: StatsServer) {
        self.fd = fd
        self.server = server
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        if output.isEmpty {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = read(fd, &buffer, buffer.count)
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
                server.finished(self, loop: loop)
                return
            }
            if count > 0 { stream.feed(buffer[0..<count]) }
            if let request = stream.requests.first {
                output = server.respond(to: request)
            } else if stream.violation != nil {
                output = server.respond(to: nil)
            } else {
                return
            }
        }
        while sent < output.count {
            let count = output.withUnsafeBytes { write(fd, $0.baseAddress! + sent, $0.count - sent) }
            if count > 0 {
                sent += count
            } else if count < 0 && errno == EAGAIN {
                loop.modify(fd, events: EPOLLOUT.rawValue)
                return
            } else {
                break
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        server.finished(self, loop: loop)
    }
}

extension Listener {
    /// The accept queue right now and its limit, from TCP_INFO on the listening socket.
    static func queueDepth(_ fd: Int32) -> (length: Int, backlog: Int) {
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return (0, 0) }
        return (Int(info.tcpi_unacked), Int(info.tcpi_sacked))
    }
}
