/// The master's stop, without processes: SIGTERM (graceful: workers finish in-flight requests) or
/// SIGINT / SIGQUIT (fast: workers exit now), a deadline after which what is left is killed (each
/// kill reported), and the end once every worker is gone. `Master` feeds the events and executes
/// the actions. Tested pair by pair (MasterShutdownTests).
///
/// running ─stop(mode)→ stopping(mode) ─deadline→ killing(mode) ─workers gone→ done
///                           └──────────────── workers gone ──────────────────────┘
struct MasterShutdown: Lifecycle {
    enum Mode: Equatable {
        case graceful
        case fast

        /// What each worker is told.
        var message: ControlMessage { self == .graceful ? .stop : .quit }
    }

    enum State: Equatable {
        case running
        /// Every worker was told; waiting for them until the mode's deadline.
        case stopping(Mode)
        /// The deadline passed and the rest were killed; waiting for their exits.
        case killing(Mode)
        /// The loop was told to end; what the current wakeup still delivers changes nothing.
        case done
    }

    enum Event: Equatable {
        case stop(Mode)
        /// A worker said READY (during a stop: one a roll in progress had spawned).
        case workerReady(pid: Int32)
        case deadlinePassed
        /// The worker table is empty.
        case workersGone
    }

    enum Action: Equatable {
        case tellEveryWorker(ControlMessage)
        case tell(pid: Int32, ControlMessage)
        /// Schedule `deadlinePassed`: the reload mercy for a graceful stop, a short wait for a fast one.
        case armDeadline(Mode)
        /// SIGKILL every worker still in the table, counting each as a forced kill.
        case killRemaining
        case endLoop
    }

    private(set) var state: State = .running

    var isRunning: Bool { state == .running }

    mutating func handle(_ event: Event) -> [Action] { Self.apply(event, to: &state) }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        switch (state, event) {
        case (.running, .stop(let mode)):
            return .next(.stopping(mode), [.tellEveryWorker(mode.message), .armDeadline(mode)])
        case (.running, .workerReady):
            return .next(.running, [])
        case (.running, .deadlinePassed):
            // Only a stop arms the deadline.
            return .illegal
        case (.running, .workersGone):
            // Every worker died and their respawns wait for damping or a failed spawn's retry.
            return .next(.running, [])

        case (.stopping(.graceful), .stop(.fast)):
            return .next(.stopping(.fast), [.tellEveryWorker(.quit), .armDeadline(.fast)])
        case (.stopping(.graceful), .stop(.graceful)), (.stopping(.fast), .stop):
            // A repeated signal: the stop under way already covers it.
            return .next(state, [])
        case (.stopping(let mode), .workerReady(let pid)), (.killing(let mode), .workerReady(let pid)):
            return .next(state, [.tell(pid: pid, mode.message)])
        case (.stopping(let mode), .deadlinePassed):
            return .next(.killing(mode), [.killRemaining])
        case (.stopping, .workersGone), (.killing, .workersGone):
            return .next(.done, [.endLoop])

        case (.killing, .stop):
            // Everyone left was killed already.
            return .next(state, [])
        case (.killing, .deadlinePassed):
            // graceful, then fast: both deadlines were armed, and the first one killed everyone.
            return .next(state, [])

        case (.done, _):
            return .next(.done, [])
        }
    }
}
