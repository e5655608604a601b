import CLinuxShim
@preconcurrency import Glibc
import Logging

/// SIGHUP: carrying out a `RollingReload`, and retiring workers with a mercy deadline.
extension Master {
    /// SIGHUP: re-read the configuration and roll a new generation in, one slot at a time.
    func requestReload() {
        guard shutdown.isRunning else { return }
        if roll != nil {
            rollPending = true
            return
        }
        notifyReloading("reloading: reading the configuration")
        let fresh: ServerConfig
        do {
            fresh = try reloadConfiguration()
            // New certificates are checked here, before any worker of the new generation starts.
            try fresh.checkCertificates()
            if listeners.contains(where: { $0.scheme == .https }) && fresh.tls == nil {
                throw ServerConfigurationError("the configuration has no --https listener and certificate any more; "
                    + "the listeners cannot change without a restart")
            }
        } catch {
            failedReloads += 1
            logger.error("reload refused, the current generation keeps serving: \(error)")
            notifyReady("reload refused (\(error))")
            return
        }
        if fresh.listeners != config.listeners {
            logger.warning("reload: the listeners cannot change (the sockets are never closed); keeping \(listenerURLs.joined(separator: ", "))")
        }
        var applied = fresh
        applied.listeners = config.listeners
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

    func perform(_ steps: [RollingReload.Step]) {
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
                } else {
                    notifyReady()
                }
            case .aborted(let reason):
                failedReloads += 1
                roll = nil
                rollPending = false
                logger.error("reload aborted, the previous generation keeps serving: \(reason)")
                notifyReady("reload to generation \(generation) aborted (\(reason)), the previous generation serves")
            }
        }
    }

    /// Tells a worker to finish its connections and exit; kills it at the mercy deadline (counted).
    func retire(_ pid: Int32) {
        table.markRetiring(pid: pid)
        if let entry = table.entry(pid: pid) { scoreboard.slot(entry.scoreboardIndex).setState(.retiring) }
        sendControl(to: pid, .retire)
        retireTimer(pid)
    }

    /// Kills a retiring worker at the mercy deadline; every such kill is counted.
    func retireTimer(_ pid: Int32) {
        CallbackTimer(loop: loop, after: Int(config.mercy * 1000)) { [weak self] in
            guard let self, let entry = self.table.entry(pid: pid), entry.state == .retiring else { return }
            self.forcedKills += 1
            self.logger.error("worker \(entry.slot + 1) (pid \(pid)) still busy after the \(self.config.mercy) s mercy: SIGKILL (forced kill)")
            kill(pid, SIGKILL)
        }
    }

    func sendControl(to pid: Int32, _ message: ControlMessage) {
        for (fd, handler) in channelHandlers where handler.pid == pid { channels[fd]?.send(message) }
    }
}
