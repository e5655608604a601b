/// The master's book of worker slots, without processes: who runs where, who is ready, when a dead
/// worker may be replaced. Tested on its own (WorkerTableTests); `Master` does the system calls.
struct WorkerTable {
    enum SlotState: Equatable {
        /// Spawned, READY not yet received.
        case starting
        case ready
        /// Told to finish its connections and exit (reload, shrink, stop).
        case retiring
    }

    struct Entry: Equatable {
        var slot: Int
        var pid: Int32
        var generation: Int
        var state: SlotState
        var spawnedAt: UInt64
        /// The worker's own scoreboard slot: during a roll an old and a new worker share a worker
        /// slot but must not share counters.
        var scoreboardIndex: Int = 0
    }

    /// Respawn damping: more than `burst` respawns within `window` → wait `pause` before the next.
    struct Damping {
        var burst = 5
        var window: UInt64 = 2_000_000_000
        var pause: UInt64 = 1_000_000_000
    }

    private(set) var entries: [Entry] = []
    private(set) var respawnTimes: [UInt64] = []
    private(set) var respawns = 0
    let damping: Damping

    init(damping: Damping = Damping()) { self.damping = damping }

    var readyCount: Int { entries.filter { $0.state == .ready }.count }
    var isEmpty: Bool { entries.isEmpty }
    func entry(pid: Int32) -> Entry? { entries.first { $0.pid == pid } }

    mutating func spawned(slot: Int, pid: Int32, generation: Int, now: UInt64, scoreboardIndex: Int = 0) {
        entries.append(Entry(slot: slot, pid: pid, generation: generation, state: .starting, spawnedAt: now,
                             scoreboardIndex: scoreboardIndex))
    }

    /// A worker inherited from the previous master image (SIGUSR2).
    mutating func adopt(_ entry: Entry) { entries.append(entry) }

    /// Forgets a worker whose exit is handled elsewhere (a roll's new worker that died before READY).
    @discardableResult
    mutating func remove(pid: Int32) -> Entry? {
        guard let index = entries.firstIndex(where: { $0.pid == pid }) else { return nil }
        return entries.remove(at: index)
    }

    /// Workers that serve (starting or ready, not retiring), by slot.
    var servingBySlot: [Int: [Int32]] {
        Dictionary(grouping: entries.filter { $0.state != .retiring }, by: \.slot).mapValues { $0.map(\.pid) }
    }

    /// READY arrived on the worker's control channel: only now does it count.
    mutating func markReady(pid: Int32) {
        guard let index = entries.firstIndex(where: { $0.pid == pid }), entries[index].state == .starting else { return }
        entries[index].state = .ready
    }

    mutating func markRetiring(pid: Int32) {
        guard let index = entries.firstIndex(where: { $0.pid == pid }) else { return }
        entries[index].state = .retiring
    }

    enum ExitDecision: Equatable {
        /// A retiring worker finished, or the pid was not ours.
        case nothing
        /// An unexpected death: spawn a replacement for `slot` after `delay` nanoseconds.
        case respawn(slot: Int, generation: Int, delay: UInt64)
    }

    /// A child exited (waitpid). Decides whether its slot needs a new worker.
    mutating func exited(pid: Int32, now: UInt64, stopping: Bool) -> ExitDecision {
        guard let index = entries.firstIndex(where: { $0.pid == pid }) else { return .nothing }
        let entry = entries.remove(at: index)
        guard entry.state != .retiring, !stopping else { return .nothing }
        respawns += 1
        respawnTimes = respawnTimes.filter { now &- $0 < damping.window } + [now]
        let delay = respawnTimes.count > damping.burst ? damping.pause : 0
        return .respawn(slot: entry.slot, generation: entry.generation, delay: delay)
    }
}
