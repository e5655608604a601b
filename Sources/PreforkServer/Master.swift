import CLinuxShim
@preconcurrency import Glibc
import Logging

/// The master process: owns the listening socket for its whole life, spawns workers by fork+exec of
/// its own binary, counts a worker only after READY, respawns the dead with damping, and stops
/// gracefully (SIGTERM) or fast (SIGINT, SIGQUIT). Single-threaded: epoll over a signalfd, the
/// workers' control channels, and timers.
public final class Master {
    let config: ServerConfig
    /// The binary to exec for workers, resolved at start (after an upgrade /proc/self/exe names a deleted file).
    private let executable: String
    /// The worker command line after the executable (the serve options, as given).
    private let workerArguments: [String]
    private let loop: EventLoop
    private var listenerFD: Int32 = -1
    public private(set) var port: UInt16 = 0
    private var scoreboard: Scoreboard!
    private var table = WorkerTable()
    private var channels: [Int32: ControlChannel] = [:]
    private var channelHandlers: [Int32: MasterControlHandler] = [:]
    private var signalFD: Int32 = -1
    private var signalHandler: MasterSignalHandler!
    private var stopping: StopMode?
    private var stopDeadlineTimer: CallbackTimer?
    private let logger: Logger
    private var onReady: ((UInt16) -> Void)?
    private var announcedReady = false
    private(set) var forcedKills = 0
    private(set) var reloads = 0
    private var statsServer: StatsServer?
    public var statsPort: UInt16? { statsServer?.port }
    private let startedAt = MonotonicClock.now()

    enum StopMode { case graceful, fast }

    public init(config: ServerConfig, executable: String, workerArguments: [String],
                logger: Logger = Logger(label: "cathammer.master")) throws {
        self.config = config
        self.executable = executable
        self.workerArguments = workerArguments
        self.logger = logger
        loop = try EventLoop()
    }

    /// Opens the listener, starts the workers and serves until stopped; returns the exit code.
    /// `ready` is called once every first-generation worker has said READY.
    public func run(ready: @escaping (UInt16) -> Void = { _ in }) throws -> Int32 {
        onReady = ready
        // Whatever this process inherited beyond stdio must not reach the workers.
        _ = linux_close_range(3, UInt32.max, Self.closeRangeCloexec)
        if let maximum = Listener.systemMaxBacklog(), config.backlog > maximum {
            throw ServerConfigurationError(
                "--listen \(config.backlog) is larger than net.core.somaxconn (\(maximum)): the kernel would silently "
                    + "use \(maximum); lower --listen or raise the sysctl")
        }
        let opened = try Listener.open(config.address.address, backlog: config.backlog)
        listenerFD = Self.moveAbove(opened.fd, 9)
        port = opened.port
        scoreboard = try Scoreboard(slots: config.processes)
        for index in 0..<config.processes { scoreboard.slot(index).store(.slotID, index + 1) }
        try installSignals()
        if let stats = config.statsAddress {
            statsServer = try StatsServer(address: stats.address, loop: loop) { [unowned self] in self.snapshot() }
        }
        logger.info("master \(getpid()) listening on \(config.address.address.host):\(port), \(config.processes) workers")
        for slot in 0..<config.processes { spawn(slot: slot, generation: 1) }
        loop.run()
        close(listenerFD)
        return 0
    }

    /// The scoreboard and the master's own books, for the stats endpoint.
    func snapshot() -> StatsSnapshot {
        let now = MonotonicClock.now()
        let queue = Listener.queueDepth(listenerFD)
        let rows = (0..<scoreboard.slotCount).map { index -> StatsSnapshot.WorkerRow in
            let slot = scoreboard.slot(index)
            var values: [Scoreboard.Field: Int] = [:]
            for field in Scoreboard.Field.allCases { values[field] = slot.load(field) }
            let busySince = UInt64(max(0, slot.load(.busySince)))
            let busy = busySince == 0 || busySince > now ? 0 : Int((now - busySince) / 1_000_000)
            return StatsSnapshot.WorkerRow(values: values, state: slot.state, busyMilliseconds: busy)
        }
        return StatsSnapshot(
            masterPID: getpid(), listen: "\(config.address.hostForURL):\(port)", configuredWorkers: config.processes,
            listenQueue: queue.length, listenBacklog: queue.backlog, reloads: reloads, forcedKills: forcedKills,
            respawns: table.respawns, uptimeSeconds: Double(now - startedAt) / 1e9, workers: rows)
    }

    // MARK: - Spawning

    private func spawn(slot: Int, generation: Int) {
        do {
            let (masterEnd, workerEnd) = try ControlChannel.pair()
            let workerFD = Self.moveAbove(workerEnd.fd, 9)
            defer { close(workerFD) }
            let arguments = [executable, "worker",
                             "--worker-id", String(slot + 1), "--generation", String(generation),
                             "--listener-fd", "3", "--control-fd", "4",
                             "--scoreboard-fd", "5", "--scoreboard-slots", String(scoreboard.slotCount),
                             "--scoreboard-slot", String(slot)] + workerArguments
            let pid = try Self.spawnProcess(arguments, inheriting: [(listenerFD, 3), (workerFD, 4), (scoreboard.fd, 5)])
            table.spawned(slot: slot, pid: pid, generation: generation, now: MonotonicClock.now())
            channels[masterEnd.fd] = masterEnd
            let handler = MasterControlHandler(master: self, channel: masterEnd, pid: pid)
            channelHandlers[masterEnd.fd] = handler
            try loop.register(masterEnd.fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: handler)
        } catch {
            logger.error("cannot spawn worker \(slot + 1): \(error); retrying in 1 s")
            CallbackTimer(loop: loop, after: 1000) { [weak self] in self?.spawn(slot: slot, generation: generation) }
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

    /// Keeps an fd clear of 3...5, where workers expect theirs (a dup2 onto itself would keep CLOEXEC).
    static func moveAbove(_ fd: Int32, _ floor: Int32) -> Int32 {
        guard fd <= floor else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, floor + 1)
        guard moved >= 0 else { return fd }
        close(fd)
        return moved
    }

    // MARK: - Worker events

    fileprivate func workerSaid(_ message: String, pid: Int32) {
        if message.hasPrefix("READY") {
            table.markReady(pid: pid)
            if stopping != nil { sendControl(to: pid, stopping == .fast ? "QUIT" : "STOP") }
            if !announcedReady && table.readyCount >= config.processes {
                announcedReady = true
                logger.info("master \(getpid()): \(table.readyCount) workers ready on port \(port)")
                onReady?(port)
            }
        }
    }

    fileprivate func channelClosed(pid: Int32, fd: Int32) {
        loop.unregister(fd)
        channels[fd]?.close()
        channels[fd] = nil
        channelHandlers[fd] = nil
    }

    private func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { break }
            let slot = table.entry(pid: pid)?.slot
            let how = status & 0x7F == 0 ? "exited with status \((status >> 8) & 0xFF)" : "killed by signal \(status & 0x7F)"
            switch table.exited(pid: pid, now: MonotonicClock.now(), stopping: stopping != nil) {
            case .nothing:
                if stopping == nil { logger.info("worker \(pid) \(how)") }
            case .respawn(let slot, let generation, let delay):
                logger.warning("worker \(slot + 1) (pid \(pid)) \(how); respawning\(delay > 0 ? " after \(delay / 1_000_000) ms" : "")")
                scoreboard.slot(slot).add(.respawns)
                scoreboard.slot(slot).setState(.starting)
                if delay == 0 {
                    spawn(slot: slot, generation: generation)
                } else {
                    CallbackTimer(loop: loop, after: Int(delay / 1_000_000)) { [weak self] in
                        guard let self, self.stopping == nil else { return }
                        self.spawn(slot: slot, generation: generation)
                    }
                }
            }
            if let slot, table.entries(inSlot: slot).isEmpty, stopping != nil { scoreboard.slot(slot).setState(.exited) }
        }
        if stopping != nil && table.isEmpty { loop.stop() }
    }

    private func sendControl(to pid: Int32, _ message: String) {
        for (fd, handler) in channelHandlers where handler.pid == pid { channels[fd]?.send(message) }
    }

    // MARK: - Signals

    static let handledSignals: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGTTIN, SIGTTOU, SIGPIPE]

    private func installSignals() throws {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in Self.handledSignals { sigaddset(&mask, signal) }
        sigprocmask(SIG_BLOCK, &mask, nil)
        signalFD = signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard signalFD >= 0 else { throw SystemError("signalfd") }
        signalHandler = MasterSignalHandler(master: self, fd: signalFD)
        try loop.register(signalFD, events: EPOLLIN.rawValue, handler: signalHandler)
    }

    fileprivate func received(signal: Int32) {
        switch signal {
        case SIGCHLD:
            reapChildren()
        case SIGTERM:
            stop(.graceful)
        case SIGINT, SIGQUIT:
            stop(.fast)
        default:
            break  // SIGPIPE is ignored; reloads arrive with the lifecycle issue
        }
    }

    /// Graceful: workers stop accepting, finish in-flight requests, exit; the master waits up to the
    /// mercy, then kills what is left (each kill is reported). Fast: workers exit at once.
    func stop(_ mode: StopMode) {
        if stopping == .fast { return }
        stopping = mode
        logger.info("master \(getpid()): \(mode == .graceful ? "graceful" : "fast") stop")
        for entry in table.entries { sendControl(to: entry.pid, mode == .graceful ? "STOP" : "QUIT") }
        let mercy = mode == .graceful ? Int(config.mercy * 1000) : 2000
        stopDeadlineTimer = CallbackTimer(loop: loop, after: mercy) { [weak self] in self?.killRemaining() }
        if table.isEmpty { loop.stop() }
    }

    private func killRemaining() {
        for entry in table.entries {
            logger.error("worker \(entry.slot + 1) (pid \(entry.pid)) did not stop in time: SIGKILL (forced kill)")
            forcedKills += 1
            kill(entry.pid, SIGKILL)
        }
    }
}

private final class MasterControlHandler: EventHandler {
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
            case .message(let text): master.workerSaid(text, pid: pid)
            case .closed:
                master.channelClosed(pid: pid, fd: channel.fd)
                return
            case .wouldBlock: return
            }
        }
    }
}

private final class MasterSignalHandler: EventHandler {
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
