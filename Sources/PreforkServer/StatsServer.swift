import CathammerContract
import CLinuxShim
@preconcurrency import Glibc
import HTTPWire

extension StatsSnapshot {
    /// Prometheus text exposition for `GET /metrics`.
    func prometheus() -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Int)]) {
            out += "# HELP cathammer_\(name) \(help)\n# TYPE cathammer_\(name) \(type)\n"
            for sample in samples { out += "cathammer_\(name)\(sample.labels) \(sample.value)\n" }
        }
        metric("listen_queue_length", "gauge", "Connections waiting in the listener's accept queue.", [("", master.listenQueue)])
        metric("listen_backlog", "gauge", "The listener's accept queue limit.", [("", master.listenBacklog)])
        metric("reloads_total", "counter", "Rolling reloads completed.", [("", master.reloads)])
        metric("forced_kills_total", "counter", "Workers killed because they did not stop in time.", [("", master.forcedKills)])
        metric("failed_reloads_total", "counter", "Reloads refused or aborted (the old generation kept serving).", [("", master.failedReloads)])
        metric("recycles_total", "counter", "Workers replaced for max-requests, lifetime or memory.", [("", master.recycles)])
        metric("harakiri_kills_total", "counter", "Workers killed for a request longer than --harakiri.", [("", master.harakiriKills)])
        metric("respawns_total", "counter", "Workers replaced after an unexpected exit.", [("", master.respawns)])
        metric("workers_configured", "gauge", "Worker processes the master keeps.", [("", master.workersConfigured)])
        metric("tls_ticket_rotations_total", "counter", "Session-ticket keys replaced on schedule.", [("", master.ticketKeyRotations)])
        metric("h2_max_streams_per_connection", "gauge", "Streams one HTTP/2 connection may open before its GOAWAY (0: HTTP/2 off).",
               [("", master.h2MaxStreamsPerConnection)])
        func perWorker(_ name: String, _ type: String, _ help: String, _ value: (WorkerRow) -> Int) {
            metric(name, type, help, workers.map { row in
                ("{worker=\"\(row.id)\",pid=\"\(row.pid)\",generation=\"\(row.generation)\"}", value(row))
            })
        }
        perWorker("worker_requests_total", "counter", "Requests answered.") { $0.requests }
        perWorker("worker_connections", "gauge", "Open client connections.") { $0.connections }
        perWorker("worker_epoll_wakeups_total", "counter", "Returns from epoll_wait.") { $0.epollWakeups }
        perWorker("worker_listener_wakeups_total", "counter", "Wakeups with the listener ready.") { $0.listenerWakeups }
        perWorker("worker_accepts_total", "counter", "Connections accepted.") { $0.accepts }
        perWorker("worker_eagain_accepts_total", "counter", "accept() calls that found nothing.") { $0.eagainAccepts }
        perWorker("worker_accept_pauses_total", "counter", "Pauses of accept() for want of descriptors.") { $0.acceptPauses }
        perWorker("worker_rejections_total", "counter", "Requests refused by the strict parser.") { $0.rejections }
        perWorker("worker_voluntary_context_switches_total", "counter", "Voluntary context switches (sleeps).") { $0.voluntaryContextSwitches }
        perWorker("worker_rss_bytes", "gauge", "Resident memory.") { $0.rssBytes }
        perWorker("worker_busy_milliseconds", "gauge", "Age of the request in progress (0 when idle).") { $0.busyMilliseconds }
        perWorker("worker_respawns_total", "counter", "Replacements of this slot's worker.") { $0.respawns }
        perWorker("worker_h2_connections", "gauge", "Open HTTP/2 connections.") { $0.h2Connections }
        perWorker("worker_h2_open_streams", "gauge", "HTTP/2 streams in progress.") { $0.h2OpenStreams }
        perWorker("worker_h2_streams_total", "counter", "HTTP/2 streams opened.") { $0.h2Streams }
        perWorker("worker_h2_malformed_requests_total", "counter", "Requests reset with PROTOCOL_ERROR as malformed (RFC 9113 §8.1.1).") { $0.h2MalformedRequests }
        perWorker("worker_h2_connection_errors_total", "counter", "Connections ended with GOAWAY and an error code.") { $0.h2ConnectionErrors }
        perWorker("worker_h2_rapid_resets_total", "counter", "Connections ended for resetting streams faster than they are served (CVE-2023-44487).") { $0.h2RapidResets }
        perWorker("worker_h2_continuation_floods_total", "counter", "Field blocks refused for size, CONTINUATION count or slowness.") { $0.h2ContinuationFloods }
        perWorker("worker_h2_hpack_bombs_total", "counter", "Field blocks refused for their decoded size (431).") { $0.h2HpackBombs }
        perWorker("worker_h2_settings_floods_total", "counter", "Connections ended for a SETTINGS flood.") { $0.h2SettingsFloods }
        perWorker("worker_h2_ping_floods_total", "counter", "Connections ended for a PING flood.") { $0.h2PingFloods }
        perWorker("worker_h2_empty_frame_floods_total", "counter", "Connections ended for empty DATA, empty field blocks or unknown frames.") { $0.h2EmptyFrameFloods }
        perWorker("worker_h2_window_update_floods_total", "counter", "Connections ended for a WINDOW_UPDATE flood.") { $0.h2WindowUpdateFloods }
        perWorker("worker_h2_priority_floods_total", "counter", "Connections ended for a PRIORITY flood.") { $0.h2PriorityFloods }
        perWorker("worker_h2_slow_reads_total", "counter", "Connections ended because the peer stopped reading.") { $0.h2SlowReads }
        perWorker("worker_h2_settings_timeouts_total", "counter", "Connections ended because our SETTINGS were never acknowledged.") { $0.h2SettingsTimeouts }
        perWorker("worker_h2_stream_limits_total", "counter", "Connections sent away after using up their streams.") { $0.h2StreamLimits }
        perWorker("worker_tls_handshakes_total", "counter", "TLS handshakes completed.") { $0.tlsHandshakes }
        perWorker("worker_tls_resumed_total", "counter", "TLS handshakes that resumed a session from a ticket.") { $0.tlsResumed }
        metric("worker_tls_refusals_total", "counter", "Connections on an HTTPS port ended before their session, by reason.",
               workers.flatMap { row in
                   [("handshake_timeout", row.tlsHandshakeTimeouts), ("garbage", row.tlsGarbage), ("plain_http", row.tlsPlainHTTP),
                    ("handshake_failed", row.tlsHandshakeFailures), ("alpn_refused", row.tlsALPNRefused)].map { reason, value in
                       ("{worker=\"\(row.id)\",pid=\"\(row.pid)\",generation=\"\(row.generation)\",reason=\"\(reason)\"}", value)
                   }
               })
        perWorker("worker_tls_alerts_received_total", "counter", "TLS alerts (not close_notify) received from clients.") { $0.tlsAlertsReceived }
        perWorker("worker_tls_renegotiations_refused_total", "counter", "TLS 1.2 client renegotiations refused.") { $0.tlsRenegotiationsRefused }
        metric("worker_tls_files_total", "counter", "Static files sent over TLS, by path: ktls (SSL_sendfile) or buffered (read + SSL_write).",
               workers.flatMap { row in
                   [("ktls", row.tlsFilesKTLS), ("buffered", row.tlsFilesBuffered)].map { path, value in
                       ("{worker=\"\(row.id)\",pid=\"\(row.pid)\",generation=\"\(row.generation)\",path=\"\(path)\"}", value)
                   }
               })
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
            (status, type, body) = (200, "application/json", snapshot().jsonText)
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
