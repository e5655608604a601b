/// One rolling reload (SIGHUP), without processes: slot by slot, spawn the new generation's worker,
/// wait for its READY, and only then retire the old worker of that slot (invariant I2: at every
/// instant the configured number of READY workers poll the listener). A new worker that dies or
/// fails before READY aborts the roll and the old generation keeps serving. Tested on its own
/// (RollingReloadTests); `Master` carries out the steps.
struct RollingReload: Equatable {
    enum Step: Equatable {
        case spawn(slot: Int, generation: Int)
        case retire(pids: [Int32])
        /// Every slot runs the new generation.
        case finished
        /// The old generation keeps serving; `reason` is logged and counted.
        case aborted(reason: String)
    }

    enum Phase: Equatable {
        case idle
        /// Waiting for the new worker of `slot` (pid once spawned) to say READY.
        case waitingForReady(slot: Int, pid: Int32?)
        case finished
        case aborted
    }

    let generation: Int
    /// Slots that end up running the new generation, in roll order.
    let slots: [Int]
    /// Old workers per slot, retired once their slot's replacement is READY; slots beyond the new
    /// count (the worker count shrank) are retired at the end.
    private(set) var oldWorkers: [Int: [Int32]]
    private(set) var phase: Phase = .idle
    private var next = 0

    init(generation: Int, newCount: Int, oldWorkers: [Int: [Int32]]) {
        self.generation = generation
        slots = Array(0..<newCount)
        self.oldWorkers = oldWorkers
    }

    mutating func start() -> [Step] { advance() }

    mutating func spawned(slot: Int, pid: Int32) {
        guard case .waitingForReady(slot, nil) = phase else { return }
        phase = .waitingForReady(slot: slot, pid: pid)
    }

    /// The new worker said READY: retire what it replaces, then spawn the next.
    mutating func ready(pid: Int32) -> [Step] {
        guard case .waitingForReady(let slot, let waiting?) = phase, waiting == pid else { return [] }
        var steps: [Step] = []
        if let old = oldWorkers.removeValue(forKey: slot), !old.isEmpty { steps.append(.retire(pids: old)) }
        return steps + advance()
    }

    /// The new worker could not be spawned, or exited before READY.
    mutating func failed(pid: Int32?, reason: String) -> [Step] {
        guard case .waitingForReady(_, let waiting) = phase, pid == nil || pid == waiting else { return [] }
        phase = .aborted
        return [.aborted(reason: reason)]
    }

    private mutating func advance() -> [Step] {
        if next < slots.count {
            let slot = slots[next]
            next += 1
            phase = .waitingForReady(slot: slot, pid: nil)
            return [.spawn(slot: slot, generation: generation)]
        }
        phase = .finished
        // Slots the new configuration no longer has: their workers go once everything else rolled.
        let surplus = oldWorkers.keys.sorted().flatMap { oldWorkers[$0] ?? [] }
        oldWorkers.removeAll()
        return (surplus.isEmpty ? [] : [.retire(pids: surplus)]) + [.finished]
    }
}
