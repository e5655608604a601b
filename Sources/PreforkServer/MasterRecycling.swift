import CathammerContract
import CLinuxShim
@preconcurrency import Glibc
import Logging

/// Replacing single workers while they serve: max-requests, lifetime and memory limits, harakiri,
/// SIGTTIN / SIGTTOU, and the master FIFO's commands.
extension Master {
    /// Replaces one worker: spawn its successor in the same slot, retire it once the successor is READY.
    func recycle(_ pid: Int32, reason: RecycleReason) {
        perform(recycling.handle(.requested(reason, allowed: mayRecycle(pid)), old: pid), old: pid)
    }

    /// No stop and no roll under way (either replaces or ends every worker anyway), and the worker is READY.
    func mayRecycle(_ pid: Int32) -> Bool {
        shutdown.isRunning && roll == nil && table.entry(pid: pid)?.state == .ready
    }

    func perform(_ actions: [WorkerRecycling.Action], old pid: Int32) {
        for action in actions {
            switch action {
            case .spawnReplacement(let reason):
                guard let entry = table.entry(pid: pid) else {
                    assertionFailure("recycling pid \(pid), which the worker table does not list")
                    perform(recycling.handle(.spawnFailed, old: pid), old: pid)
                    continue
                }
                do {
                    let successor = try spawn(slot: entry.slot, generation: entry.generation)
                    logger.info("recycling worker \(entry.slot + 1) (pid \(pid)): \(describe(reason))")
                    perform(recycling.handle(.spawned(successor: successor), old: pid), old: pid)
                } catch {
                    logger.error("cannot spawn a replacement for \(pid): \(error)")
                    perform(recycling.handle(.spawnFailed, old: pid), old: pid)
                }
            case .retireOld(let successor):
                recycles += 1
                logger.info("worker \(successor) replaces \(pid): retiring \(pid)")
                retire(pid)
            case .scheduleRetry:
                CallbackTimer(loop: loop, after: 1000) { [weak self] in
                    guard let self else { return }
                    self.perform(self.recycling.handle(.retryDue(allowed: self.mayRecycle(pid)), old: pid), old: pid)
                }
            case .successorFillsSlot:
                table.remove(pid: pid)
            }
        }
    }

    private func describe(_ reason: RecycleReason) -> String {
        switch reason {
        case .maxRequests: return "served its max-requests"
        case .lifetime: return "older than \(config.maxWorkerLifetime) s"
        case .memory: return "resident memory above \(config.reloadOnRSS) MiB"
        }
    }

    /// Harakiri, lifetime and memory limits, checked four times a second when any is set.
    func scheduleWatchdog() {
        guard config.harakiri > 0 || config.maxWorkerLifetime > 0 || config.reloadOnRSS > 0 else { return }
        watchdog = CallbackTimer(loop: loop, after: 250) { [weak self] in
            self?.inspectWorkers()
            self?.scheduleWatchdog()
        }
    }

    func inspectWorkers() {
        let now = MonotonicClock.now()
        for entry in table.entries {
            let board = scoreboard.slot(entry.scoreboardIndex)
            // The busy clock is this worker's only once it has written its pid into the slot (`begin`).
            let busySince = board.load(.pid) == Int(entry.pid) ? UInt64(max(0, board.load(.busySince))) : 0
            if config.harakiri > 0, busySince > 0, now > busySince,
               now - busySince > MonotonicClock.nanoseconds(seconds: config.harakiri) {
                // A worker stuck this long is killed, not recycled: it could not retire anyway.
                for case .kill in harakiri.handle(.busyTooLong, pid: entry.pid) {
                    harakiriKills += 1
                    logger.error("harakiri: worker \(entry.slot + 1) (pid \(entry.pid)) has run one request for more than \(config.harakiri) s: SIGKILL")
                    kill(entry.pid, SIGKILL)
                }
                continue
            }
            guard entry.state == .ready else { continue }
            if config.maxWorkerLifetime > 0, now - entry.spawnedAt > MonotonicClock.nanoseconds(seconds: config.maxWorkerLifetime) {
                recycle(entry.pid, reason: .lifetime)
            } else if config.reloadOnRSS > 0, board.load(.rssBytes) > config.reloadOnRSS * 1_048_576 {
                recycle(entry.pid, reason: .memory)
            }
        }
    }

    func execute(_ command: MasterFIFO.Command) {
        switch command {
        case .reload: requestReload()
        case .reexec: reexec()
        case .stop: stop(.graceful)
        case .fastStop: stop(.fast)
        case .addWorker: addWorker()
        case .removeWorker: removeWorker()
        case .logStats: logger.info("stats: \(snapshot().jsonText.trimmingWhitespace())")
        case .unknown(let character): logger.warning("master fifo: unknown command '\(character)'")
        }
    }

    /// SIGTTIN: one worker more.
    func addWorker() {
        guard shutdown.isRunning, roll == nil else { return }
        config.processes += 1
        logger.info("SIGTTIN: \(config.processes) workers")
        respawn(slot: config.processes - 1, generation: generation)
    }

    /// SIGTTOU: one worker less (never below one).
    func removeWorker() {
        guard shutdown.isRunning, roll == nil else { return }
        guard config.processes > 1 else {
            logger.info("SIGTTOU: keeping the last worker")
            return
        }
        config.processes -= 1
        logger.info("SIGTTOU: \(config.processes) workers")
        for pid in table.servingBySlot[config.processes] ?? [] { retire(pid) }
        notifyStatusChange()
    }
}
