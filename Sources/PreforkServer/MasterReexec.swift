import CLinuxShim
@preconcurrency import Glibc
import Logging

/// SIGUSR2: the master replaces its own image and adopts its workers.
extension Master {
    /// Replaces this process's image with the binary at `executable` (same pid), keeping the
    /// listener, the scoreboard, the stats listener and every worker's control channel open. The
    /// new image adopts the workers and rolls them. If execve fails, this image goes on serving.
    func reexec() {
        guard shutdown.isRunning else { return }
        guard roll == nil, !recycling.hasSuccessorStarting else {
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
            listeners: listeners.map { .init(fd: $0.fd, scheme: $0.scheme) }, scoreboardFD: scoreboard.fd,
            ticketKeysFD: ticketKeys?.fd, statsFD: statsServer?.listenerFD,
            acceptLockFD: acceptLock?.fd, generation: generation,
            processes: config.processes,
            counters: ["reloads": reloads, "failed_reloads": failedReloads, "forced_kills": forcedKills,
                       "recycles": recycles, "harakiri_kills": harakiriKills],
            respawnCounts: respawnCounts, workers: workers)
        // Clear close-on-exec only on what must survive.
        let surviving = listeners.map(\.fd) + [scoreboard.fd] + (ticketKeys.map { [$0.fd] } ?? [])
            + (statsServer.map { [$0.listenerFD] } ?? [])
            + (acceptLock.map { [$0.fd] } ?? []) + workers.map(\.controlFD)
        for fd in surviving { _ = fcntl(fd, F_SETFD, 0) }
        fifo?.close()
        notifyReloading("re-executing \(executable)")
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
        notifyReady("re-exec failed (\(reason))")
    }

    /// The new image's side: take over the descriptors and books of the previous one.
    func adopt(_ handover: MasterHandover) throws {
        // The sockets are the ones handed over; the configuration names them for people (by position,
        // when it still lists as many: the listeners cannot change without a restart).
        listeners = handover.listeners.enumerated().map { index, adopted in
            let host = config.listenersAreDefault
                ? SocketEndpoint(listeningSocket: adopted.fd)?.hostForURL ?? "127.0.0.1"  // socket-activated: as bound
                : index < config.listeners.count ? config.listeners[index].address.hostForURL : "127.0.0.1"
            return MasterListener(fd: adopted.fd, port: Listener.boundPort(adopted.fd), scheme: adopted.scheme, host: host)
        }
        scoreboard = try Scoreboard(fd: handover.scoreboardFD, slots: Self.scoreboardCapacity)
        if let keysFD = handover.ticketKeysFD {
            _ = fcntl(keysFD, F_SETFD, FD_CLOEXEC)
            ticketKeys = try TicketKeyStore(fd: keysFD)
        }
        generation = handover.generation
        config.processes = handover.processes
        reloads = handover.counters["reloads"] ?? 0
        failedReloads = handover.counters["failed_reloads"] ?? 0
        forcedKills = handover.counters["forced_kills"] ?? 0
        recycles = handover.counters["recycles"] ?? 0
        harakiriKills = handover.counters["harakiri_kills"] ?? 0
        respawnCounts = handover.respawnCounts
        var used = Set<Int>()
        for fd in listeners.map(\.fd) + [handover.scoreboardFD] + handover.workers.map(\.controlFD) {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
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
        // The previous image sent RELOADING=1; this one sends READY=1 when its roll ends.
        reloadAnnounced = true
    }
}
