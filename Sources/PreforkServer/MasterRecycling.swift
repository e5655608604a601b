import CathammerContract
import CLinuxShim
@preconcurrency import Glibc
import Logging

/// Replacing single workers while they serve: max-requests, lifetime and memory limits, harakiri,
/// SIGTTIN / SIGTTOU, and the master FIFO's commands.
extension Master {
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
        guard stopping == nil, roll == nil else { return }
        config.processes += 1
        logger.info("SIGTTIN: \(config.processes) workers")
        respawn(slot: config.processes - 1, generation: generation)
    }

    /// SIGTTOU: one worker less (never below one).
    func removeWorker() {
        guard stopping == nil, roll == nil else { return }
        guard config.processes > 1 else {
            logger.info("SIGTTOU: keeping the last worker")
            return
        }
        config.processes -= 1
        logger.info("SIGTTOU: \(config.processes) workers")
        for pid in table.servingBySlot[config.processes] ?? [] { retire(pid) }
    }
}
