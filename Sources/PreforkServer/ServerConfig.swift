import CathammerContract
import HTTPWire

/// One `--http` or `--https` listener.
public struct ListenerConfig: Sendable, Equatable {
    public var address: ListenAddressValue
    public var scheme: RequestScheme

    public init(address: ListenAddressValue, scheme: RequestScheme) {
        self.address = address
        self.scheme = scheme
    }
}

/// The effective configuration of `cathammer serve`, from flags and (later) the ini file.
public struct ServerConfig: Sendable {
    /// Every listener, the `--http` ones first; the master owns them all and every worker polls them all.
    public var listeners: [ListenerConfig]
    /// Neither `--http` nor `--https` was given (the listener is the default one): socket
    /// activation then takes every socket systemd passes.
    public var listenersAreDefault = false
    /// Certificates and TLS settings; set when there is an `--https` listener.
    public var tls: TLSSettings?
    public var processes: Int
    public var backlog: Int
    public var headerTimeout: Double
    public var bodyTimeout: Double
    public var keepAliveTimeout: Double
    public var writeTimeout: Double
    public var maxConnections: Int
    public var retireIdleGrace: Double
    /// How long a stopping worker may take before the master kills it (and reports the kill).
    public var mercy: Double
    public var limits: ParserLimits
    public var app: String
    public var staticMappings: [StaticMapping] = []
    /// `--stats HOST:PORT`: where the master serves the scoreboard (JSON and Prometheus).
    public var statsAddress: ListenAddressValue?
    public var accessLog = false
    public var memoryReport = false
    /// Recycle a worker after this many requests (0: never), plus a random 0...jitter so that
    /// workers started together do not all recycle at once.
    public var maxRequests = 0
    public var maxRequestsJitter = 0
    /// Kill a worker whose current request has run longer than this many seconds (0: never).
    public var harakiri = 0.0
    /// Recycle a worker older than this many seconds (0: never).
    public var maxWorkerLifetime = 0.0
    /// Recycle a worker whose resident memory exceeds this many MiB (0: never).
    public var reloadOnRSS = 0
    /// `--master-fifo PATH`: one-character commands for the master.
    public var masterFIFO: String?
    public var acceptMode: AcceptMode = .exclusive
    /// `--fault-fail-start true`: workers exit before READY (a drill for aborted rolls).
    public var faultFailStart = false
    /// `--http2 on|off`: a cleartext connection that opens with the HTTP/2 preface is served as
    /// HTTP/2 (prior knowledge, RFC 9113 §3.3); off, the preface is answered as HTTP/1.1 would (505).
    public var http2 = true
    /// `--http2-max-streams-per-connection N`: after its Nth stream an HTTP/2 connection is sent a
    /// GOAWAY naming that stream as the last processed (RFC 9113 §6.8); the client reconnects.
    public var http2MaxStreamsPerConnection = ServerConfig.defaultHTTP2MaxStreamsPerConnection
    /// nginx sends a connection away after 1000 requests; ten times that keeps a benchmark's
    /// connections long-lived while still bounding what one connection's state can accumulate.
    public static let defaultHTTP2MaxStreamsPerConnection = 10_000
    /// `--record-control HOST:PORT` (with `--app record`): where the worker serves its record store.
    public var recordControl: ListenAddressValue?

    public init(address: ListenAddressValue, processes: Int = 2, backlog: Int = 1024, headerTimeout: Double = 10,
                bodyTimeout: Double = 10, keepAliveTimeout: Double = 5, writeTimeout: Double = 30,
                maxConnections: Int = 1024, retireIdleGrace: Double = 10, mercy: Double = 60,
                limits: ParserLimits = .defaults, app: String = "catserve") {
        listeners = [ListenerConfig(address: address, scheme: .http)]
        self.processes = processes
        self.backlog = backlog
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.writeTimeout = writeTimeout
        self.maxConnections = maxConnections
        self.retireIdleGrace = retireIdleGrace
        self.mercy = mercy
        self.limits = limits
        self.app = app
    }

    /// The first listener's address: the one the stats call `listen`.
    public var address: ListenAddressValue { listeners[0].address }

    /// Every certificate and key loads and matches; the error names the file. The master asks
    /// before it starts workers and before it rolls a new generation in.
    public func checkCertificates() throws(ServerConfigurationError) {
        if let tls { try TLSServerContext.check(tls) }
    }

    /// Settings for one worker process.
    func workerSettings(id: Int, generation: Int) -> WorkerSettings {
        WorkerSettings(
            id: id, generation: generation, limits: limits,
            connectionTimeouts: ConnectionLifecycle.Timeouts(
                keepAliveIdle: MonotonicClock.nanoseconds(seconds: keepAliveTimeout),
                header: MonotonicClock.nanoseconds(seconds: headerTimeout),
                bodyIdle: MonotonicClock.nanoseconds(seconds: bodyTimeout),
                write: MonotonicClock.nanoseconds(seconds: writeTimeout),
                drain: 2_000_000_000),
            maxConnections: maxConnections,
            retireIdleGrace: MonotonicClock.nanoseconds(seconds: retireIdleGrace),
            accessLog: accessLog, memoryReport: memoryReport,
            maxRequests: maxRequests == 0 ? 0 : maxRequests + Int.random(in: 0...max(0, maxRequestsJitter)),
            acceptMode: acceptMode, backlog: backlog,
            http2: http2 ? http2Limits : nil,
            tlsHandshakeTimeout: MonotonicClock.nanoseconds(seconds: tls?.handshakeTimeout ?? 10))
    }

    /// HTTP/2's limits: the request limits' counterparts; the client's SETTINGS ACK is due within the
    /// header timeout, like a request head.
    var http2Limits: HTTP2ServerLimits {
        var http2 = HTTP2ServerLimits(parserLimits: limits)
        http2.settingsTimeout = MonotonicClock.nanoseconds(seconds: headerTimeout)
        http2.maxStreamsPerConnection = http2MaxStreamsPerConnection
        return http2
    }

    public static let applications = ["catserve", "record"]
}

/// `HOST:PORT` as given on the command line, kept as text for error messages.
public struct ListenAddressValue: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    let address: ListenAddress

    public init?(_ text: String) {
        guard let address = ListenAddress(parsing: text) else { return nil }
        self.text = text
        self.address = address
    }

    public var description: String { address.description }

    /// 0 asks the kernel for a free port.
    public var port: UInt16 { address.port }

    /// The host as it goes into a URL for clients: a wildcard address is reached on loopback.
    public var hostForURL: String {
        switch address.host {
        case "0.0.0.0": return "127.0.0.1"
        case "::": return "[::1]"
        default: return address.host.contains(":") ? "[\(address.host)]" : address.host
        }
    }
}

/// A configuration or start-up problem, reported to the user with exit code 2.
public struct ServerConfigurationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
