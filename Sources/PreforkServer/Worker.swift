import CathammerContract
import CLinuxShim
import CTLS
@preconcurrency import Glibc
import HTTPWire
import Logging

/// What a worker needs to know, decided by the master from flags and the ini file.
struct WorkerSettings {
    var id: Int
    var generation: Int
    var limits: ParserLimits
    var connectionTimeouts: ConnectionLifecycle.Timeouts
    var maxConnections: Int
    /// How long idle keep-alive connections are kept once the worker retires.
    var retireIdleGrace: UInt64
    /// Accepts per listener event. One, as nginx without multi_accept: the listener is
    /// level-triggered, so connections still queued come back with the next epoll_wait together with
    /// the other connections' events. Accepting until EAGAIN cost a failed accept4 on most wakeups,
    /// and a failed accept4 is not cheap: Linux allocates the new socket's inode and file before it
    /// looks at the queue and frees them again (perf, `make bench-server` new-connection mode).
    var acceptBatch: Int = 1
    /// `--accept exclusive`: accepts between two re-registrations of a listener.
    var exclusiveRotation: Int = 16
    /// Log every request (method, target, status, bytes, duration).
    var accessLog = false
    /// Log the worker's resident memory after every request (uWSGI's --memory-report).
    var memoryReport = false
    /// After this many requests (jitter already added; 0: never) ask the master for a replacement.
    var maxRequests = 0
    var acceptMode: AcceptMode = .exclusive
    /// The listen() backlog for a worker's own reuseport socket.
    var backlog = 1024
    /// HTTP/2's limits when `--http2 on`; nil: the preface is not recognised.
    var http2: HTTP2ServerLimits? = nil
    /// From accept to the end of the TLS handshake on an `--https` listener.
    var tlsHandshakeTimeout: UInt64 = 10_000_000_000
}

/// How workers wait for connections on the shared listener (`--accept`).
public enum AcceptMode: String, Sendable, CaseIterable {
    /// EPOLLEXCLUSIVE, re-registered every 16 accepts: one worker woken per connection.
    case exclusive
    /// Every worker polls the listener: every idle worker wakes for each connection (the herd baseline).
    case plain
    /// Every worker polls the listener, but only the holder of a robust process-shared mutex accepts.
    case lock
    /// Every worker has its own SO_REUSEPORT listener; needs net.ipv4.tcp_migrate_req = 1, or a
    /// retiring worker's close would reset the connections queued on its socket.
    case reuseport
}

/// One listening socket a worker polls (every worker polls every listener the master owns).
final class WorkerListener: EventHandler {
    fileprivate(set) var fd: Int32
    let scheme: RequestScheme
    /// Set for the record control listener (`--record-control`): its connections are served by
    /// this application, not the worker's, and are not recorded.
    let application: Application?
    fileprivate var watched = false
    fileprivate var acceptsSinceRegistration = 0
    fileprivate unowned var worker: Worker!

    init(fd: Int32, scheme: RequestScheme, application: Application? = nil) {
        self.fd = fd
        self.scheme = scheme
        self.application = application
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) { worker.acceptConnections(from: self) }
}

/// One worker process: an epoll loop over the inherited listeners, its connections, the control
/// channel to the master, and its own signals.
final class Worker {
    let config: WorkerSettings
    let loop: EventLoop
    let application: Application
    /// `--app record`: the store every connection's session records into.
    let recordStore: RecordStore?
    private let listeners: [WorkerListener]
    private let control: ControlChannel
    private var connections = ConnectionTable()
    /// Buffers lent to sessions while a request is in progress (idle connections hold none).
    let bufferPool: HTTP1BufferPool
    private(set) var date = HTTPDate()
    /// `X-Worker: <id>/<pid>/<generation>` (every response carries it), and its value alone (HTTP/2).
    let workerHeaderLine: [UInt8]
    let workerHeaderValue: [UInt8]
    /// Buffers lent to HTTP/2 sessions while they have work.
    let http2BufferPool = HTTP2BufferPool()
    let scoreboard: ScoreboardSlot?
    private let acceptLock: AcceptLock?
    /// The certificates and OpenSSL settings of the `--https` listeners.
    private let tls: TLSServerContext?
    /// The master's session-ticket keys, and the version of them this process uses.
    private let ticketKeys: TicketKeyStore?
    private var ticketKeysSequence = -1

    private var watchedListeners = 0
    private var retirement = WorkerRetirement()
    private var controlHandler: ControlHandler!
    private var signalHandler: SignalHandler!
    private var resumeTimer: CallbackTimer?
    private var requestsServed = 0
    let logger: Logger
    private let accessLogger = Logger(label: "cathammer.access")

    init(settings: WorkerSettings, listeners: [WorkerListener], controlFD: Int32, application: Application,
         scoreboard: ScoreboardSlot?, acceptLock: AcceptLock? = nil, tls: TLSServerContext? = nil,
         ticketKeys: TicketKeyStore? = nil) throws(SystemError) {
        self.acceptLock = acceptLock
        config = settings
        loop = try EventLoop()
        self.application = application
        recordStore = (application as? RecordApp)?.store
        if settings.acceptMode == .reuseport {
            // Its own socket in each port's reuseport group; the master's reservations are not needed here.
            for listener in listeners {
                let reserved = listener.fd
                listener.fd = try Listener.openReusePort(like: reserved, backlog: settings.backlog)
                close(reserved)
            }
        }
        // Accepted sockets inherit TCP_NODELAY from their listener: no setsockopt per connection.
        for listener in listeners { Listener.passNoDelayToAcceptedSockets(listener.fd) }
        self.listeners = listeners
        self.tls = tls
        self.ticketKeys = ticketKeys
        control = ControlChannel(fd: controlFD)
        self.scoreboard = scoreboard
        bufferPool = HTTP1BufferPool(parserLimits: settings.limits)
        workerHeaderValue = Array("\(settings.id)/\(getpid())/\(settings.generation)".utf8)
        workerHeaderLine = Array("X-Worker: ".utf8) + workerHeaderValue + [0x0D, 0x0A]
        var logger = Logger(label: "cathammer.worker")
        logger[metadataKey: "worker"] = "\(settings.id)/\(getpid())/\(settings.generation)"
        self.logger = logger
        date.refresh()
        for listener in listeners { listener.worker = self }
    }

    /// Serves until told to stop; returns the process exit code.
    func run() throws(SystemError) -> Int32 {
        controlHandler = ControlHandler(worker: self, channel: control)
        signalHandler = try SignalHandler(worker: self)
        try loop.register(control.fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: controlHandler)
        try loop.register(signalHandler.fd, events: EPOLLIN.rawValue, handler: signalHandler)
        refreshTicketKeys()
        startListening()
        scoreboard?.begin(pid: getpid(), generation: config.generation)
        scoreboard?.update(wakeups: 0, connections: 0, sampleResources: true)
        control.send(.ready)
        // The closure does not escape `run`: capturing self costs nothing, where `[unowned self]`
        // cost a checked retain and release on every wakeup (callgrind, `make bench-cpu`).
        loop.run {
            let newSecond = self.date.refresh()
            self.scoreboard?.update(wakeups: self.loop.wakeups, connections: self.connections.count,
                                    sampleResources: newSecond)
        }
        scoreboard?.setState(.exited)
        return 0
    }

    // MARK: - Accepting

    private func startListening() {
        guard watchedListeners < listeners.count, retirement.acceptsConnections, connections.count < config.maxConnections
        else { return }
        for listener in listeners where !listener.watched { watch(listener) }
    }

    private func stopListening() {
        for listener in listeners where listener.watched { unwatch(listener) }
    }

    private func watch(_ listener: WorkerListener) {
        // EPOLLEXCLUSIVE wakes one waiting worker per connection instead of all of them (the herd).
        let events = EPOLLIN.rawValue | (config.acceptMode == .exclusive ? EPOLLEXCLUSIVE.rawValue : 0)
        do {
            try loop.register(listener.fd, events: events, handler: listener)
            listener.watched = true
            listener.acceptsSinceRegistration = 0
            watchedListeners += 1
        } catch {
            logger.error("cannot watch the listener: \(error)")
        }
    }

    private func unwatch(_ listener: WorkerListener) {
        loop.unregister(listener.fd)
        listener.watched = false
        watchedListeners -= 1
    }

    fileprivate func acceptConnections(from listener: WorkerListener) {
        scoreboard?.noteListenerWakeup()
        if let acceptLock {
            switch acceptLock.tryLock() {
            case .busy:
                scoreboard?.add(.lockContended)
                return
            case .recovered:
                logger.warning("accept lock recovered from a worker that died holding it")
            case .acquired:
                break
            }
        }
        defer { acceptLock?.unlock() }
        for _ in 0..<config.acceptBatch {
            guard retirement.acceptsConnections, connections.count < config.maxConnections else { break }
            let fd = linux_accept4(listener.fd, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
            if fd < 0 {
                switch errno {
                case EAGAIN, EINTR:
                    scoreboard?.noteEmptyAccept()
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: pause accepting instead of spinning on a ready listener.
                    scoreboard?.noteAcceptPause()
                    stopListening()
                    resumeTimer = CallbackTimer(loop: loop, after: 100) { [unowned self] in
                        self.resumeTimer = nil
                        self.startListening()
                    }
                default:
                    break  // ECONNABORTED and friends: that client is gone, the next one is not
                }
                break
            }
            scoreboard?.noteAccept()
            listener.acceptsSinceRegistration += 1
            switch listener.scheme {
            case .http:
                let connection = HTTP1Session(transport: .plain(PlainTransport(fd: fd)), worker: self, now: loop.now,
                                              application: listener.application)
                connections[fd] = connection
                connection.start()
            case .https:
                startHandshake(fd)
            }
        }
        if connections.count >= config.maxConnections {
            stopListening()
        } else if config.acceptMode == .exclusive && listener.watched && listener.acceptsSinceRegistration >= config.exclusiveRotation {
            // EPOLLEXCLUSIVE wakes the most recently waiting worker first; re-registering moves this
            // one to the back, so light load spreads over workers instead of one taking everything.
            unwatch(listener)
            watch(listener)
        }
    }

    /// An `--https` connection: the handshake runs in the loop, then `handOver` starts its session.
    private func startHandshake(_ fd: Int32) {
        guard let tls, let ssl = tls.makeConnection(fd: fd) else {
            logger.error("OpenSSL cannot take a new connection (out of memory?)")
            close(fd)
            return
        }
        refreshTicketKeys()
        let transport = TLSTransport(fd: fd, ssl: ssl, scoreboard: scoreboard, loop: loop)
        let handshake = TLSHandshakeSession(transport: transport, worker: self,
                                            deadline: loop.now &+ config.tlsHandshakeTimeout)
        connections[fd] = handshake
        handshake.start()
    }

    /// Picks up the master's rotated session-ticket keys: one atomic load when nothing changed.
    private func refreshTicketKeys() {
        guard let ticketKeys, ticketKeys.sequence != ticketKeysSequence, let contents = ticketKeys.read() else { return }
        let bytes = contents.ring.concatenated
        if ctls_set_ticket_keys(bytes, contents.ring.keys.count) == 1 {
            ticketKeysSequence = contents.sequence
        } else {
            logger.error("cannot install \(contents.ring.keys.count) session-ticket keys")
        }
    }

    /// A connection's protocol was decided after it started: after its TLS handshake by ALPN (or a
    /// plain HTTP request on an HTTPS port), or on cleartext from its first bytes. `session`, built
    /// over the connection's transport and whatever bytes were already read from it, replaces the
    /// connection's handler for the same fd: same epoll registration (no EPOLL_CTL_DEL/ADD), events
    /// from now on go to `session`. It is started here, and retired at once if the worker is
    /// retiring, like every connection it had when it began to. The previous handler must not touch
    /// the fd, its transport or the loop afterwards, and must cancel its own timers.
    func handOver(_ fd: Int32, to session: ServerSession) {
        connections[fd] = session
        loop.replaceHandler(of: fd, with: session)
        session.start()
        if let grace = retirement.connectionGrace, connections[fd] === session { session.retire(grace: grace) }
    }

    func connectionClosed(_ connection: ServerSession) {
        connections[connection.fd] = nil
        if connections.isEmpty { handle(.connectionsDrained) }
        if watchedListeners < listeners.count { startListening() }
    }

    // MARK: - Retiring and stopping

    /// Carries out what `WorkerRetirement` decides for `event`.
    fileprivate func handle(_ event: WorkerRetirement.Event) {
        for action in retirement.handle(event) {
            switch action {
            case .askForReplacement(let reason):
                control.send(.recycle(reason: reason))
            case .stopAccepting:
                scoreboard?.setState(.retiring)
                stopListening()
                // Only this process's copies: the master keeps the listening sockets open (never shutdown()).
                for listener in listeners { close(listener.fd) }
            case .retireConnections(let grace):
                for connection in connections.all { connection.retire(grace: grace) }
                // Idle connections may have closed just now; with none open there is no close left to report it.
                if connections.isEmpty { handle(.connectionsDrained) }
            case .exit:
                loop.stop()
            }
        }
    }

    fileprivate func handleControl(_ message: ControlMessage) {
        switch message {
        case .retire: handle(.retire(grace: config.retireIdleGrace))
        case .stop: handle(.stop)
        case .quit: handle(.quit)
        case .ready, .recycle: logger.warning("control message \(message.wireText) is for the master, not a worker")
        }
    }

    fileprivate func masterGone() {
        // The master died or was replaced without handing us over: drain rather than run orphaned.
        handle(.stop)
    }

    // MARK: - Bookkeeping for the scoreboard

    func count(_ field: Scoreboard.Field) { scoreboard?.add(field) }
    func noteRejection() { scoreboard?.noteRejection() }
    func http2Note(_ counter: HTTP2Counter) { scoreboard?.add(counter.field) }
    func http2ConnectionOpened() { scoreboard?.add(.h2Connections) }
    func http2ConnectionClosed() { scoreboard?.add(.h2Connections, -1) }
    func http2StreamOpened() {
        scoreboard?.add(.h2OpenStreams)
        scoreboard?.add(.h2Streams)
    }
    func http2StreamClosed() { scoreboard?.add(.h2OpenStreams, -1) }
    func requestStarted() { scoreboard?.requestStarted() }
    func requestFinished() {
        scoreboard?.requestFinished()
        requestsServed += 1
        if config.maxRequests > 0 && requestsServed == config.maxRequests { handle(.limitReached(.maxRequests)) }
    }

    /// `--access-log` and `--memory-report`: off by default, they cost a log line per request.
    func logRequest(method: @autoclosure () -> String, target: @autoclosure () -> String, status: Int, bodyBytes: Int,
                    startedAt: UInt64) {
        if config.accessLog {
            let milliseconds = Double(MonotonicClock.now() &- startedAt) / 1e6
            accessLogger.info("\(method()) \(target()) \(status) \(bodyBytes) \(String(milliseconds)) ms")
        }
        if config.memoryReport {
            logger.info("memory: rss \(ScoreboardSlot.residentBytes() / 1024) KiB after \(scoreboard?.load(.requests) ?? 0) requests")
        }
    }

    /// Runs `fire` on this loop after `milliseconds` (for applications such as /sleep).
    func scheduleCallback(after milliseconds: Int, _ fire: @escaping () -> Void) {
        _ = CallbackTimer(loop: loop, after: milliseconds, fire)
    }
}

// MARK: - Event handlers

private final class ControlHandler: EventHandler {
    unowned let worker: Worker
    let channel: ControlChannel

    init(worker: Worker, channel: ControlChannel) {
        self.worker = worker
        self.channel = channel
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        while true {
            switch channel.receive() {
            case .message(let message):
                worker.handleControl(message)
            case .undecodable(let error):
                worker.logger.warning("master said something undecodable: \(error)")
            case .closed:
                loop.unregister(channel.fd)
                worker.masterGone()
                return
            case .wouldBlock:
                return
            }
        }
    }
}

/// SIGTERM: graceful stop. SIGINT / SIGQUIT: stop now. Delivered through a signalfd.
private final class SignalHandler: EventHandler {
    unowned let worker: Worker
    let fd: Int32

    init(worker: Worker) throws(SystemError) {
        self.worker = worker
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in [SIGTERM, SIGINT, SIGQUIT] { sigaddset(&mask, signal) }
        sigprocmask(SIG_BLOCK, &mask, nil)
        fd = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { throw SystemError("signalfd") }
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        var info = signalfd_siginfo()
        while read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGTERM: worker.handle(.stop)
            default: worker.handle(.quit)
            }
        }
    }
}

/// A one-shot timer that runs a closure on the loop.
final class CallbackTimer: TimerHandler {
    let timerGeneration: UInt64 = 0
    private var fire: (() -> Void)?

    @discardableResult
    init(loop: EventLoop, after milliseconds: Int, _ fire: @escaping () -> Void) {
        self.fire = fire
        loop.schedule(self, at: loop.now &+ MonotonicClock.nanoseconds(milliseconds: milliseconds))
    }

    func timerFired(loop: EventLoop) {
        let action = fire
        fire = nil
        action?()
    }
}

/// Entry point of a worker process (`cathammer worker`, spawned by the master).
public enum WorkerProcess {
    /// Fault injection for reload tests and drills: workers of this generation exit before READY,
    /// as workers of a broken release would. Inherited from the master's environment.
    public static let faultGenerationVariable = "CATHAMMER_FAULT_FAIL_GENERATION"

    /// `listeners`: the inherited listening sockets and their schemes; `ticketKeysFD`: the master's
    /// session-ticket key page (with `--https` listeners).
    public static func run(config: ServerConfig, id: Int, generation: Int, listeners: [(fd: Int32, scheme: RequestScheme)],
                           controlFD: Int32, scoreboardFD: Int32?, scoreboardSlots: Int, scoreboardSlot: Int,
                           acceptLockFD: Int32? = nil, ticketKeysFD: Int32? = nil) -> Int32 {
        // The master's signal mask and dispositions were reset by posix_spawn; SIGPIPE must not kill us.
        signal(SIGPIPE, SIG_IGN)
        if let text = getenv(faultGenerationVariable), Int(String(cString: text)) == generation {
            Logger(label: "cathammer.worker").error("worker \(id): \(faultGenerationVariable) says generation \(generation) fails to start")
            return 1
        }
        if config.faultFailStart {
            Logger(label: "cathammer.worker").error("worker \(id): fault-fail-start is set: exiting before READY")
            return 1
        }
        do {
            let slot = try scoreboardFD.map { fd throws(SystemError) in
                try Scoreboard(fd: fd, slots: scoreboardSlots).slot(scoreboardSlot)
            }
            let application = try makeApplication(config)
            let lock = try acceptLockFD.map { fd throws(SystemError) in try AcceptLock(fd: fd) }
            let settings = config.workerSettings(id: id, generation: generation)
            // The certificates are read again here: the master checked them, but a file can change
            // in between, and a worker that cannot load them fails before READY (the roll aborts).
            let tls = try config.tls.map { tls throws(ServerConfigurationError) in
                try TLSServerContext(settings: tls, protocols: settings.sessionProtocols)
            }
            if listeners.contains(where: { $0.scheme == .https }) && (tls == nil || ticketKeysFD == nil) {
                throw ServerConfigurationError("an https listener needs the TLS settings and the ticket-key page")
            }
            let keys = try ticketKeysFD.map { fd throws(SystemError) in try TicketKeyStore(fd: fd) }
            var workerListeners = listeners.map { WorkerListener(fd: $0.fd, scheme: $0.scheme) }
            if let control = config.recordControl, let record = application as? RecordApp {
                // The worker's own: with one worker (`-p 1`, checked with the flags) and no roll
                // (a new generation cannot bind it while the old one holds it, so a reload aborts).
                let opened = try Listener.open(control.address, backlog: 64)
                workerListeners.append(WorkerListener(fd: opened.fd, scheme: .http, application: RecordControlApp(store: record.store)))
            }
            let worker = try Worker(settings: settings, listeners: workerListeners,
                                    controlFD: controlFD, application: application, scoreboard: slot, acceptLock: lock,
                                    tls: tls, ticketKeys: keys)
            return try worker.run()
        } catch {
            Logger(label: "cathammer.worker").error("worker \(id) cannot start: \(error)")
            return 1
        }
    }

    static func makeApplication(_ config: ServerConfig) throws(ServerConfigurationError) -> Application {
        switch config.app {
        case "catserve":
            return CatserveApp(staticFiles: config.staticMappings.isEmpty ? nil : StaticFiles(mappings: config.staticMappings))
        case "record":
            return RecordApp(staticFiles: config.staticMappings.isEmpty ? nil : StaticFiles(mappings: config.staticMappings))
        default: throw ServerConfigurationError("unknown application '\(config.app)'")
        }
    }
}
