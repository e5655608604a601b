/// Harakiri per worker, without processes: a worker whose current request has run longer than
/// `--harakiri` is killed once and counted once, however many watchdog ticks still see it busy
/// before its exit is reaped. `Master` feeds the events and executes the actions. Tested pair by
/// pair (HarakiriTests).
struct Harakiri: Lifecycle {
    enum State: Equatable {
        /// Not killed (every worker the table does not list as killed).
        case watching
        /// SIGKILL sent; the exit is not reaped yet.
        case killed
    }

    enum Event: Equatable {
        /// The watchdog saw the worker's current request run past the limit.
        case busyTooLong
        /// waitpid returned the worker.
        case reaped
    }

    enum Action: Equatable {
        /// SIGKILL the worker and count one harakiri kill.
        case kill
    }

    /// Only killed workers; a reaped pid is forgotten, since the kernel may reuse it.
    private(set) var killed: Set<Int32> = []

    mutating func handle(_ event: Event, pid: Int32) -> [Action] {
        var state: State = killed.contains(pid) ? .killed : .watching
        let actions = Self.apply(event, to: &state)
        if state == .killed { killed.insert(pid) } else { killed.remove(pid) }
        return actions
    }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        switch (state, event) {
        case (.watching, .busyTooLong): return .next(.killed, [.kill])
        // Its scoreboard slot says busy until the exit is reaped.
        case (.killed, .busyTooLong): return .next(.killed, [])
        // Every exit passes by, most of them never killed.
        case (.watching, .reaped): return .next(.watching, [])
        case (.killed, .reaped): return .next(.watching, [])
        }
    }
}
