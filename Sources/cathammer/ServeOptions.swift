import ArgumentParser
import CathammerContract
import HTTPWire
import PreforkServer

/// A feature turned `on` or `off` (`--http2 on`).
enum Switch: String, CaseIterable, ExpressibleByArgument {
    case on, off
}

/// The options of `cathammer serve`, shared with the hidden `worker` command the master spawns.
struct ServeOptions: ParsableArguments {
    @Option(help: "Read options from the [cathammer] section of an ini file; flags override it.")
    var ini: String?

    @Option(help: "Address to listen on for HTTP (repeatable): :8000, 127.0.0.1:8000, [::1]:8000 (port 0 picks a free port). Default 127.0.0.1:8000 when neither --http nor --https is given.")
    var http: [String] = []

    @Option(help: "Address to listen on for HTTPS (repeatable); needs --tls-cert and --tls-key.")
    var https: [String] = []

    @Option(help: "PEM certificate chain (leaf first, RSA or ECDSA) for the --https listeners.")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "NAME=CERT,KEY: the certificate for clients whose SNI asks for NAME (repeatable; *.example.com for one label below).")
    var tlsSni: [String] = []

    @Option(help: "Seconds a client has to complete the TLS handshake.")
    var tlsHandshakeTimeout = 10.0

    @Option(help: "How often the master replaces the session-ticket key (1h, 30m, 90s); the two previous keys still decrypt.")
    var tlsTicketRotation = "1h"

    @Option(name: [.customShort("p"), .long], help: "Worker processes.")
    var processes = 2

    @Option(help: "listen() backlog; refused when larger than net.core.somaxconn.")
    var listen = 1024

    @Option(help: "The application.")
    var app = ApplicationName.catserve

    @Option(help: "Seconds a client has to send a whole request head (then 408).")
    var headerTimeout = 10.0

    @Option(help: "Seconds a request body may stall (then 408).")
    var bodyTimeout = 10.0

    @Option(help: "Seconds an idle keep-alive connection is kept.")
    var keepaliveTimeout = 5.0

    @Option(help: "Seconds a response may stall while being written.")
    var writeTimeout = 30.0

    @Option(help: "Connections per worker; a full worker stops accepting.")
    var maxConnections = 1024

    @Option(help: "Seconds a stopping worker may take before it is killed (every kill is reported).")
    var reloadMercy = 60.0

    @Option(help: "Seconds idle keep-alive connections are kept by a retiring worker.")
    var retireIdleGrace = 10.0

    @Option(help: "Largest request line in bytes (414 beyond).")
    var limitRequestLine = ParserLimits.defaults.maxRequestLine

    @Option(help: "Largest field line in bytes (431 beyond).")
    var limitFieldLine = ParserLimits.defaults.maxFieldLine

    @Option(help: "Largest header section in bytes (431 beyond).")
    var limitHeaderSection = ParserLimits.defaults.maxHeaderSection

    @Option(help: "Most header fields (431 beyond).")
    var limitFields = ParserLimits.defaults.maxFieldCount

    @Option(help: "Largest request body in bytes (413 beyond).")
    var limitBody = ParserLimits.defaults.maxBody

    @Option(help: "Serve files: /PREFIX=DIR (repeatable); traversal out of DIR is refused.")
    var staticMap: [String] = []

    @Option(help: "Serve per-worker stats on HOST:PORT: JSON at /, Prometheus text at /metrics.")
    var stats: String?

    @Flag(help: "Log every request: method, target, status, body bytes, duration.")
    var accessLog = false

    @Flag(help: "Log each worker's resident memory after every request.")
    var memoryReport = false

    @Option(help: "Recycle a worker after this many requests (0: never); its replacement is READY first.")
    var maxRequests = 0

    @Option(help: "Add a random 0...N to --max-requests per worker, so workers do not recycle together.")
    var maxRequestsJitter = 0

    @Option(help: "Kill a worker whose current request runs longer than this many seconds (0: never).")
    var harakiri = 0.0

    @Option(help: "Recycle a worker older than this many seconds (0: never).")
    var maxWorkerLifetime = 0.0

    @Option(help: "Recycle a worker whose resident memory exceeds this many MiB (0: never).")
    var reloadOnRss = 0

    @Option(help: "How workers wait for connections: exclusive (EPOLLEXCLUSIVE, the default), plain (the herd baseline), lock (a robust shared mutex around accept), reuseport.")
    var accept = AcceptMode.exclusive

    @Option(help: "A named pipe for one-character master commands: r reload, R re-exec, q stop, Q fast stop, + / - workers, s stats.")
    var masterFifo: String?

    @Option(help: "on: a cleartext connection that opens with the HTTP/2 preface is served as HTTP/2 (prior knowledge); off: HTTP/1.1 only.")
    var http2 = Switch.on

    @Option(help: "Streams one HTTP/2 connection may open; then GOAWAY names the last one processed and the client reconnects for the rest.")
    var http2MaxStreamsPerConnection = ServerConfig.defaultHTTP2MaxStreamsPerConnection

    @Option(help: "With --app record: serve the record store on HOST:PORT (GET /sequence, GET /records?since=N, POST /forget). Needs -p 1 and --http2 off.")
    var recordControl: String?

    @Option(help: "Fault drill: every worker started with this setting exits before READY, as those of a broken release would. Put it in the --ini file and send SIGHUP to see a roll abort while the old generation serves.")
    var faultFailStart = false

    /// `--http` and `--https`, the cleartext ones first; 127.0.0.1:8000 when there is neither.
    private func listenerConfigs() throws -> [ListenerConfig] {
        var listeners: [ListenerConfig] = []
        for (flag, values, scheme) in [("--http", http, RequestScheme.http), ("--https", https, .https)] {
            for text in values {
                guard let address = ListenAddressValue(text) else {
                    throw UsageError(message: "\(flag) '\(text)' is not HOST:PORT (e.g. :8000, 127.0.0.1:8000, [::1]:8000)")
                }
                if address.port != 0, let twin = listeners.first(where: { $0.address.description == address.description }) {
                    throw UsageError(message: "\(flag) '\(text)': \(twin.address) is already a listener")
                }
                listeners.append(ListenerConfig(address: address, scheme: scheme))
            }
        }
        if listeners.isEmpty { listeners = [ListenerConfig(address: ListenAddressValue("127.0.0.1:8000")!, scheme: .http)] }
        guard listeners.count <= Master.maxListeners else {
            throw UsageError(message: "--http and --https: at most \(Master.maxListeners) listeners")
        }
        return listeners
    }

    /// The TLS flags, checked for shape; the files themselves are read by the master before it starts.
    private func tlsSettings(hasHTTPSListener: Bool) throws -> TLSSettings? {
        guard hasHTTPSListener else {
            for (flag, given) in [("--tls-cert", tlsCert != nil), ("--tls-key", tlsKey != nil), ("--tls-sni", !tlsSni.isEmpty)] where given {
                throw UsageError(message: "\(flag) is given but there is no --https listener")
            }
            return nil
        }
        guard let tlsCert, let tlsKey else { throw UsageError(message: "--https needs --tls-cert and --tls-key") }
        let sni = try tlsSni.map { text in
            switch SNICertificate.parse(text) {
            case .success(let entry): return entry
            case .failure(let error): throw UsageError(message: error.description)
            }
        }
        guard tlsHandshakeTimeout > 0 && tlsHandshakeTimeout.isFinite else {
            throw UsageError(message: "--tls-handshake-timeout must be a positive number of seconds")
        }
        let rotation: Double
        do {
            rotation = try DurationText.seconds(tlsTicketRotation)
        } catch {
            throw UsageError(message: "--tls-ticket-rotation: \(error.description)")
        }
        guard rotation >= 1 else { throw UsageError(message: "--tls-ticket-rotation must be at least 1s, not '\(tlsTicketRotation)'") }
        return TLSSettings(defaultCertificate: CertificatePair(certificate: tlsCert, privateKey: tlsKey), sniCertificates: sni,
                           handshakeTimeout: tlsHandshakeTimeout, ticketRotation: rotation)
    }

    /// The configuration from the ini file (if any) with the command-line flags over it.
    /// `commandLine` is the arguments after the subcommand, as given.
    func resolvedConfig(commandLine: [String]) throws -> ServerConfig {
        guard let ini else { return try serverConfig() }
        let file = try IniOptions.load(ini)
        // Validate the file alone first, so a bad key or value is reported at its line.
        let fromFile = try file.options()
        _ = try file.attributing { try fromFile.serverConfig() }
        do {
            return try ServeOptions.parse(file.arguments(overriddenBy: commandLine) + commandLine).serverConfig()
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError(message: ServeOptions.message(for: error))
        }
    }

    /// Checks every value and builds the configuration; a bad value names its flag.
    func serverConfig() throws -> ServerConfig {
        let listeners = try listenerConfigs()
        func positive(_ value: Int, _ flag: String, max: Int = Int.max) throws {
            guard value >= 1 && value <= max else { throw UsageError(message: "\(flag) must be between 1 and \(max), not \(value)") }
        }
        func seconds(_ value: Double, _ flag: String) throws {
            guard value > 0 && value.isFinite else { throw UsageError(message: "\(flag) must be a positive number of seconds") }
        }
        try positive(processes, "--processes", max: 512)
        try positive(listen, "--listen", max: 1 << 20)
        try positive(maxConnections, "--max-connections", max: 1 << 20)
        try positive(limitRequestLine, "--limit-request-line", max: 1 << 20)
        try positive(limitFieldLine, "--limit-field-line", max: 1 << 20)
        try positive(limitHeaderSection, "--limit-header-section", max: 1 << 22)
        try positive(limitFields, "--limit-fields", max: 10_000)
        try positive(limitBody, "--limit-body", max: 1 << 40)
        // A client has 2^30 stream ids (odd, below 2^31); a larger limit would never be reached.
        try positive(http2MaxStreamsPerConnection, "--http2-max-streams-per-connection", max: 1 << 30)
        try seconds(headerTimeout, "--header-timeout")
        try seconds(bodyTimeout, "--body-timeout")
        try seconds(keepaliveTimeout, "--keepalive-timeout")
        try seconds(writeTimeout, "--write-timeout")
        try seconds(reloadMercy, "--reload-mercy")
        try seconds(retireIdleGrace, "--retire-idle-grace")
        var limits = ParserLimits.defaults
        limits.maxRequestLine = limitRequestLine
        limits.maxFieldLine = limitFieldLine
        limits.maxHeaderSection = limitHeaderSection
        limits.maxFieldCount = limitFields
        limits.maxBody = limitBody
        let mappings = try staticMap.map { text in
            switch StaticMapping.parse(text) {
            case .success(let mapping): return mapping
            case .failure(let error): throw UsageError(message: error.description)
            }
        }
        var config = ServerConfig(
            address: listeners[0].address, processes: processes, backlog: listen, headerTimeout: headerTimeout,
            bodyTimeout: bodyTimeout, keepAliveTimeout: keepaliveTimeout, writeTimeout: writeTimeout,
            maxConnections: maxConnections, retireIdleGrace: retireIdleGrace, mercy: reloadMercy,
            limits: limits, app: app.name)
        config.staticMappings = mappings
        config.listeners = listeners
        config.listenersAreDefault = http.isEmpty && https.isEmpty
        config.tls = try tlsSettings(hasHTTPSListener: listeners.contains { $0.scheme == .https })
        config.accessLog = accessLog
        config.memoryReport = memoryReport
        guard maxRequests >= 0, maxRequestsJitter >= 0, harakiri >= 0, maxWorkerLifetime >= 0, reloadOnRss >= 0 else {
            throw UsageError(message: "--max-requests, --max-requests-jitter, --harakiri, --max-worker-lifetime and --reload-on-rss cannot be negative")
        }
        config.maxRequests = maxRequests
        config.maxRequestsJitter = maxRequestsJitter
        config.harakiri = harakiri
        config.maxWorkerLifetime = maxWorkerLifetime
        config.reloadOnRSS = reloadOnRss
        config.masterFIFO = masterFifo
        config.faultFailStart = faultFailStart
        config.acceptMode = accept
        config.http2 = http2 == .on
        config.http2MaxStreamsPerConnection = http2MaxStreamsPerConnection
        if let recordControl {
            guard let address = ListenAddressValue(recordControl) else {
                throw UsageError(message: "--record-control '\(recordControl)' is not HOST:PORT")
            }
            config.recordControl = address
        }
        if app.name == "record" {
            // One store, read where it is kept: one worker, HTTP/1.1 only (the chain's back hop).
            guard config.recordControl != nil else { throw UsageError(message: "--app record needs --record-control HOST:PORT") }
            guard processes == 1 else { throw UsageError(message: "--app record needs -p 1: the record store lives in the one worker") }
            guard http2 == .off else { throw UsageError(message: "--app record needs --http2 off: the recording origin speaks HTTP/1.1") }
            guard https.isEmpty else { throw UsageError(message: "--app record records cleartext HTTP/1.1 only: drop --https") }
        } else if config.recordControl != nil {
            throw UsageError(message: "--record-control needs --app record")
        }
        if let stats {
            guard let statsAddress = ListenAddressValue(stats) else {
                throw UsageError(message: "--stats '\(stats)' is not HOST:PORT")
            }
            config.statsAddress = statsAddress
        }
        return config
    }
}
