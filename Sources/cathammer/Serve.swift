import ArgumentParser
@preconcurrency import Glibc
import PreforkServer

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the strict reference pre-fork server: a master and its worker processes.",
        discussion: """
            Signals to the master: SIGTERM stops gracefully (in-flight requests finish, exit 0), \
            SIGINT / SIGQUIT stop at once. Every response carries X-Worker: <id>/<pid>/<generation>. \
            Under systemd (examples/systemd): with NOTIFY_SOCKET the master sends READY=1, RELOADING=1, \
            STOPPING=1 and STATUS= (Type=notify); with LISTEN_FDS it serves the sockets systemd passed \
            (socket activation), matched to --http/--https by address, or all of them when neither is given.
            """
    )

    @OptionGroup var options: ServeOptions

    @Flag(help: "Check the configuration (flags and ini file), print it, and exit.")
    var checkConfig = false

    func run() throws {
        // Workers get the serve options exactly as given, so they build the same configuration.
        let arguments = Array(CommandLine.arguments.drop { $0 != "serve" }.dropFirst()).filter { $0 != "--check-config" }
        let config = try options.resolvedConfig(commandLine: arguments)
        if checkConfig {
            do {
                try config.checkCertificates()
            } catch {
                throw UsageError(message: error.description)
            }
            print(ConfigSummary.describe(config))
            return
        }
        let executable = try ExecutablePath.resolve()
        let options = self.options
        let master = try Master(config: config, executable: executable, workerArguments: arguments) {
            // SIGHUP: the same flags, the ini file as it is now.
            try options.resolvedConfig(commandLine: arguments)
        }
        do {
            let code = try master.run { urls in
                var line = "cathammer serve: ready on \(urls.joined(separator: ", ")) (\(config.processes) workers)"
                if let stats = config.statsAddress, let statsPort = master.statsPort {
                    line += ", stats on http://\(stats.hostForURL):\(statsPort)"
                }
                print(line)
                fflush(stdout)
            }
            throw ExitCode(code)
        } catch let error as ServerConfigurationError {
            throw UsageError(message: error.description)
        }
    }
}

/// The hidden command the master spawns for each worker.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "worker", shouldDisplay: false)

    @OptionGroup var options: ServeOptions
    @Option var workerId: Int
    @Option var generation: Int
    @Option var listenerFd: [Int32] = []
    @Option var httpsListenerFd: [Int32] = []
    @Option var controlFd: Int32
    @Option var scoreboardFd: Int32?
    @Option var scoreboardSlots = 1
    @Option var scoreboardSlot = 0
    @Option var acceptLockFd: Int32?
    @Option var ticketKeysFd: Int32?

    /// The worker's own flags; everything else is the serve options the master passed on.
    static let ownFlags: Set<String> = ["--worker-id", "--generation", "--listener-fd", "--https-listener-fd", "--control-fd",
                                        "--scoreboard-fd", "--scoreboard-slots", "--scoreboard-slot", "--accept-lock-fd",
                                        "--ticket-keys-fd"]

    func run() throws {
        var serveArguments: [String] = []
        var remaining = CommandLine.arguments.drop { $0 != "worker" }.dropFirst()
        while let argument = remaining.popFirst() {
            if Self.ownFlags.contains(argument) { _ = remaining.popFirst() } else { serveArguments.append(argument) }
        }
        let config = try options.resolvedConfig(commandLine: serveArguments)
        throw ExitCode(WorkerProcess.run(
            config: config, id: workerId, generation: generation,
            listeners: listenerFd.map { ($0, .http) } + httpsListenerFd.map { ($0, .https) }, controlFD: controlFd,
            scoreboardFD: scoreboardFd, scoreboardSlots: scoreboardSlots, scoreboardSlot: scoreboardSlot,
            acceptLockFD: acceptLockFd, ticketKeysFD: ticketKeysFd))
    }
}

enum ExecutablePath {
    /// The running binary, resolved once at start: after an upgrade /proc/self/exe names a deleted file.
    static func resolve() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { throw UsageError(message: "cannot resolve /proc/self/exe") }
        return String(cString: buffer)
    }
}

/// `--check-config` output: the effective configuration, one setting a line.
enum ConfigSummary {
    static func describe(_ config: ServerConfig) -> String {
        var lines = ["configuration is valid"] + config.listeners.map { "\($0.scheme.rawValue) = \($0.address)" }
        lines += [
            "processes = \(config.processes)", "listen = \(config.backlog)",
            "app = \(config.app)", "header-timeout = \(config.headerTimeout)", "body-timeout = \(config.bodyTimeout)",
            "keepalive-timeout = \(config.keepAliveTimeout)", "write-timeout = \(config.writeTimeout)",
            "max-connections = \(config.maxConnections)", "reload-mercy = \(config.mercy)",
            "retire-idle-grace = \(config.retireIdleGrace)",
            "limit-request-line = \(config.limits.maxRequestLine)", "limit-field-line = \(config.limits.maxFieldLine)",
            "limit-header-section = \(config.limits.maxHeaderSection)", "limit-fields = \(config.limits.maxFieldCount)",
            "limit-body = \(config.limits.maxBody)",
        ]
        lines += [
            "max-requests = \(config.maxRequests)", "max-requests-jitter = \(config.maxRequestsJitter)",
            "harakiri = \(config.harakiri)", "max-worker-lifetime = \(config.maxWorkerLifetime)",
            "reload-on-rss = \(config.reloadOnRSS)", "accept = \(config.acceptMode.rawValue)",
            "http2 = \(config.http2 ? "on" : "off")",
            "http2-max-streams-per-connection = \(config.http2MaxStreamsPerConnection)",
        ]
        lines += config.staticMappings.map { "static-map = \($0.prefix)=\($0.directory)" }
        if let stats = config.statsAddress { lines.append("stats = \(stats)") }
        if let tls = config.tls {
            lines += ["tls-cert = \(tls.defaultCertificate.certificate)", "tls-key = \(tls.defaultCertificate.privateKey)"]
            lines += tls.sniCertificates.map { "tls-sni = \($0.name)=\($0.pair.certificate),\($0.pair.privateKey)" }
            lines += ["tls-handshake-timeout = \(tls.handshakeTimeout)", "tls-ticket-rotation = \(tls.ticketRotation)"]
        }
        return lines.joined(separator: "\n")
    }
}
