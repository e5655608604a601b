import HTTP2Wire

/// Frames other than field blocks: SETTINGS, PING, GOAWAY, WINDOW_UPDATE, PRIORITY, RST_STREAM,
/// DATA, and the streams' bookkeeping (RFC 9113 §5.1, §6).
extension HTTP2Session {
    func handle(_ frame: HTTP2Frame) {
        let now = worker.loop.now
        switch frame.content {
        case .data(let data, let endStream):
            receiveData(frame.header, data, endStream: endStream)
        case .priority:
            // Deprecated as a signal (§5.3.2); valid in every stream state, never moves one.
            if let flood = floodGuard.charge(.priority, now: now) { self.flood(flood) }
        case .rstStream:
            receiveReset(frame.streamID, now: now)
        case .settings(let payload):
            if let flood = floodGuard.charge(.settings, now: now) { return self.flood(flood) }
            receiveSettings(payload)
        case .settingsAck:
            // We send one SETTINGS frame; an ACK with none outstanding acknowledges nothing.
            guard !settingsAcknowledged else { return }
            settingsAcknowledged = true
            event(.settingsAcknowledged)
        case .ping(let opaque, let ack):
            if ack {
                if opaque == Self.shutdownPingData, case .goingAway(.pingOutstanding) = lifecycle.state {
                    event(.shutdownPingAcknowledged)
                }
                return
            }
            if let flood = floodGuard.charge(.ping, now: now) { return self.flood(flood) }
            HTTP2FrameEncoder.appendPing(opaqueData: opaque, ack: true, into: &takeBuffers().output)
            boundQueuedOutput(.ping)
        case .goAway:
            event(.peerGoAway)
        case .windowUpdate(let increment):
            receiveWindowUpdate(frame.streamID, increment, now: now)
        case .unknown:
            // §5.5: ignored, but not for free.
            if let flood = floodGuard.charge(.emptyFrames, now: now) { self.flood(flood) }
        }
    }

    /// A frame the parser refused for its stream alone (§5.4.2): reset that stream. DATA still costs
    /// the connection window its whole length (§6.9).
    func handleStreamError(_ violation: HTTP2Violation, _ header: HTTP2FrameHeader) {
        if header.type == .data {
            guard consumeConnectionWindow(Int(header.length)) else { return }
        }
        if identifiers.isIdle(header.streamID) && header.type != .priority {
            return connectionError(.connection("frame-on-idle-stream", .protocolError, "RFC 9113 §5.1"))
        }
        worker.noteRejection()
        resetStream(header.streamID, violation.code)
    }

    // MARK: - SETTINGS

    private func receiveSettings(_ payload: HTTP2SettingsPayload) {
        let before = peerSettings
        peerSettings.apply(payload)
        if peerSettings.initialWindowSize != before.initialWindowSize,
           let violation = scheduler.setInitialWindowSize(peerSettings.initialWindowSize) {
            return connectionError(violation)
        }
        scheduler.maxFrameSize = Int(peerSettings.maxFrameSize)
        if peerSettings.headerTableSize != before.headerTableSize {
            encoder.setPeerHeaderTableSize(Int(peerSettings.headerTableSize))
        }
        HTTP2FrameEncoder.appendSettingsAck(into: &takeBuffers().output)
        boundQueuedOutput(.settings)
        if lifecycle.state == .awaitingSettings { event(.peerSettingsReceived) }
    }

    /// A peer that floods us with frames to acknowledge while not reading our answers would grow the
    /// output without bound: past the limit the connection ends at once (a GOAWAY could not be read).
    func boundQueuedOutput(_ cause: HTTP2Flood) {
        guard let buffers, buffers.output.count - outputSent > limits.maxQueuedOutput else { return }
        worker.http2Note(.flood(cause))
        event(.failed)
    }

    // MARK: - WINDOW_UPDATE

    private func receiveWindowUpdate(_ stream: UInt32, _ increment: UInt32, now: UInt64) {
        if let flood = floodGuard.charge(.windowUpdate, now: now) { return self.flood(flood) }
        lastOutputProgress = now
        if stream == 0 {
            if let violation = scheduler.connectionWindowUpdate(increment) { connectionError(violation) }
            return
        }
        switch verdict(stream, .windowUpdate) {
        case .reject(let violation): reject(violation)
        case .discard: return
        case .accept:
            if let violation = scheduler.streamWindowUpdate(stream, increment) { reject(violation) }
        }
    }

    // MARK: - RST_STREAM

    private func receiveReset(_ id: UInt32, now: UInt64) {
        let stream = streams[id]
        switch verdict(id, .rstStream) {
        case .reject(let violation): return reject(violation)
        case .discard: return
        case .accept: break
        }
        guard let stream else { return }
        // Rapid Reset (CVE-2023-44487): a stream cancelled before its answer is done cost us work the
        // client never waits for. Some is normal (a browser navigating away); a stream of them is not.
        let early = stream.phase != .responding || scheduler.pendingBytes(of: id) > 0
        forget(id, closure: .resetReceived)
        if early, let flood = floodGuard.charge(.rapidReset, now: now) { self.flood(flood) }
    }

    // MARK: - DATA

    private func receiveData(_ header: HTTP2FrameHeader, _ data: UnsafeRawBufferPointer, endStream: Bool) {
        let length = Int(header.length)
        guard consumeConnectionWindow(length) else { return }
        let id = header.streamID
        switch verdict(id, endStream ? .dataEndStream : .data) {
        case .reject(let violation): return reject(violation)
        case .discard: return
        case .accept: break
        }
        guard let stream = streams[id] else { return }
        if let violation = stream.receiveWindow.consumeReceived(flowControlledLength: length) {
            return reject(violation)
        }
        if length == 0 && !endStream, let flood = floodGuard.charge(.emptyFrames, now: worker.loop.now) {
            return self.flood(flood)
        }
        switch stream.phase {
        case .receivingBody:
            do throws(HTTP2Violation) {
                try stream.bodyCounter.receive(payloadLength: data.count, endStream: endStream)
            } catch {
                return malformed(stream, error)
            }
            guard stream.body.count + data.count <= limits.maxBody else {
                return answerEarly(stream, status: 413, "request body larger than \(limits.maxBody) bytes")
            }
            stream.body.append(contentsOf: data)
            replenishStreamWindow(stream, length)
            if endStream { dispatch(stream, fields: stream.fields, endStreamOnHeaders: false) }
        case .answeredEarly:
            finishIfClosed(stream)
        case .handling, .responding:
            // END_STREAM was received before: the state machine refused this frame already.
            break
        }
    }

    /// Counts a DATA frame against the connection window and gives the credit straight back once half
    /// of it is used: request bodies are bounded per stream, by their own windows and the body limit.
    private func consumeConnectionWindow(_ length: Int) -> Bool {
        if let violation = connectionReceiveWindow.consumeReceived(flowControlledLength: length) {
            connectionError(violation)
            return false
        }
        connectionUnacknowledged += length
        if connectionUnacknowledged >= Int(limits.connectionWindowSize) / 2 {
            let increment = UInt32(connectionUnacknowledged)
            connectionReceiveWindow.grantToPeer(increment)
            HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: increment, into: &takeBuffers().output)
            connectionUnacknowledged = 0
        }
        return true
    }

    private func replenishStreamWindow(_ stream: HTTP2Stream, _ length: Int) {
        stream.unacknowledgedBytes += length
        guard stream.unacknowledgedBytes >= Int(limits.initialWindowSize) / 2, !stream.requestEnded else { return }
        let increment = UInt32(stream.unacknowledgedBytes)
        stream.receiveWindow.grantToPeer(increment)
        HTTP2FrameEncoder.appendWindowUpdate(streamID: stream.id, increment: increment, into: &takeBuffers().output)
        stream.unacknowledgedBytes = 0
    }

    // MARK: - Stream states

    /// §5.1's answer to a frame the client sent on stream `id`, moving the stream if it is known.
    func verdict(_ id: UInt32, _ event: HTTP2StreamEvent) -> HTTP2StreamVerdict {
        if let stream = streams[id] {
            let before = stream.machine.state
            let verdict = stream.machine.receive(event)
            identifiers.noteTransition(of: id, from: before, to: stream.machine.state)
            return verdict
        }
        let state: HTTP2StreamState = identifiers.isIdle(id) ? .idle : .closed(closure(ofUnknown: id))
        return HTTP2StreamStateMachine.verdict(receiving: event, in: state, streamID: id)
    }

    /// Records a frame this server sends on a stream.
    func sent(_ event: HTTP2StreamEvent, on stream: HTTP2Stream) {
        let before = stream.machine.state
        stream.machine.send(event)
        identifiers.noteTransition(of: stream.id, from: before, to: stream.machine.state)
    }

    /// A stream or connection error from a verdict.
    func reject(_ violation: HTTP2Violation) {
        switch violation.scope {
        case .connection: connectionError(violation)
        case .stream(let id):
            worker.noteRejection()
            resetStream(id, violation.code)
        }
    }

    /// RST_STREAM with `code` (§5.4.2); the stream is forgotten.
    func resetStream(_ id: UInt32, _ code: HTTP2ErrorCode) {
        HTTP2FrameEncoder.appendRSTStream(streamID: id, errorCode: code, into: &takeBuffers().output)
        if let stream = streams[id] {
            sent(.rstStream, on: stream)
            forget(id, closure: .resetSent)
        } else {
            remember(id, .resetSent)
        }
    }

    /// Drops a stream that closed, when its state machine says so.
    func finishIfClosed(_ stream: HTTP2Stream) {
        if case .closed(let how) = stream.machine.state { forget(stream.id, closure: how) }
    }

    func forget(_ id: UInt32, closure: HTTP2StreamClosure) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        if stream.machine.state.countsTowardConcurrencyLimit {
            identifiers.noteTransition(of: id, from: stream.machine.state, to: .closed(closure))
        }
        scheduler.close(id)
        stream.responseFile = nil
        remember(id, closure)
        worker.http2StreamClosed()
    }

    /// How a stream this session holds no record of closed: remembered, never used (a higher id was
    /// opened first, §5.1.1: any frame on it but PRIORITY is a connection error PROTOCOL_ERROR), or
    /// too long ago to remember, taken as reset by us (its frames are discarded).
    private func closure(ofUnknown id: UInt32) -> HTTP2StreamClosure {
        if let remembered = recentlyClosed[id] { return remembered }
        if skippedStreamIDs.contains(where: { $0.contains(id) }) { return .implicitly }
        return .resetSent
    }

    /// The client opened `id` above `highest` + 2: the ids between were never used and are closed
    /// now (§5.1.1). The last few such gaps are kept; a client that skips ids is rare and legal.
    func noteSkippedStreamIDs(after highest: UInt32, opening id: UInt32) {
        let first = highest == 0 ? 1 : highest + 2
        guard id > first else { return }
        skippedStreamIDs.append(first...(id - 2))
        if skippedStreamIDs.count > 32 { skippedStreamIDs.removeFirst() }
    }

    private func remember(_ id: UInt32, _ closure: HTTP2StreamClosure) {
        if recentlyClosed.updateValue(closure, forKey: id) == nil { recentlyClosedOrder.append(id) }
        if recentlyClosedOrder.count > 128 {
            recentlyClosed[recentlyClosedOrder.removeFirst()] = nil
        }
    }
}
