#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the reference server's stats endpoint (`cathammer serve --stats`) answers at `GET /`: the
/// master's books and one row per worker slot. The server writes it, `cathammer top`, reload-check,
/// herd-check and the tests read it; this type is the contract between them.
public struct StatsSnapshot: Codable, Equatable, Sendable {
    public var master: Master
    public var workers: [WorkerRow]

    public init(master: Master, workers: [WorkerRow]) {
        self.master = master
        self.workers = workers
    }

    /// The body of `GET /`: compact JSON in the fixed key order, then a newline.
    public var jsonText: String {
        "{\"master\":" + master.jsonText + ",\"workers\":[" + workers.map(\.jsonText).joined(separator: ",") + "]}\n"
    }

    /// Decodes a `GET /` body. A row or book missing a counter reads it as zero.
    public init(json: [UInt8]) throws {
        self = try JSONDecoder().decode(StatsSnapshot.self, from: Data(json))
    }

    private enum CodingKeys: String, CodingKey { case master, workers }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        master = try container.decode(Master.self, forKey: .master)
        workers = try container.decodeIfPresent([WorkerRow].self, forKey: .workers) ?? []
    }
}

extension StatsSnapshot {
    public struct Master: Codable, Equatable, Sendable, JSONObjectLayout {
        public var pid = 0
        /// `HOST:PORT` as a client would write it (`[::1]:8000`).
        public var listen = ""
        public var workersConfigured = 0
        /// Connections waiting in the listener's accept queue, and the queue's limit.
        public var listenQueue = 0
        public var listenBacklog = 0
        public var reloads = 0
        /// Reloads refused or aborted; the old generation kept serving.
        public var failedReloads = 0
        public var recycles = 0
        public var harakiriKills = 0
        /// Workers killed because they did not stop within the reload mercy.
        public var forcedKills = 0
        public var respawns = 0
        public var uptimeSeconds = 0
        /// Every listener as a URL, space-separated (`http://127.0.0.1:8000 https://127.0.0.1:8443`).
        public var listeners = ""
        /// Session-ticket keys replaced on the `--tls-ticket-rotation` schedule (kept across reloads).
        public var ticketKeyRotations = 0
        /// `--http2-max-streams-per-connection`: streams one HTTP/2 connection may open before its
        /// GOAWAY; 0 with `--http2 off`.
        public var h2MaxStreamsPerConnection = 0

        public init() {}

        public init(from decoder: any Decoder) throws {
            self.init()
            try decodeLayout(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws { try encodeLayout(to: encoder) }

        static var layout: [(key: String, field: JSONLayoutField<Master>)] {
            [("pid", .integer(\.pid)), ("listen", .text(\.listen)), ("workers_configured", .integer(\.workersConfigured)),
             ("listen_queue", .integer(\.listenQueue)), ("listen_backlog", .integer(\.listenBacklog)),
             ("reloads", .integer(\.reloads)), ("failed_reloads", .integer(\.failedReloads)),
             ("recycles", .integer(\.recycles)), ("harakiri_kills", .integer(\.harakiriKills)),
             ("forced_kills", .integer(\.forcedKills)), ("respawns", .integer(\.respawns)),
             ("uptime_seconds", .integer(\.uptimeSeconds)), ("listeners", .text(\.listeners)),
             ("tls_ticket_rotations", .integer(\.ticketKeyRotations)),
             ("h2_max_streams_per_connection", .integer(\.h2MaxStreamsPerConnection))]
        }
    }

    /// One worker's scoreboard slot. Counters start at zero for each new worker, except `respawns`,
    /// which counts the replacements of this slot's worker.
    public struct WorkerRow: Codable, Equatable, Sendable, JSONObjectLayout {
        /// `empty`, `starting`, `ready`, `retiring` or `exited`.
        public var state = ""
        /// Age of the request in progress; 0 when idle.
        public var busyMilliseconds = 0
        public var pid = 0
        public var generation = 0
        public var requests = 0
        public var connections = 0
        /// Returns from epoll_wait, and those with the listener ready.
        public var epollWakeups = 0
        public var listenerWakeups = 0
        public var accepts = 0
        /// accept() calls that found nothing: a herd that lost the race.
        public var eagainAccepts = 0
        /// Requests refused by the strict parser.
        public var rejections = 0
        public var voluntaryContextSwitches = 0
        public var rssBytes = 0
        public var respawns = 0
        /// The slot's number, stable across the workers that take it.
        public var id = 0
        public var acceptLockContended = 0
        /// Pauses of accept() for want of descriptors.
        public var acceptPauses = 0
        /// Open HTTP/2 connections.
        public var h2Connections = 0
        /// HTTP/2 streams in progress.
        public var h2OpenStreams = 0
        /// HTTP/2 streams opened.
        public var h2Streams = 0
        /// Requests reset with PROTOCOL_ERROR as malformed (RFC 9113 §8.1.1).
        public var h2MalformedRequests = 0
        /// Connections ended with GOAWAY and an error code.
        public var h2ConnectionErrors = 0
        /// Connections ended for resetting streams faster than they are served (CVE-2023-44487).
        public var h2RapidResets = 0
        /// Field blocks refused for size, CONTINUATION count or slowness.
        public var h2ContinuationFloods = 0
        /// Field blocks refused for their decoded size (431).
        public var h2HpackBombs = 0
        /// Connections ended for a SETTINGS flood.
        public var h2SettingsFloods = 0
        /// Connections ended for a PING flood.
        public var h2PingFloods = 0
        /// Connections ended for empty DATA, empty field blocks or unknown frames.
        public var h2EmptyFrameFloods = 0
        /// Connections ended for a WINDOW_UPDATE flood.
        public var h2WindowUpdateFloods = 0
        /// Connections ended for a PRIORITY flood.
        public var h2PriorityFloods = 0
        /// Connections ended because the peer stopped reading.
        public var h2SlowReads = 0
        /// Connections ended because our SETTINGS were never acknowledged.
        public var h2SettingsTimeouts = 0
        /// Connections sent away after using up their streams.
        public var h2StreamLimits = 0
        /// TLS handshakes completed, and those that resumed a session from a ticket.
        public var tlsHandshakes = 0
        public var tlsResumed = 0
        /// Connections on an HTTPS port ended before their session, by reason: the handshake
        /// timeout passed; the first byte was neither a TLS record nor a request; a plain HTTP
        /// request (answered 400); OpenSSL refused the handshake; the client's ALPN offer held
        /// nothing we speak (no_application_protocol).
        public var tlsHandshakeTimeouts = 0
        public var tlsGarbage = 0
        public var tlsPlainHTTP = 0
        public var tlsHandshakeFailures = 0
        public var tlsALPNRefused = 0
        /// Alerts other than close_notify received from clients, during or after the handshake.
        public var tlsAlertsReceived = 0
        /// TLS 1.2 client-initiated renegotiations refused (no_renegotiation).
        public var tlsRenegotiationsRefused = 0
        /// Static files sent over TLS with SSL_sendfile on kTLS, and with reads and SSL_write.
        public var tlsFilesKTLS = 0
        public var tlsFilesBuffered = 0

        public init() {}

        public init(state: String = "", busyMilliseconds: Int = 0, pid: Int = 0, generation: Int = 0, requests: Int = 0,
                    connections: Int = 0, epollWakeups: Int = 0, listenerWakeups: Int = 0, accepts: Int = 0,
                    eagainAccepts: Int = 0, rejections: Int = 0, voluntaryContextSwitches: Int = 0, rssBytes: Int = 0,
                    respawns: Int = 0, id: Int = 0, acceptLockContended: Int = 0, acceptPauses: Int = 0) {
            self.state = state
            self.busyMilliseconds = busyMilliseconds
            self.pid = pid
            self.generation = generation
            self.requests = requests
            self.connections = connections
            self.epollWakeups = epollWakeups
            self.listenerWakeups = listenerWakeups
            self.accepts = accepts
            self.eagainAccepts = eagainAccepts
            self.rejections = rejections
            self.voluntaryContextSwitches = voluntaryContextSwitches
            self.rssBytes = rssBytes
            self.respawns = respawns
            self.id = id
            self.acceptLockContended = acceptLockContended
            self.acceptPauses = acceptPauses
        }

        public init(from decoder: any Decoder) throws {
            self.init()
            try decodeLayout(from: decoder)
        }

        public func encode(to encoder: any Encoder) throws { try encodeLayout(to: encoder) }

        static var layout: [(key: String, field: JSONLayoutField<WorkerRow>)] {
            [("state", .text(\.state)), ("busy_ms", .integer(\.busyMilliseconds)), ("pid", .integer(\.pid)),
             ("generation", .integer(\.generation)), ("requests", .integer(\.requests)),
             ("connections", .integer(\.connections)), ("epoll_wakeups", .integer(\.epollWakeups)),
             ("listener_wakeups", .integer(\.listenerWakeups)), ("accepts", .integer(\.accepts)),
             ("eagain_accepts", .integer(\.eagainAccepts)), ("rejections", .integer(\.rejections)),
             ("voluntary_context_switches", .integer(\.voluntaryContextSwitches)), ("rss_bytes", .integer(\.rssBytes)),
             ("respawns", .integer(\.respawns)), ("id", .integer(\.id)),
             ("accept_lock_contended", .integer(\.acceptLockContended)), ("accept_pauses", .integer(\.acceptPauses)),
             ("h2_connections", .integer(\.h2Connections)), ("h2_open_streams", .integer(\.h2OpenStreams)),
             ("h2_streams", .integer(\.h2Streams)), ("h2_malformed_requests", .integer(\.h2MalformedRequests)),
             ("h2_connection_errors", .integer(\.h2ConnectionErrors)), ("h2_rapid_resets", .integer(\.h2RapidResets)),
             ("h2_continuation_floods", .integer(\.h2ContinuationFloods)), ("h2_hpack_bombs", .integer(\.h2HpackBombs)),
             ("h2_settings_floods", .integer(\.h2SettingsFloods)), ("h2_ping_floods", .integer(\.h2PingFloods)),
             ("h2_empty_frame_floods", .integer(\.h2EmptyFrameFloods)), ("h2_window_update_floods", .integer(\.h2WindowUpdateFloods)),
             ("h2_priority_floods", .integer(\.h2PriorityFloods)), ("h2_slow_reads", .integer(\.h2SlowReads)),
             ("h2_settings_timeouts", .integer(\.h2SettingsTimeouts)), ("h2_stream_limits", .integer(\.h2StreamLimits)),
             ("tls_handshakes", .integer(\.tlsHandshakes)), ("tls_resumed", .integer(\.tlsResumed)),
             ("tls_handshake_timeouts", .integer(\.tlsHandshakeTimeouts)), ("tls_garbage", .integer(\.tlsGarbage)),
             ("tls_plain_http", .integer(\.tlsPlainHTTP)), ("tls_handshake_failures", .integer(\.tlsHandshakeFailures)),
             ("tls_alpn_refused", .integer(\.tlsALPNRefused)), ("tls_alerts_received", .integer(\.tlsAlertsReceived)),
             ("tls_renegotiations_refused", .integer(\.tlsRenegotiationsRefused)),
             ("tls_files_ktls", .integer(\.tlsFilesKTLS)), ("tls_files_buffered", .integer(\.tlsFilesBuffered))]
        }
    }
}
