import CathammerContract
import Foundation
@preconcurrency import Glibc

/// Fires reloads at a target and says when the target has settled after each. For the reference
/// server, settling is read from its stats endpoint; for other servers, a reload's window is a
/// fixed time after it was fired.
public final class ReloadDriver {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let kind: ReloadKind
    /// The master (or the process that takes the signals).
    public let pid: Int32
    /// The reference server's stats port, when the target is the reference server.
    public let statsPort: UInt16?
    public var fifoPath: String?
    public var iniPath: String?
    /// The ini file's good contents, restored after a bad-config run.
    public var goodIni = ""
    public var command: String?
    public var signal: Int32 = SIGHUP
    /// Seconds a reload may take to settle before it is reported unsettled.
    public var settleTimeout = 30.0
    /// For targets without stats: how long after firing a reload counts as "during".
    public var window = 1.0
    private var fired = 0
    private var baseWorkers = 0
    private var generator = SystemRandomNumberGenerator()

    public init(kind: ReloadKind, pid: Int32, statsPort: UInt16?) {
        self.kind = kind
        self.pid = pid
        self.statsPort = statsPort
    }

    /// Fires one reload and waits until the target settles; returns the event (times relative to `log`).
    public func reload(index: Int, log: RequestLog) throws(Failure) -> ReloadEvent {
        let before = statsPort.flatMap { ReferenceStats.fetch(port: $0) }
        if fired == 0 { baseWorkers = before?.configuredWorkers ?? 0 }
        let start = MonotonicClock.now()
        let note = try fire(index: index, before: before)
        fired += 1
        let (settled, detail) = waitSettled(index: index, before: before, start: start)
        return ReloadEvent(index: index, kind: kind, startNanoseconds: log.relative(start), endNanoseconds: log.relative(MonotonicClock.now()),
                           settled: settled, note: [note, detail].filter { !$0.isEmpty }.joined(separator: "; "))
    }

    private func send(_ signal: Int32, to target: Int32) throws(Failure) {
        guard kill(target, signal) == 0 else {
            throw Failure(description: "kill(\(target), \(signal)): \(String(cString: strerror(errno)))")
        }
    }

    private func fire(index: Int, before: ReferenceStats?) throws(Failure) -> String {
        switch kind {
        case .hup:
            try send(SIGHUP, to: pid)
            return "SIGHUP"
        case .reexec:
            try send(SIGUSR2, to: pid)
            return "SIGUSR2"
        case .signal:
            try send(signal, to: pid)
            return "signal \(signal)"
        case .fifo:
            guard let fifoPath else { throw Failure(description: "no master FIFO") }
            let fd = open(fifoPath, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { throw Failure(description: "open \(fifoPath): \(String(cString: strerror(errno)))") }
            defer { close(fd) }
            guard write(fd, "r", 1) == 1 else { throw Failure(description: "write \(fifoPath): \(String(cString: strerror(errno)))") }
            return "r → FIFO"
        case .killWorker:
            let candidates = workerPIDs(before: before)
            guard let victim = candidates.randomElement(using: &generator) else { throw Failure(description: "no worker to kill") }
            try send(SIGKILL, to: victim)
            return "SIGKILL worker \(victim)"
        case .workerCount:
            let up = fired % 2 == 0
            try send(up ? SIGTTIN : SIGTTOU, to: pid)
            return up ? "SIGTTIN (N+1)" : "SIGTTOU (N-1)"
        case .badConfig:
            guard let iniPath else { throw Failure(description: "no ini file") }
            // In turn: workers that fail before READY (the roll aborts), and a value the master refuses.
            let failStart = fired % 2 == 0
            let text = goodIni + (failStart ? "fault-fail-start = true\n" : "processes = zero\n")
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: iniPath))
            } catch {
                throw Failure(description: "cannot write \(iniPath): \(error)")
            }
            try send(SIGHUP, to: pid)
            return failStart ? "SIGHUP with new workers that fail to start" : "SIGHUP with an invalid configuration"
        case .command:
            guard let command else { throw Failure(description: "no reload command") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
            } catch {
                throw Failure(description: "cannot run '\(command)': \(error)")
            }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw Failure(description: "'\(command)' exited with status \(process.terminationStatus)")
            }
            return command
        case .maxRequests:
            return ""
        }
    }

    /// Restores what a drill changed (the good ini file).
    public func restore() {
        if kind == .badConfig, let iniPath { try? Data(goodIni.utf8).write(to: URL(fileURLWithPath: iniPath)) }
    }

    private func workerPIDs(before: ReferenceStats?) -> [Int32] {
        if let before { return before.readyWorkers.map { Int32($0.pid) } }
        return SpawnedTarget.children(of: pid)
    }

    private func waitSettled(index: Int, before: ReferenceStats?, start: UInt64) -> (Bool, String) {
        guard let statsPort, let before else {
            MonotonicClock.sleep(until: start + UInt64(window * 1e9))
            return (true, "")
        }
        switch kind {
        case .hup, .reexec, .fifo, .signal:
            let (after, settled) = ReferenceStats.waitFor(port: statsPort, timeout: settleTimeout) { $0.reloadsEnded > before.reloadsEnded }
            guard let after else { return (false, "no stats") }
            if after.failedReloads > before.failedReloads { return (settled, "the reload failed") }
            return (settled, "generation \(after.generation)")
        case .badConfig:
            let (after, settled) = ReferenceStats.waitFor(port: statsPort, timeout: settleTimeout) { $0.failedReloads > before.failedReloads }
            return (settled, settled ? "refused or aborted; generation \(after?.generation ?? 0) serves" : "did not fail in time")
        case .killWorker:
            let target = before.configuredWorkers
            let (after, settled) = ReferenceStats.waitFor(port: statsPort, timeout: settleTimeout) {
                $0.respawns > before.respawns && $0.readyWorkers.count >= target
            }
            return (settled, "respawned: \(after?.readyWorkers.count ?? 0) ready")
        case .workerCount:
            let expected = fired % 2 == 1 ? baseWorkers + 1 : baseWorkers
            let (after, settled) = ReferenceStats.waitFor(port: statsPort, timeout: settleTimeout) {
                $0.readyWorkers.count == expected && $0.configuredWorkers == expected
            }
            return (settled, "\(after?.readyWorkers.count ?? 0) workers")
        case .command, .maxRequests:
            MonotonicClock.sleep(until: start + UInt64(window * 1e9))
            return (true, "")
        }
    }

    /// For `--reload max-requests`: watches the recycle counter until it has grown by `count` or
    /// `until` passes; one event per recycle seen between two polls.
    public func watchRecycles(count: Int, until deadline: UInt64, log: RequestLog,
                              budgetExhausted: () -> Bool = { false }) -> [ReloadEvent] {
        guard let statsPort, var last = ReferenceStats.fetch(port: statsPort) else { return [] }
        let first = last.recycles
        var events: [ReloadEvent] = []
        var lastPoll = MonotonicClock.now()
        while MonotonicClock.now() < deadline && last.recycles - first < count && !budgetExhausted() {
            usleep(20_000)
            guard let now = ReferenceStats.fetch(port: statsPort) else { continue }
            let time = MonotonicClock.now()
            for _ in 0..<max(0, now.recycles - last.recycles) {
                events.append(ReloadEvent(index: events.count, kind: .maxRequests, startNanoseconds: log.relative(lastPoll),
                                          endNanoseconds: log.relative(time), settled: true,
                                          note: "recycle \(events.count + 1) (generation \(now.generation))"))
            }
            last = now
            lastPoll = time
        }
        return events
    }
}
