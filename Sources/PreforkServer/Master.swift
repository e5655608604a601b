import CLinuxShim
@preconcurrency import Glibc
import Logging

/// The master process: owns the listening socket for its whole life, spawns workers by fork+exec of
/// its own binary, counts a worker only after READY, respawns the dead with damping, rolls a new
/// generation in on SIGHUP (spawn, READY, then retire the old: never retire first), and stops
/// gracefully (SIGTERM) or fast (SIGINT, SIGQUIT). Single-threaded: epoll over a signalfd, the
/// workers' control channels, and timers.
public final class Master {
    private(set) var config: ServerConfig
    /// Re-reads the configuration (flags and ini file) for a reload.
    private let reloadConfiguration: () throws -> ServerConfig
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
    private(set) var failedReloads = 0
    private var generation = 1
    private var roll: RollingReload?
    /// SIGHUPs that arrive during a roll coalesce into one more roll.
    private var rollPending = false
    /// Scoreboard slots not in use (each worker process has its own).
    private var freeScoreboardSlots: [Int] = []
    private var respawnCounts: [Int: Int] = [:]
    /// Replacement pid → the worker it replaces (max-requests, lifetime, RSS recycling).
    private var replacements: [Int32: Int32] = [:]
    private(set) var recycles = 0
    private(set) var harakiriKills = 0
    private var harakiriVictims: Set<Int32> = []
    private var watchdog: CallbackTimer?
    private var fifo: MasterFIFO?
    /// `--accept lock`: shared by every worker, handed over at fd 6.
    private var acceptLock: AcceptLock?
    static let scoreboardCapacity = 1024
    private var statsServer: StatsServer?
    public var statsPort: UInt16? { statsServer?.port }
    private let startedAt = MonotonicClock.now()

    enum StopMode { case graceful, fast }

    public init(config: ServerConfig, executable: String, workerArguments: [String],
                logger: Logger = Logger(label: "cathammer.master"),
                reloadConfiguration: @escaping () throws -> ServerConfig) throws {
        self.config = config
        self.reloadConfiguration = reloadConfiguration
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
        let handover = getenv(MasterHandover.environmentKey).flatMap { MasterHandover.decode(String(cString: $0)) }
        unsetenv(MasterHandover.environmentKey)
        if let handover {
            try adopt(handover)
        } else {
            if config.acceptMode == .reuseport && !Listener.connectionMigrationEnabled() {
                throw ServerConfigurationError(
                    "--accept reuseport needs net.ipv4.tcp_migrate_req = 1: without it, closing a worker's reuseport socket "
                        + "(every reload, every recycle) resets the connections waiting in its queue. Set the sysctl, or use "
                        + "--accept exclusive, which shares one listener that is never closed")
            }
            let opened = config.acceptMode == .reuseport
                ? try Listener.reserve(config.address.address)
                : try Listener.open(config.address.address, backlog: config.backlog)
            listenerFD = Self.moveAbove(opened.fd, 9)
            port = opened.port
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
        if handover == nil {
            logger.info("master \(getpid()) listening on \(config.address.address.host):\(port), \(config.processes) workers")
            for slot in 0..<config.processes { respawn(slot: slot, generation: 1) }
        } else {
            logger.info("master \(getpid()) re-executed: adopted \(table.entries.count) workers; rolling them onto this image")
            requestReload()
        }
        scheduleWatchdog()
        loop.run()
        fifo?.close()
        close(listenerFD)
        return 0
    }

    /// The scoreboard and the master's own books, for the stats endpoint.
    func snapshot() -> StatsSnapshot {
        let now = MonotonicClock.now()
        let queue = Listener.queueDepth(listenerFD)
        let indices = table.entries.sorted { ($0.slot, $0.generation) < ($1.slot, $1.generation) }.map(\.scoreboardIndex)
        let rows = indices.map { index -> StatsSnapshot.WorkerRow in
            let slot = scoreboard.slot(index)
            var values: [Scoreboard.Field: Int] = [:]
            for field in Scoreboard.Field.allCases { values[field] = slot.load(field) }
            // Read at the moment of asking: a worker samples these itself only when it wakes, and the
            // herd's wakeups end inside the kernel without waking anyone's user space.
            if let live = ProcessStatus.read(pid: Int32(values[.pid] ?? 0)) {
                values[.voluntaryContextSwitches] = live.voluntaryContextSwitches
                values[.rssBytes] = live.residentBytes
            }
            let busySince = UInt64(max(0, slot.load(.busySince)))
            let busy = busySince == 0 || busySince > now ? 0 : Int((now - busySince) / 1_000_000)
            return StatsSnapshot.WorkerRow(values: values, state: slot.state, busyMilliseconds: busy)
        }
        return StatsSnapshot(
            masterPID: getpid(), listen: "\(config.address.hostForURL):\(port)", configuredWorkers: config.processes,
            listenQueue: queue.length, listenBacklog: queue.backlog, reloads: reloads, failedReloads: failedReloads,
            recycles: recycles, harakiriKills: harakiriKills, forcedKills: forcedKills,
            respawns: table.respawns, uptimeSeconds: Double(now - startedAt) / 1e9, workers: rows)
    }

    // MARK: - Spawning

    /// Starts a worker for `slot`; returns its pid. The caller decides what a failure means.
    private func spawn(slot: Int, generation: Int) throws -> Int32 {
        guard let index = freeScoreboardSlots.popLast() else {
            throw ServerConfigurationError("no free scoreboard slot (more than \(Self.scoreboardCapacity) workers)")
        }
        let board = scoreboard.slot(index)
        board.store(.slotID, slot + 1)
        board.store(.generation, generation)
        board.store(.respawns, respawnCounts[slot] ?? 0)
        board.setState(.starting)
        do {
            let (masterEnd, workerEnd) = try ControlChannel.pair()
            let workerFD = Self.moveAbove(workerEnd.fd, 9)
            defer { close(workerFD) }
            let arguments = [executable, "worker",
                             "--worker-id", String(slot + 1), "--generation", String(generation),
                             "--listener-fd", "3", "--control-fd", "4",
                             "--scoreboard-fd", "5", "--scoreboard-slots", String(scoreboard.slotCount),
                             "--scoreboard-slot", String(index)] + (acceptLock == nil ? [] : ["--accept-lock-fd", "6"])
                + workerArguments
            let pid: Int32
            do {
                var inherited: [(Int32, Int32)] = [(listenerFD, 3), (workerFD, 4), (scoreboard.fd, 5)]
                if let acceptLock { inherited.append((acceptLock.fd, 6)) }
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
    private func respawn(slot: Int, generation: Int) {
        do {
            _ = try spawn(slot: slot, generation: generation)
        } catch {
            logger.error("cannot spawn worker \(slot + 1): \(error); retrying in 1 s")
            CallbackTimer(loop: loop, after: 1000) { [weak self] in
                guard let self, self.stopping == nil else { return }
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
        if message.hasPrefix("RECYCLE") {
            recycle(pid, reason: String(message.dropFirst("RECYCLE".count)).trimmingWhitespace())
        }
        if message.hasPrefix("READY") {
            table.markReady(pid: pid)
            if let replaced = replacements.removeValue(forKey: pid) {
                recycles += 1
                logger.info("worker \(pid) replaces \(replaced): retiring \(replaced)")
                retire(replaced)
            }
            if var current = roll {
                let steps = current.ready(pid: pid)
                roll = current
                perform(steps)
            }
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
            let how = status & 0x7F == 0 ? "exited with status \((status >> 8) & 0xFF)" : "killed by signal \(status & 0x7F)"
            harakiriVictims.remove(pid)
            if let entry = table.entry(pid: pid) {
                scoreboard.slot(entry.scoreboardIndex).setState(.empty)
                freeScoreboardSlots.append(entry.scoreboardIndex)
            }
            if let replaced = replacements.removeValue(forKey: pid) {
                // A replacement died before READY: the old worker keeps serving; try again shortly.
                table.remove(pid: pid)
                logger.warning("replacement for \(replaced) (pid \(pid)) \(how) before READY; retrying in 1 s")
                CallbackTimer(loop: loop, after: 1000) { [weak self] in self?.recycle(replaced, reason: "retry") }
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
            switch table.exited(pid: pid, now: MonotonicClock.now(), stopping: stopping != nil) {
            case .nothing:
                if stopping == nil { logger.info("worker \(pid) \(how)") }
            case .respawn(let slot, let generation, let delay):
                logger.warning("worker \(slot + 1) (pid \(pid)) \(how); respawning\(delay > 0 ? " after \(delay / 1_000_000) ms" : "")")
                respawnCounts[slot, default: 0] += 1
                if delay == 0 {
                    respawn(slot: slot, generation: generation)
                } else {
                    CallbackTimer(loop: loop, after: Int(delay / 1_000_000)) { [weak self] in
                        guard let self, self.stopping == nil else { return }
                        self.respawn(slot: slot, generation: generation)
                    }
                }
            }
        }
        if stopping != nil && table.isEmpty { loop.stop() }
    }

    // MARK: - Recycling and the watchdog

    /// Replaces one worker: spawn its successor in the same slot, retire it once the successor is READY.
    func recycle(_ pid: Int32, reason: String) {
        guard stopping == nil, roll == nil, let entry = table.entry(pid: pid), entry.state == .ready,
              !replacements.values.contains(pid)
        else { return }
        do {
            let successor = try spawn(slot: entry.slot, generation: entry.generation)
            replacements[successor] = pid
            logger.info("recycling worker \(entry.slot + 1) (pid \(pid)): \(reason)")
        } catch {
            logger.error("cannot spawn a replacement for \(pid): \(error)")
        }
    }

    /// Harakiri, lifetime and memory limits, checked four times a second when any is set.
    private func scheduleWatchdog() {
        guard config.harakiri > 0 || config.maxWorkerLifetime > 0 || config.reloadOnRSS > 0 else { return }
        watchdog = CallbackTimer(loop: loop, after: 250) { [weak self] in
            self?.inspectWorkers()
            self?.scheduleWatchdog()
        }
    }

    private func inspectWorkers() {
        let now = MonotonicClock.now()
        for entry in table.entries {
            let board = scoreboard.slot(entry.scoreboardIndex)
            let busySince = UInt64(max(0, board.load(.busySince)))
            if config.harakiri > 0, busySince > 0, now > busySince, !harakiriVictims.contains(entry.pid),
               now - busySince > MonotonicClock.nanoseconds(seconds: config.harakiri) {
                harakiriKills += 1
                harakiriVictims.insert(entry.pid)
                logger.error("harakiri: worker \(entry.slot + 1) (pid \(entry.pid)) has run one request for more than \(config.harakiri) s: SIGKILL")
                kill(entry.pid, SIGKILL)
                continue
            }
            guard entry.state == .ready else { continue }
            if config.maxWorkerLifetime > 0, now - entry.spawnedAt > MonotonicClock.nanoseconds(seconds: config.maxWorkerLifetime) {
                recycle(entry.pid, reason: "older than \(config.maxWorkerLifetime) s")
            } else if config.reloadOnRSS > 0, board.load(.rssBytes) > config.reloadOnRSS * 1_048_576 {
                recycle(entry.pid, reason: "resident memory above \(config.reloadOnRSS) MiB")
            }
        }
    }

    private func execute(_ command: MasterFIFO.Command) {
        switch command {
        case .reload: requestReload()
        case .reexec: reexec()
        case .stop: stop(.graceful)
        case .fastStop: stop(.fast)
        case .addWorker: addWorker()
        case .removeWorker: removeWorker()
        case .logStats: logger.info("stats: \(snapshot().json().trimmingWhitespace())")
        case .unknown(let character): logger.warning("master fifo: unknown command '\(character)'")
        }
    }

    /// SIGTTIN: one worker more.
    private func addWorker() {
        guard stopping == nil, roll == nil else { return }
        config.processes += 1
        logger.info("SIGTTIN: \(config.processes) workers")
        respawn(slot: config.processes - 1, generation: generation)
    }

    /// SIGTTOU: one worker less (never below one).
    private func removeWorker() {
        guard stopping == nil, roll == nil, config.processes > 1 else { return }
        config.processes -= 1
        logger.info("SIGTTOU: \(config.processes) workers")
        for pid in table.servingBySlot[config.processes] ?? [] { retire(pid) }
    }

    // MARK: - Re-exec in place (SIGUSR2)

    /// Replaces this process's image with the binary at `executable` (same pid), keeping the
    /// listener, the scoreboard, the stats listener and every worker's control channel open. The
    /// new image adopts the workers and rolls them. If execve fails, this image goes on serving.
    private func reexec() {
        guard stopping == nil else { return }
        guard roll == nil, replacements.isEmpty else {
            logger.warning("re-exec postponed: a roll or a recycle is in progress; send SIGUSR2 again")
            return
        }
        let workers = table.entries.compactMap { entry -> MasterHandover.AdoptedWorker? in
            guard let channel = channelHandlers.values.first(where: { $0.pid == entry.pid })?.channel else { return nil }
            return MasterHandover.AdoptedWorker(slot: entry.slot, pid: entry.pid, generation: entry.generation, state: entry.state,
                                                controlFD: channel.fd, scoreboardIndex: entry.scoreboardIndex,
                                                spawnedAt: entry.spawnedAt)
        }
        let handover = MasterHandover(
            listenerFD: listenerFD, scoreboardFD: scoreboard.fd, statsFD: statsServer?.listenerFD,
            acceptLockFD: acceptLock?.fd, generation: generation,
            processes: config.processes,
            counters: ["reloads": reloads, "failed_reloads": failedReloads, "forced_kills": forcedKills,
                       "recycles": recycles, "harakiri_kills": harakiriKills],
            respawnCounts: respawnCounts, workers: workers)
        // Clear close-on-exec only on what must survive.
        let surviving = [listenerFD, scoreboard.fd] + (statsServer.map { [$0.listenerFD] } ?? [])
            + (acceptLock.map { [$0.fd] } ?? []) + workers.map(\.controlFD)
        for fd in surviving { _ = fcntl(fd, F_SETFD, 0) }
        fifo?.close()
        setenv(MasterHandover.environmentKey, handover.encoded(), 1)
        logger.info("SIGUSR2: re-executing \(executable) as pid \(getpid())")
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable)] + CommandLine.arguments.dropFirst().map { strdup($0) } + [nil]
        execv(executable, &argv)
        // Still here: the new image could not start.
        let reason = String(cString: strerror(errno))
        for pointer in argv { free(pointer) }
        unsetenv(MasterHandover.environmentKey)
        for fd in surviving { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        if let path = config.masterFIFO {
            fifo = try? MasterFIFO(path: path, loop: loop) { [unowned self] command in self.execute(command) }
        }
        failedReloads += 1
        logger.error("re-exec of \(executable) failed (\(reason)); this image keeps serving")
    }

    /// The new image's side: take over the descriptors and books of the previous one.
    private func adopt(_ handover: MasterHandover) throws {
        listenerFD = handover.listenerFD
        port = Listener.boundPort(listenerFD)
        scoreboard = try Scoreboard(fd: handover.scoreboardFD, slots: Self.scoreboardCapacity)
        generation = handover.generation
        config.processes = handover.processes
        reloads = handover.counters["reloads"] ?? 0
        failedReloads = handover.counters["failed_reloads"] ?? 0
        forcedKills = handover.counters["forced_kills"] ?? 0
        recycles = handover.counters["recycles"] ?? 0
        harakiriKills = handover.counters["harakiri_kills"] ?? 0
        respawnCounts = handover.respawnCounts
        var used = Set<Int>()
        for fd in [listenerFD, handover.scoreboardFD] + handover.workers.map(\.controlFD) { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for worker in handover.workers {
            used.insert(worker.scoreboardIndex)
            table.adopt(WorkerTable.Entry(slot: worker.slot, pid: worker.pid, generation: worker.generation, state: worker.state,
                                          spawnedAt: worker.spawnedAt, scoreboardIndex: worker.scoreboardIndex))
            let channel = ControlChannel(fd: worker.controlFD)
            let handler = MasterControlHandler(master: self, channel: channel, pid: worker.pid)
            channels[channel.fd] = channel
            channelHandlers[channel.fd] = handler
            try loop.register(channel.fd, events: EPOLLIN.rawValue | EPOLLRDHUP.rawValue, handler: handler)
            if worker.state == .retiring {
                // Its mercy deadline restarts with this image.
                retireTimer(worker.pid)
            }
        }
        freeScoreboardSlots = (0..<Self.scoreboardCapacity).reversed().filter { !used.contains($0) }
        if let lockFD = handover.acceptLockFD {
            _ = fcntl(lockFD, F_SETFD, FD_CLOEXEC)
            acceptLock = try AcceptLock(fd: lockFD)
        }
        if let statsFD = handover.statsFD {
            _ = fcntl(statsFD, F_SETFD, FD_CLOEXEC)
            statsServer = try StatsServer(adopting: statsFD, loop: loop) { [unowned self] in self.snapshot() }
        }
        announcedReady = true
    }

    // MARK: - Rolling reload

    /// SIGHUP: re-read the configuration and roll a new generation in, one slot at a time.
    func requestReload() {
        guard stopping == nil else { return }
        if roll != nil {
            rollPending = true
            return
        }
        let fresh: ServerConfig
        do {
            fresh = try reloadConfiguration()
        } catch {
            failedReloads += 1
            logger.error("reload refused, the current generation keeps serving: \(error)")
            return
        }
        if fresh.address != config.address {
            logger.warning("reload: the listen address cannot change (the socket is never closed); keeping \(config.address)")
        }
        var applied = fresh
        applied.address = config.address
        applied.backlog = config.backlog
        applied.statsAddress = config.statsAddress
        config = applied
        generation += 1
        logger.info("reload: rolling in generation \(generation) with \(config.processes) workers")
        var current = RollingReload(generation: generation, newCount: config.processes, oldWorkers: table.servingBySlot)
        let steps = current.start()
        roll = current
        perform(steps)
    }

    private func perform(_ steps: [RollingReload.Step]) {
        for step in steps {
            switch step {
            case .spawn(let slot, let generation):
                do {
                    let pid = try spawn(slot: slot, generation: generation)
                    roll?.spawned(slot: slot, pid: pid)
                } catch {
                    guard var current = roll else { return }
                    let next = current.failed(pid: nil, reason: "cannot spawn worker \(slot + 1): \(error)")
                    roll = current
                    perform(next)
                }
            case .retire(let pids):
                for pid in pids { retire(pid) }
            case .finished:
                reloads += 1
                roll = nil
                logger.info("reload: generation \(generation) serves on every slot")
                if rollPending {
                    rollPending = false
                    requestReload()
                }
            case .aborted(let reason):
                failedReloads += 1
                roll = nil
                rollPending = false
                logger.error("reload aborted, the previous generation keeps serving: \(reason)")
            }
        }
    }

    /// Tells a worker to finish its connections and exit; kills it at the mercy deadline (counted).
    private func retire(_ pid: Int32) {
        table.markRetiring(pid: pid)
        if let entry = table.entry(pid: pid) { scoreboard.slot(entry.scoreboardIndex).setState(.retiring) }
        sendControl(to: pid, "RETIRE")
        retireTimer(pid)
    }

    /// Kills a retiring worker at the mercy deadline; every such kill is counted.
    private func retireTimer(_ pid: Int32) {
        CallbackTimer(loop: loop, after: Int(config.mercy * 1000)) { [weak self] in
            guard let self, let entry = self.table.entry(pid: pid), entry.state == .retiring else { return }
            self.forcedKills += 1
            self.logger.error("worker \(entry.slot + 1) (pid \(pid)) still busy after the \(self.config.mercy) s mercy: SIGKILL (forced kill)")
            kill(pid, SIGKILL)
        }
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
