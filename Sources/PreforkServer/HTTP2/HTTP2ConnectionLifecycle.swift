import HTTP2Wire

/// The life of one HTTP/2 connection, without sockets (its streams each follow HTTP2Wire's §5.1
/// machine). Every event switches on the state and returns the actions for `HTTP2Session`; an
/// illegal pair traps in debug builds naming both. Table-tested: HTTP2ConnectionLifecycleTests.
///
/// awaitingSettings ─client SETTINGS→ open(ack pending) ─our SETTINGS ACKed→ open(acknowledged)
/// open ─retire / idle→ goingAway(pingOutstanding)                  [GOAWAY 2^31−1, PING]
///      ─PING ACK or overdue→ goingAway(finalSent)                  [GOAWAY last processed id]
/// open or goingAway(pingOutstanding) ─streams spent→ goingAway(finalSent) [GOAWAY last processed id]
///      ─no stream left→ closing ─output flushed→ draining ─EOF, budget or deadline→ closed
/// a connection error from any living state: closing [GOAWAY(code)], then the same staged close.
struct HTTP2ConnectionLifecycle: Lifecycle {
    enum State: Equatable {
        /// Our SETTINGS are sent; the client's preface is in, its first SETTINGS not yet.
        case awaitingSettings
        /// Streams are served. `settingsAcknowledged`: the client ACKed our SETTINGS (§6.5.3).
        case open(settingsAcknowledged: Bool)
        /// Graceful shutdown (§6.8): no new streams beyond what the GOAWAY says; open ones finish.
        case goingAway(GoAwayStep)
        /// No more input is processed; once every stream is done and the output is written, our
        /// side shuts down.
        case closing
        /// Staged close: our side is shut for writing, the client's bytes are read and dropped so that
        /// close() cannot turn them into an RST that destroys the last frames (RFC 9112 §9.6's rule).
        case draining
        case closed
    }

    enum GoAwayStep: Equatable {
        /// GOAWAY with last-stream-id 2^31−1 and a PING are out: streams the client already sent are
        /// still taken, and the PING's ACK proves it has seen the GOAWAY.
        case pingOutstanding
        /// GOAWAY with the last stream id processed is out; open streams finish.
        case finalSent
    }

    enum Event: Equatable {
        /// The client's first SETTINGS arrived (right after its preface, §3.4).
        case peerSettingsReceived
        /// The client acknowledged our SETTINGS.
        case settingsAcknowledged
        /// The SETTINGS ACK did not come in time (§6.5.3).
        case settingsAckOverdue
        /// The client's SETTINGS did not come in time after its preface.
        case handshakeOverdue
        /// Leave gracefully: the worker retires or stops, or the connection was idle too long.
        case shutDown
        /// The connection opened the last stream it may (`--http2-max-streams-per-connection`) or
        /// the last stream id: nothing above it will be processed, so the GOAWAY names it at once
        /// rather than 2^31−1 (§6.8) and streams the client already sent past it are refused.
        case streamsSpent
        case shutdownPingAcknowledged
        case shutdownPingOverdue
        /// The client sent GOAWAY: it opens nothing more.
        case peerGoAway
        /// Every stream is finished (the session reports it whenever none is left).
        case streamsFinished
        /// A connection error (§5.4.1), ours to announce with this code.
        case connectionError(HTTP2ErrorCode)
        /// Closing: nothing left to write and no stream left.
        case outputFlushed
        /// The client closed its sending side (read returned 0).
        case peerClosed
        /// A reset or write error, or a peer that stopped reading past the write timeout: nothing
        /// more can be delivered.
        case failed
        /// Draining ended: EOF, the byte budget or the deadline.
        case drainFinished
    }

    /// Which last-stream-id a GOAWAY carries.
    enum LastStream: Equatable {
        /// 2^31−1: "I am leaving, keep sending what you have in flight" (§6.8).
        case maximum
        /// The highest stream id the server processed.
        case highestProcessed
    }

    enum Action: Equatable {
        case sendGoAway(LastStream, HTTP2ErrorCode)
        case sendShutdownPing
        /// shutdown(SHUT_WR), then read and discard until EOF, the byte budget or the deadline.
        case shutdownWriteAndDrain
        case close
    }

    private(set) var state: State = .awaitingSettings

    mutating func handle(_ event: Event) -> [Action] { Self.apply(event, to: &state) }

    /// New streams are taken only before the final GOAWAY.
    var acceptsStreams: Bool {
        switch state {
        case .open, .goingAway(.pingOutstanding): return true
        case .awaitingSettings, .goingAway(.finalSent), .closing, .draining, .closed: return false
        }
    }
    /// Frames are read and processed (not merely drained).
    var processesInput: Bool {
        switch state {
        case .awaitingSettings, .open, .goingAway: return true
        case .closing, .draining, .closed: return false
        }
    }
    var isClosed: Bool { state == .closed }
    var isDraining: Bool { state == .draining }

    static func transition(from state: State, on event: Event) -> Transition<State, Action> {
        let staged: Transition<State, Action> = .next(.closed, [.close])
        switch (state, event) {
        case (.closed, _):
            return .illegal

        // Failures and a peer that went away end every living state alike.
        case (_, .failed):
            return staged
        case (.draining, .peerClosed), (.draining, .drainFinished):
            return staged
        case (.draining, _):
            return .illegal
        case (_, .drainFinished):
            return .illegal

        case (.awaitingSettings, .peerSettingsReceived):
            return .next(.open(settingsAcknowledged: false), [])
        case (.awaitingSettings, .handshakeOverdue), (.awaitingSettings, .peerClosed):
            // No stream can exist yet: nothing to finish, nothing to announce.
            return staged
        case (.awaitingSettings, .shutDown):
            // Requests may be right behind the client's SETTINGS: they are taken, as in `open`.
            return .next(.goingAway(.pingOutstanding), [.sendGoAway(.maximum, .noError), .sendShutdownPing])
        case (.awaitingSettings, .streamsSpent):
            // No stream is taken before the client's first SETTINGS.
            return .illegal
        case (.awaitingSettings, .connectionError(let code)):
            return .next(.closing, [.sendGoAway(.highestProcessed, code)])
        case (.awaitingSettings, .streamsFinished):
            return .next(state, [])
        case (.awaitingSettings, _):
            // ACKs, PINGs and GOAWAY cannot precede the client's first SETTINGS (§3.4, checked by
            // the frame parser); the shutdown PING was never sent; output is only flushed when closing.
            return .illegal

        case (.open, .peerSettingsReceived):
            return .illegal
        case (.open(false), .settingsAcknowledged):
            return .next(.open(settingsAcknowledged: true), [])
        case (.open(true), .settingsAcknowledged), (.open(true), .settingsAckOverdue):
            return .illegal
        case (.open(false), .settingsAckOverdue):
            return .next(.closing, [.sendGoAway(.highestProcessed, .settingsTimeout)])
        case (.open, .handshakeOverdue):
            return .illegal
        case (.open, .shutDown):
            return .next(.goingAway(.pingOutstanding), [.sendGoAway(.maximum, .noError), .sendShutdownPing])
        case (.open, .streamsSpent), (.goingAway(.pingOutstanding), .streamsSpent):
            return .next(.goingAway(.finalSent), [.sendGoAway(.highestProcessed, .noError)])
        case (.goingAway(.finalSent), .streamsSpent):
            // No stream is taken after the final GOAWAY.
            return .illegal
        case (.open, .shutdownPingAcknowledged), (.open, .shutdownPingOverdue):
            return .illegal
        case (.open, .peerGoAway):
            // The client leaves first: it opens nothing more, we finish what it asked for.
            return .next(.goingAway(.finalSent), [.sendGoAway(.highestProcessed, .noError)])
        case (.open, .streamsFinished):
            return .next(state, [])
        case (.open, .connectionError(let code)), (.goingAway, .connectionError(let code)):
            return .next(.closing, [.sendGoAway(.highestProcessed, code)])
        case (.open, .outputFlushed):
            return .illegal
        case (.open, .peerClosed), (.goingAway, .peerClosed):
            // Half-closed by the client: streams in progress still get their answers.
            return .next(.closing, [])

        case (.goingAway(.pingOutstanding), .shutdownPingAcknowledged),
             (.goingAway(.pingOutstanding), .shutdownPingOverdue):
            return .next(.goingAway(.finalSent), [.sendGoAway(.highestProcessed, .noError)])
        case (.goingAway(.finalSent), .shutdownPingAcknowledged), (.goingAway(.finalSent), .shutdownPingOverdue):
            // The overdue timer or a late ACK after the client's own GOAWAY: the final GOAWAY is out.
            return .next(state, [])
        case (.goingAway(.pingOutstanding), .streamsFinished):
            // Streams may still come until the client has seen the first GOAWAY.
            return .next(state, [])
        case (.goingAway(.finalSent), .streamsFinished):
            return .next(.closing, [])
        case (.goingAway, .shutDown), (.goingAway, .peerGoAway):
            return .next(state, [])
        case (.goingAway, .settingsAcknowledged), (.goingAway, .settingsAckOverdue):
            // A SETTINGS ACK may still be outstanding while leaving: it no longer matters.
            return .next(state, [])
        case (.goingAway, .peerSettingsReceived):
            // Told to leave before the client's first SETTINGS arrived.
            return .next(state, [])
        case (.goingAway, .handshakeOverdue), (.goingAway, .outputFlushed):
            return .illegal

        case (.closing, .outputFlushed):
            return .next(.draining, [.shutdownWriteAndDrain])
        case (.closing, .peerClosed):
            // Nothing more will be read; what is queued is still written.
            return .next(.closing, [])
        case (.closing, .connectionError), (.closing, .shutDown), (.closing, .streamsFinished),
             (.closing, .settingsAcknowledged), (.closing, .settingsAckOverdue), (.closing, .shutdownPingAcknowledged),
             (.closing, .shutdownPingOverdue), (.closing, .peerGoAway):
            // Already leaving; input is no longer processed, timers may still fire.
            return .next(.closing, [])
        case (.closing, .peerSettingsReceived), (.closing, .handshakeOverdue), (.closing, .streamsSpent):
            return .illegal
        }
    }
}
