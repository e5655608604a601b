import CathammerContract
import CLinuxShim
@preconcurrency import Glibc
import Logging

/// A listening socket the master owns for its whole life.
struct MasterListener {
    var fd: Int32
    var port: UInt16
    var scheme: RequestScheme
    /// The host as clients write it in a URL.
    var host: String

    var url: String { "\(scheme.rawValue)://\(host):\(port)" }
}

/// The master process: owns the listening sockets for its whole life, spawns workers by fork+exec of
/// its own binary, counts a worker only after READY, respawns the dead with damping, rolls a new
/// generation in on SIGHUP (spawn, READY, then retire the old: never retire first), and stops
/// gracefully (SIGTERM) or fast (SIGINT, SIGQUIT). Single-threaded: epoll over a signalfd, the
/// workers' control channels, and timers.
public final class Master {
    var config: ServerConfig
    /// Re-reads the configuration (flags and ini file) for a reload.
    let reloadConfiguration: () throws -> ServerConfig
    /// The binary to exec for workers, resolved at start (after an upgrade /proc/self/exe names a deleted file).
    let executable: String
    /// The worker command line after the executable (the serve options, as given).
    let workerArguments: [String]
    let loop: EventLoop
    /// Every `--http` and `--https` listener, in the order of the configuration.
    var listeners: [MasterListener] = []
    /// The first listener's port.
    public var port: UInt16 { listeners.first?.port ?? 0 }
    /// Every listener as a URL with the port bound (`https://127.0.0.1:8443`).
    public var listenerURLs: [String] { listeners.map(\.url) }
    /// The session-ticket keys every worker reads (with `--https` listeners).
    var ticketKeys: TicketKeyStore?
    var ticketRotationTimer: CallbackTimer?
    var scoreboard: Scoreboard!
    var table = WorkerTable()
    var channels: [Int32: ControlChannel] = [:]
    var channelHandlers: [Int32: MasterControlHandler] = [:]
    var signalFD: Int32 = -1
    var signalHandler: MasterSignalHandler!
    var shutdown = MasterShutdown()
    let logger: Logger
    var onReady: (([String]) -> Void)?
    var announcedReady = false
    /// sd_notify to systemd (NOTIFY_SOCKET); silent without it.
    var notifier: ServiceNotifier!
    /// RELOADING=1 was sent and its READY=1 not yet.
    var reloadAnnounced = false
    /// The last STATUS= sent, so that an unchanged one is not sent again.
    var lastStatus: String?
    var forcedKills = 0
    var reloads = 0
    var failedReloads = 0
    var generation = 1
    var roll: RollingReload?
    /// SIGHUPs that arrive during a roll coalesce into one more roll.
    var rollPending = false
    /// Scoreboard slots not in use (each worker process has its own).
    var freeScoreboardSlots: [Int] = []
    var respawnCounts: [Int: Int] = [:]
    var recycling = WorkerRecycling()
    var recycles = 0
    var harakiri = Harakiri()
    var harakiriKills = 0
    var watchdog: CallbackTimer?
    var fifo: MasterFIFO?
    /// `--accept lock`: shared by every worker, handed over at fd 6.
    var acceptLock: AcceptLock?
    static let scoreboardCapacity = 1024
    var statsServer: StatsServer?
    public var statsPort: UInt16? { statsServer?.port }
    let startedAt = MonotonicClock.now()

    public init(config: ServerConfig, executable: String, workerArguments: [String],
                logger: Logger = Logger(label: "cathammer.master"),
                reloadConfiguration: @escaping () throws -> ServerConfig) throws {
        self.config = config
        self.reloadConfiguration = reloadConfiguration
        self.executable = executable
        self.workerArguments = workerArguments
        self.logger = logger
        loop = try EventLoop()
        notifier = ServiceNotifier { [logger] in logger.warning("\($0)") }
    }

    /// Opens the listener, starts the workers and serves until stopped; returns the exit code.
    /// `ready` is called with the listeners' URLs once every first-generation worker has said READY.
    public func run(ready: @escaping ([String]) -> Void = { _ in }) throws -> Int32 {
        onReady = ready
        // Whatever this process inherited beyond stdio must not reach the workers.
        _ = linux_close_range(3, UInt32.max, Self.closeRangeCloexec)
        if let maximum = Listener.systemMaxBacklog(), config.backlog > maximum {
            throw ServerConfigurationError(
                "--listen \(config.backlog) is larger than net.core.somaxconn (\(maximum)): the kernel would silently "
                    + "use \(maximum); lower --listen or raise the sysctl")
        }
        let handover = getenv(MasterHandover.environmentKey).flatMap { MasterHandover.decode(String(cString: $0)) }
        unsetenv(MasterHandover.environmentKey)
        // Read (and removed from the environment) before anything else is spawned.
        let activated = handover == nil ? try SocketActivation.passedFromEnvironment() : nil
        if let handover {
            try adopt(handover)
        } else {
            if activated != nil && config.acceptMode == .reuseport {
                throw ServerConfigurationError(
                    "--accept reuseport cannot serve sockets passed by systemd (LISTEN_FDS): each worker binds its own "
                        + "socket there; use --accept exclusive, plain or lock")
            }
            if activated == nil && config.acceptMode == .reuseport && !Listener.connectionMigrationEnabled() {
                throw ServerConfigurationError(
                    "--accept reuseport needs net.ipv4.tcp_migrate_req = 1: without it, closing a worker's reuseport socket "
                        + "(every reload, every recycle) resets the connections waiting in its queue. Set the sysctl, or use "
                        + "--accept exclusive, which shares one listener that is never closed")
            }
            // A certificate that does not load is a start-up error naming the file, before any socket.
            try config.checkCertificates()
            if let activated {
                try adoptPassedListeners(activated)
            }
            for listener in config.listeners where activated == nil {
                let opened = config.acceptMode == .reuseport
                    ? try Listener.reserve(listener.address.address)
                    : try Listener.open(listener.address.address, backlog: config.backlog)
                listeners.append(MasterListener(fd: Self.moveAbove(opened.fd, Self.inheritedDescriptorFloor), port: opened.port, scheme: listener.scheme,
                                                host: listener.address.hostForURL))
            }
            if listeners.contains(where: { $0.scheme == .https }) {
                ticketKeys = try TicketKeyStore(publishing: try TicketKeyRing.fresh(), rotatedAt: MonotonicClock.now())
            }
            scoreboard = try Scoreboard(slots: Self.scoreboardCapacity)
            freeScoreboardSlots = Array((0..<Self.scoreboardCapacity).reversed())
        }
        if config.acceptMode == .lock && acceptLock == nil { acceptLock = try AcceptLock() }
        try installSignals()
        if statsServer == nil, let stats = config.statsAddress {
            statsServer = try StatsServer(address: stats.address, loop: loop) { [unowned self] in self.snapshot() }
        }
        if let path = config.masterFIFO {
            fifo = try MasterFIFO(path: path, loop: loop) { [unowned self] command in self.execute(command) }
        }
        scheduleTicketRotation()
        if handover == nil {
            let http2 = config.http2 ? "HTTP/2 at most \(config.http2MaxStreamsPerConnection) streams per connection" : "HTTP/2 off"
            logger.info("master \(getpid()) listening on \(listenerURLs.joined(separator: ", ")), \(config.processes) workers, \(http2)")
            for slot in 0..<config.processes { respawn(slot: slot, generation: 1) }
        } else {
            logger.info("master \(getpid()) re-executed: adopted \(table.entries.count) workers; rolling them onto this image")
            requestReload()
        }
        scheduleWatchdog()
        loop.run()
        fifo?.close()
        for listener in listeners { close(listener.fd) }
        return 0
    }

    /// Socket activation: the listeners are the sockets systemd passed, matched to the configuration.
    func adoptPassedListeners(_ passed: [SocketActivation.PassedSocket]) throws {
        let candidates = passed.map { SocketActivation.Candidate(socket: $0, endpoint: SocketEndpoint(listeningSocket: $0.fd)) }
        let assignments = try SocketActivation.assign(candidates, configured: config.listeners,
                                                      configuredByDefault: config.listenersAreDefault) { SocketEndpoint(resolving: $0) }
        for assignment in assignments {
            // Workers must not block in accept when another took the connection (as Listener.open does).
            _ = fcntl(assignment.fd, F_SETFL, fcntl(assignment.fd, F_GETFL) | O_NONBLOCK)
            let fd = Self.moveAbove(assignment.fd, Self.inheritedDescriptorFloor)
            listeners.append(MasterListener(fd: fd, port: Listener.boundPort(fd), scheme: assignment.scheme, host: assignment.host))
        }
        logger.info("master \(getpid()): \(listeners.count) listener\(listeners.count == 1 ? "" : "s") passed by systemd (LISTEN_FDS)")
    }

    /// The scoreboard and the master's own books, for the stats endpoint.
    func snapshot() -> StatsSnapshot {
        let now = MonotonicClock.now()
        let queues = listeners.map { Listener.queueDepth($0.fd) }
        let indices = table.entries.sorted { ($0.slot, $0.generation) < ($1.slot, $1.generation) }.map(\.scoreboardIndex)
        let rows = indices.map { index -> StatsSnapshot.WorkerRow in
            let slot = scoreboard.slot(index)
            var values: [Scoreboard.Field: Int] = [:]
            for field in Scoreboard.Field.allCases { values[field] = slot.load(field) }
            // Read at the moment of asking: a worker samples these itself only when it wakes, and the
            // herd's wakeups end inside the kernel without waking anyone's user space.
            if let live = ProcessStatusFile.read(pid: Int32(values[.pid] ?? 0)) {
                values[.voluntaryContextSwitches] = live.voluntaryContextSwitches
                values[.rssBytes] = live.residentBytes
            }
            let busySince = UInt64(max(0, slot.load(.busySince)))
            let busy = busySince == 0 || busySince > now ? 0 : Int((now - busySince) / 1_000_000)
            return StatsSnapshot.WorkerRow(values: values, state: slot.state, busyMilliseconds: busy)
        }
        return StatsSnapshot(
            masterPID: getpid(), listen: listeners.first.map { "\($0.host):\($0.port)" } ?? "",
            listeners: listenerURLs.joined(separator: " "), configuredWorkers: config.processes,
            listenQueue: queues.map(\.length).reduce(0, +), listenBacklog: queues.first?.backlog ?? 0, reloads: reloads,
            failedReloads: failedReloads, recycles: recycles, harakiriKills: harakiriKills, forcedKills: forcedKills,
            respawns: table.respawns, ticketKeyRotations: ticketKeys?.read()?.rotations ?? 0,
            h2MaxStreamsPerConnection: config.http2 ? config.http2MaxStreamsPerConnection : 0,
            uptimeSeconds: Double(now - startedAt) / 1e9, workers: rows)
    }

    // MARK: - Spawning

    /// Starts a worker for `slot`; returns its pid. The caller decides what a failure means.
    func spawn(slot: Int, generation: Int) throws -> Int32 {
        guard let index = freeScoreboardSlots.popLast() else {
            throw ServerConfigurationError("no free scoreboard slot (more than \(Self.scoreboardCapacity) workers)")
        }
        let board = scoreboard.slot(index)
        board.assign(slotID: slot + 1, generation: generation, respawns: respawnCounts[slot] ?? 0)
        do {
            let (masterEnd, workerEnd) = try ControlChannel.pair()
            let workerFD = Self.moveAbove(workerEnd.fd, Self.inheritedDescriptorFloor)
            defer { close(workerFD) }
            // Fixed descriptors: the first listener at 3, control 4, scoreboard 5, accept lock 6, ticket
            // keys 7, any further listener i at 7 + i.
            var arguments = [executable, "worker",
                             "--worker-id", String(slot + 1), "--generation", String(generation), "--control-fd", "4",
                             "--scoreboard-fd", "5", "--scoreboard-slots", String(scoreboard.slotCount),
                             "--scoreboard-slot", String(index)] + (acceptLock == nil ? [] : ["--accept-lock-fd", "6"])
                + (ticketKeys == nil ? [] : ["--ticket-keys-fd", "7"])
            var inherited: [(Int32, Int32)] = [(workerFD, 4), (scoreboard.fd, 5)]
            for (position, listener) in listeners.enumerated() {
                let target = Int32(position == 0 ? 3 : 7 + position)
                inherited.append((listener.fd, target))
                arguments += [listener.scheme == .https ? "--https-listener-fd" : "--listener-fd", String(target)]
            }
            arguments += workerArguments
            let pid: Int32
            do {
                if let acceptLock { inherited.append((acceptLock.fd, 6)) }
                if let ticketKeys { inherited.append((ticketKeys.fd, 7)) }
                pid = try Self.spawnProcess(arguments, inheriting: inherited)
            } catch {
                masterEnd.close()
                throw error
            }
            table.spawned(slot: slot, pid: pid, generation: generation, now: MonotonicClock.now(), scoreboardIndex: index)
            channels[masterEnd.fd] = masterEnd
            let handler = MasterControlHandler(master: self, channel: masterEnd, pid: pid)
            channelHandlers[masterEnd.fd] = handler
            try loop.register(masterEnd.fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: handler)
            return pid
        } catch {
            board.setState(.empty)
            freeScoreboardSlots.append(index)
            throw error
        }
    }

    /// Keeps a slot served: spawns, and on failure tries again in a second.
    func respawn(slot: Int, generation: Int) {
        do {
            _ = try spawn(slot: slot, generation: generation)
        } catch {
            logger.error("cannot spawn worker \(slot + 1): \(error); retrying in 1 s")
            CallbackTimer(loop: loop, after: 1000) { [weak self] in
                guard let self, self.shutdown.isRunning else { return }
                self.respawn(slot: slot, generation: generation)
            }
        }
    }

    /// posix_spawn with a clean signal mask and default dispositions, and exactly the listed fds
    /// (everything else is close-on-exec).
    static func spawnProcess(_ arguments: [String], inheriting: [(Int32, Int32)]) throws(SystemError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (source, target) in inheriting { posix_spawn_file_actions_adddup2(&actions, source, target) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in handledSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        // posix_spawn returns the error instead of setting errno.
        guard status == 0 else { throw SystemError("posix_spawn \(arguments[0])", code: status) }
        return pid
    }

    /// CLOSE_RANGE_CLOEXEC from <linux/close_range.h>: mark instead of close.
    static let closeRangeCloexec: Int32 = 1 << 2

    /// Most listeners a server may have: worker descriptors 3...7 + this stay below the floor.
    public static let maxListeners = 32
    /// Descriptors the master hands to workers live above this, clear of the fixed numbers the
    /// workers expect theirs at (3...7 + listeners): a source dup2'ed after its number was a
    /// target would be the wrong file.
    static let inheritedDescriptorFloor: Int32 = 63

    /// Keeps an fd clear of the numbers workers expect theirs at (a dup2 onto itself would keep CLOEXEC).
    static func moveAbove(_ fd: Int32, _ floor: Int32) -> Int32 {
        guard fd <= floor else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, floor + 1)
        guard moved >= 0 else { return fd }
        close(fd)
        return moved
    }

    // MARK: - Worker events

    func workerSaid(_ message: ControlMessage, pid: Int32) {
        switch message {
        case .recycle(let reason):
            recycle(pid, reason: reason)
        case .retire, .stop, .quit:
            logger.warning("worker \(pid) said \(message.wireText), which is for workers")
        case .ready:
            table.markReady(pid: pid)
            if let replaced = recycling.replaced(bySuccessor: pid) {
                perform(recycling.handle(.successorReady, old: replaced), old: replaced)
            }
            if var current = roll {
                let steps = current.ready(pid: pid)
                roll = current
                perform(steps)
            }
            perform(shutdown.handle(.workerReady(pid: pid)))
            if !announcedReady && table.readyCount >= config.processes {
                announcedReady = true
                logger.info("master \(getpid()): \(table.readyCount) workers ready on \(listenerURLs.joined(separator: ", "))")
                onReady?(listenerURLs)
                notifyReady()
            } else {
                notifyStatusChange()
            }
        }
    }

    func channelClosed(pid: Int32, fd: Int32) {
        loop.unregister(fd)
        channels[fd]?.close()
        channels[fd] = nil
        channelHandlers[fd] = nil
    }

    func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { break }
            let how = status & 0x7F == 0 ? "exited with status \((status >> 8) & 0xFF)" : "killed by signal \(status & 0x7F)"
            _ = harakiri.handle(.reaped, pid: pid)
            if let entry = table.entry(pid: pid) {
                scoreboard.slot(entry.scoreboardIndex).setState(.empty)
                freeScoreboardSlots.append(entry.scoreboardIndex)
            }
            if let replaced = recycling.replaced(bySuccessor: pid) {
                // The old worker keeps serving meanwhile.
                table.remove(pid: pid)
                logger.warning("replacement for \(replaced) (pid \(pid)) \(how) before READY; retrying in 1 s")
                perform(recycling.handle(.successorExited, old: replaced), old: replaced)
                continue
            }
            if var current = roll, case .waitingForReady(_, pid?) = current.phase {
                // The new generation's worker died before READY: the roll stops, the old one serves.
                table.remove(pid: pid)
                let steps = current.failed(pid: pid, reason: "new worker (pid \(pid)) \(how) before READY")
                roll = current
                perform(steps)
                continue
            }
            let recycled = recycling.handle(.oldExited, old: pid)
            perform(recycled, old: pid)
            if recycled == [.successorFillsSlot] {
                logger.warning("worker \(pid) \(how) while its replacement was starting; the replacement takes its slot")
                continue
            }
            switch table.exited(pid: pid, now: MonotonicClock.now(), stopping: !shutdown.isRunning) {
            case .nothing:
                if shutdown.isRunning { logger.info("worker \(pid) \(how)") }
            case .respawn(let slot, let generation, let delay):
                logger.warning("worker \(slot + 1) (pid \(pid)) \(how); respawning\(delay > 0 ? " after \(delay / 1_000_000) ms" : "")")
                respawnCounts[slot, default: 0] += 1
                if delay == 0 {
                    respawn(slot: slot, generation: generation)
                } else {
                    CallbackTimer(loop: loop, after: Int(delay / 1_000_000)) { [weak self] in
                        guard let self, self.shutdown.isRunning else { return }
                        self.respawn(slot: slot, generation: generation)
                    }
                }
            }
        }
        if table.isEmpty { perform(shutdown.handle(.workersGone)) }
        notifyStatusChange()
    }

    // MARK: - Signals

    static let handledSignals: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU, SIGPIPE]

    func installSignals() throws {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in Self.handledSignals { sigaddset(&mask, signal) }
        sigprocmask(SIG_BLOCK, &mask, nil)
        signalFD = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard signalFD >= 0 else { throw SystemError("signalfd") }
        signalHandler = MasterSignalHandler(master: self, fd: signalFD)
        try loop.register(signalFD, events: EPOLLIN.rawValue, handler: signalHandler)
    }

    func received(signal: Int32) {
        switch signal {
        case SIGCHLD:
            reapChildren()
        case SIGTERM:
            stop(.graceful)
        case SIGINT, SIGQUIT:
            stop(.fast)
        case SIGHUP:
            requestReload()
        case SIGUSR2:
            reexec()
        case SIGTTIN:
            addWorker()
        case SIGTTOU:
            removeWorker()
        default:
            break  // SIGPIPE is ignored
        }
    }

    /// Graceful: workers stop accepting, finish in-flight requests, exit; the master waits up to the
    /// mercy, then kills what is left (each kill is reported). Fast: workers exit at once.
    func stop(_ mode: MasterShutdown.Mode) {
        if shutdown.isRunning { notifyStopping(mode) }
        perform(shutdown.handle(.stop(mode)))
        if table.isEmpty { perform(shutdown.handle(.workersGone)) }
    }

    /// How long a fast stop waits for workers told to QUIT before killing them.
    static let fastStopDeadlineMilliseconds = 2000

    func perform(_ actions: [MasterShutdown.Action]) {
        for action in actions {
            switch action {
            case .tellEveryWorker(let message):
                logger.info("master \(getpid()): \(message == .stop ? "graceful" : "fast") stop")
                for entry in table.entries { sendControl(to: entry.pid, message) }
            case .tell(let pid, let message):
                sendControl(to: pid, message)
            case .armDeadline(let mode):
                let milliseconds = mode == .graceful ? Int(config.mercy * 1000) : Self.fastStopDeadlineMilliseconds
                CallbackTimer(loop: loop, after: milliseconds) { [weak self] in
                    guard let self else { return }
                    self.perform(self.shutdown.handle(.deadlinePassed))
                }
            case .killRemaining:
                for entry in table.entries {
                    logger.error("worker \(entry.slot + 1) (pid \(entry.pid)) did not stop in time: SIGKILL (forced kill)")
                    forcedKills += 1
                    kill(entry.pid, SIGKILL)
                }
            case .endLoop:
                loop.stop()
            }
        }
    }
}

final class MasterControlHandler: EventHandler {
    unowned let master: Master
    let channel: ControlChannel
    let pid: Int32

    init(master: Master, channel: ControlChannel, pid: Int32) {
        self.master = master
        self.channel = channel
        self.pid = pid
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        while true {
            switch channel.receive() {
            case .message(let message): master.workerSaid(message, pid: pid)
            case .undecodable(let error): master.logger.warning("worker \(pid) said something undecodable: \(error)")
            case .closed:
                master.channelClosed(pid: pid, fd: channel.fd)
                return
            case .wouldBlock: return
            }
        }
    }
}

final class MasterSignalHandler: EventHandler {
    unowned let master: Master
    let fd: Int32

    init(master: Master, fd: Int32) {
        self.master = master
        self.fd = fd
    }

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        var info = signalfd_siginfo()
        while read(fd, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            master.received(signal: Int32(info.ssi_signo))
        }
    }
}
