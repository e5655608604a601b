/// A worker's way out, without sockets: from serving, through asking for a replacement, retiring
/// (no more accepts, idle connections kept for a grace) or a graceful stop (idle connections closed
/// at once), to exit. `Worker` feeds the events and executes the actions. Tested pair by pair
/// (WorkerRetirementTests).
///
/// serving ─limit→ replacementRequested ─RETIRE→ retiring(grace) ─STOP→ stopping ─drained→ exited
///    └──────────────── RETIRE / STOP / QUIT from any living state ───────────────────────────┘
struct WorkerRetirement: Lifecycle {
    enum State: Equatable {
        case serving
        /// RECYCLE was sent; the worker serves on until the master retires it.
        case replacementRequested(RecycleReason)
        /// Not accepting; accepted connections finish; idle ones wait up to `grace` nanoseconds.
        case retiring(grace: UInt64)
        /// Graceful stop: not accepting; in-flight requests finish; idle connections are closed.
        case stopping
        /// The loop was told to end; what the current wakeup still delivers changes nothing.
        case exited
    }

    enum Event: Equatable {
        /// The worker served its `--max-requests`; reported once, on the request that reached it.
        case limitReached(RecycleReason)
        /// RETIRE from the master (a roll, a recycle, SIGTTOU), with the configured idle grace.
        case retire(grace: UInt64)
        /// STOP from the master, SIGTERM, or the master's end of the channel closing.
        case stop
        /// QUIT from the master, SIGINT or SIGQUIT.
        case quit
        /// No connection is left open.
        case connectionsDrained
    }

    enum Action: Equatable {
        /// Send RECYCLE: the master spawns the successor and retires this worker once it is READY.
        case askForReplacement(RecycleReason)
        /// Stop polling the listener and close this process's copy of it (never shutdown(): I1).
        case stopAccepting
        /// Every open connection finishes its work, answers with Connection: close, and waits at
        /// most `grace` for an idle client's next request (0: idle ones close now).
        case retireConnections(grace: UInt64)
        /// End the event loop; the process exits with status 0.
        case exit
    }

    private(set) var state: State = .serving

    /// New connections are taken only while the worker has not begun to leave.
    var acceptsConnections: Bool {
        switch state {
        case .serving, .replacementRequested: return true
        case .retiring, .stopping, .exited: return false
        }
    }

    /// The idle grace a connection that starts now gets (a TLS handshake that completes while the
    /// worker leaves); nil while the worker serves.
    var connectionGrace: UInt64? {
        switch state {
        case .serving, .replacementRequested: return nil
        case .retiring(let grace): return grace
        case .stopping, .exited: return 0
        }
    }

    mutating func handle(_ event: Event) -> [Action] { Self.apply(event, to: &state) }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        switch (state, event) {
        case (.serving, .limitReached(let reason)):
            return .next(.replacementRequested(reason), [.askForReplacement(reason)])
        case (.replacementRequested, .limitReached):
            // The limit is reported on the one request that reaches it.
            return .illegal
        case (.retiring, .limitReached), (.stopping, .limitReached), (.exited, .limitReached):
            // A leaving worker needs no replacement of its own: whoever retired it has one.
            return .next(state, [])

        case (.serving, .retire(let grace)), (.replacementRequested, .retire(let grace)):
            return .next(.retiring(grace: grace), [.stopAccepting, .retireConnections(grace: grace)])
        case (.retiring, .retire), (.stopping, .retire), (.exited, .retire):
            // A recycle's successor and a roll can both retire the same worker; a stop outranks it.
            return .next(state, [])

        case (.serving, .stop), (.replacementRequested, .stop):
            return .next(.stopping, [.stopAccepting, .retireConnections(grace: 0)])
        case (.retiring, .stop):
            // Already not accepting; the stop only cuts the idle grace short.
            return .next(.stopping, [.retireConnections(grace: 0)])
        case (.stopping, .stop), (.exited, .stop):
            // A second SIGTERM, or the channel closing after STOP.
            return .next(state, [])

        case (.serving, .quit), (.replacementRequested, .quit), (.retiring, .quit), (.stopping, .quit):
            return .next(.exited, [.exit])
        case (.exited, .quit):
            return .next(.exited, [])

        case (.serving, .connectionsDrained), (.replacementRequested, .connectionsDrained):
            // An idle worker: it waits for the next client.
            return .next(state, [])
        case (.retiring, .connectionsDrained), (.stopping, .connectionsDrained):
            return .next(.exited, [.exit])
        case (.exited, .connectionsDrained):
            return .next(.exited, [])
        }
    }
}
