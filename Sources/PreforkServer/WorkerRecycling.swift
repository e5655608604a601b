/// Replacing single workers while they serve (max-requests, lifetime, memory), without processes:
/// per worker being replaced, spawn its successor in the same slot, wait for the successor's READY,
/// only then retire the old one (invariant I2); a successor that dies before READY is retried after
/// a pause. `Master` feeds the events and executes the actions. Tested pair by pair
/// (WorkerRecyclingTests).
///
/// idle ─requested→ spawning ─spawned→ replacementStarting ─successor READY→ idle (old retired)
///                     ↑                       └─successor died→ retryPending ─retry due─┐
///                     └────────────────────────────────────────────────────────────────┘
struct WorkerRecycling: Lifecycle {
    enum State: Equatable {
        /// Not being replaced (every worker the table does not list).
        case idle
        /// The successor is being spawned (the spawn returns before any other event).
        case spawning(RecycleReason)
        case replacementStarting(successor: Int32, RecycleReason)
        /// The successor died before READY; a retry is scheduled.
        case retryPending(RecycleReason)
    }

    enum Event: Equatable {
        /// The worker asked (RECYCLE) or the watchdog found a limit passed. `allowed`: no stop and
        /// no roll under way, and the worker is READY, not starting or retiring.
        case requested(RecycleReason, allowed: Bool)
        case spawned(successor: Int32)
        case spawnFailed
        case successorReady
        case successorExited
        /// The retry pause is over; `allowed` as for `requested`.
        case retryDue(allowed: Bool)
        /// The worker being replaced exited.
        case oldExited
    }

    enum Action: Equatable {
        /// Spawn a successor in the old worker's slot and generation, then report spawned or spawnFailed.
        case spawnReplacement(RecycleReason)
        /// Count one recycle and retire the old worker (mercy deadline and all).
        case retireOld(successor: Int32)
        /// Report retryDue after the pause.
        case scheduleRetry
        /// The old worker died first: its successor takes the slot, so the table forgets the old
        /// worker instead of respawning its slot.
        case successorFillsSlot
    }

    /// Keyed by the pid of the worker being replaced; idle ones are not kept.
    private(set) var states: [Int32: State] = [:]

    /// A successor process exists that the table would otherwise count as the slot's own.
    var hasSuccessorStarting: Bool {
        states.values.contains { if case .replacementStarting = $0 { return true } else { return false } }
    }

    /// The worker `successor` was spawned to replace.
    func replaced(bySuccessor successor: Int32) -> Int32? {
        states.first { _, state in
            if case .replacementStarting(successor, _) = state { return true } else { return false }
        }?.key
    }

    mutating func handle(_ event: Event, old pid: Int32) -> [Action] {
        var state = states[pid] ?? .idle
        let actions = Self.apply(event, to: &state)
        states[pid] = state == .idle ? nil : state
        return actions
    }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        switch (state, event) {
        case (.idle, .requested(let reason, allowed: true)):
            return .next(.spawning(reason), [.spawnReplacement(reason)])
        case (.idle, .requested(_, allowed: false)):
            // A roll or a stop replaces or ends it anyway; a starting or retiring worker is not replaced.
            return .next(.idle, [])
        case (.idle, .retryDue):
            // The old worker exited during the pause; its timer cannot be taken back.
            return .next(.idle, [])
        case (.idle, .oldExited):
            // Every exit passes by, most of them never recycled.
            return .next(.idle, [])
        case (.idle, .spawned), (.idle, .spawnFailed), (.idle, .successorReady), (.idle, .successorExited):
            return .illegal

        case (.spawning(let reason), .spawned(let successor)):
            return .next(.replacementStarting(successor: successor, reason), [])
        case (.spawning, .spawnFailed):
            // Logged; the watchdog asks again for lifetime and memory on its next tick.
            return .next(.idle, [])
        case (.spawning, _):
            // The spawn is synchronous: nothing else can happen before its result.
            return .illegal

        case (.replacementStarting, .requested):
            // The watchdog sees the limit on every tick, and two limits can be passed at once.
            return .next(state, [])
        case (.replacementStarting(let successor, _), .successorReady):
            return .next(.idle, [.retireOld(successor: successor)])
        case (.replacementStarting(_, let reason), .successorExited):
            return .next(.retryPending(reason), [.scheduleRetry])
        case (.replacementStarting, .oldExited):
            return .next(.idle, [.successorFillsSlot])
        case (.replacementStarting, .spawned), (.replacementStarting, .spawnFailed), (.replacementStarting, .retryDue):
            return .illegal

        case (.retryPending, .requested):
            // The pause is the damping: the retry timer spawns, the watchdog does not.
            return .next(state, [])
        case (.retryPending(let reason), .retryDue(allowed: true)):
            return .next(.spawning(reason), [.spawnReplacement(reason)])
        case (.retryPending, .retryDue(allowed: false)):
            return .next(.idle, [])
        case (.retryPending, .oldExited):
            return .next(.idle, [])
        case (.retryPending, .spawned), (.retryPending, .spawnFailed), (.retryPending, .successorReady),
             (.retryPending, .successorExited):
            return .illegal
        }
    }
}
