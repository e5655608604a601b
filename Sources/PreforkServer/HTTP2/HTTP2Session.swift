import CLinuxShim
import Glibc
import HTTP2Wire
import HTTPWire

/// An HTTP/2 session over one connection's transport (RFC 9113): frames in with HTTP2Wire's strict
/// parser, HPACK and stream machines; requests to the same applications as HTTP/1.1, many at a time;
/// responses out through a flow-controlled scheduler. The connection's own life is
/// `HTTP2ConnectionLifecycle`; this class carries out its actions and owns the I/O. Frame handling,
/// requests and output live in the extensions beside this file.
final class HTTP2Session: ServerSession, ResponseSink {
    let transport: Transport
    var fd: Int32 { transport.fd }
    /// The worker owns its sessions and outlives every one of them.
    unowned(unsafe) let worker: Worker
    let limits: HTTP2ServerLimits
    let timeouts: ConnectionLifecycle.Timeouts
    var lifecycle = HTTP2ConnectionLifecycle()
    var parser: HTTP2FrameParser
    var decoder: HPACKDecoder
    var encoder = HPACKEncoder()
    var identifiers: HTTP2StreamIdentifiers
    var scheduler = HTTP2SendScheduler()
    var floodGuard: HTTP2FloodGuard
    var streams: [UInt32: HTTP2Stream] = [:]
    /// How recent streams closed, so late frames get §5.1's answer; older ones are treated as reset.
    var recentlyClosed: [UInt32: HTTP2StreamClosure] = [:]
    var recentlyClosedOrder: [UInt32] = []
    /// Gaps the client left in its stream ids: those streams were never used (§5.1.1).
    var skippedStreamIDs: [ClosedRange<UInt32>] = []
    var peerSettings = HTTP2Settings()
    var settingsAcknowledged = false
    var connectionReceiveWindow = HTTP2FlowControlWindow(scope: .connection)
    var connectionUnacknowledged = 0
    var streamsOpened = 0
    /// The highest stream id taken for processing: the final GOAWAY's last-stream-id.
    var highestProcessed: UInt32 = 0
    /// Borrowed from the worker's pool while there is work; nil while idle.
    var buffers: HTTP2Buffers?
    var outputSent = 0
    /// Bytes the transport took, ever: what bounds a turn's writes (`limits.writeBurst`).
    var bytesWritten = 0
    var peerClosedInput = false
    /// Bytes read before this session took over (the preface, maybe more).
    private var initialBytes: [UInt8]

    // Clocks for the deadlines.
    let startedAt: UInt64
    var lastInputAt: UInt64
    var lastIdleAt: UInt64
    /// The last time output was not stuck: nothing queued, or some of it just went out.
    var lastOutputProgress: UInt64
    var settingsSentAt: UInt64
    var shutdownPingSentAt: UInt64 = 0
    var drainDeadline: UInt64 = 0
    var drainedBytes = 0

    var interest: UInt32 = 0
    var timerGeneration: UInt64 = 0
    private var scheduledDeadline: UInt64 = .max

    /// The opaque data of the PING whose ACK proves the client has seen the first GOAWAY.
    static let shutdownPingData: UInt64 = 0x6361_7468_616D_6D72

    init(transport: Transport, worker: Worker, limits: HTTP2ServerLimits, now: UInt64, initialBytes: [UInt8]) {
        self.transport = transport
        self.worker = worker
        self.limits = limits
        timeouts = worker.config.connectionTimeouts
        parser = HTTP2FrameParser(configuration: limits.frameParserConfiguration)
        decoder = HPACKDecoder(maxHeaderListSize: limits.maxHeaderListSize)
        identifiers = HTTP2StreamIdentifiers(role: .server, maxConcurrentPeerStreams: limits.maxConcurrentStreams)
        floodGuard = HTTP2FloodGuard(limits)
        self.initialBytes = initialBytes
        startedAt = now
        lastInputAt = now
        lastIdleAt = now
        lastOutputProgress = now
        settingsSentAt = now
    }

    /// Takes the connection over (`Worker.handOver` gave it the registration of the session that
    /// read the preface or ran the TLS handshake), announces our SETTINGS, and processes the bytes
    /// read so far. A worker that is retiring retires it right after (`Worker.handOver`).
    func start() {
        let wanted = EPOLLIN.rawValue | EPOLLRDHUP.rawValue
        worker.loop.watch(fd, events: wanted, handler: self)
        interest = wanted
        worker.http2ConnectionOpened()
        let buffers = takeBuffers()
        HTTP2FrameEncoder.appendSettings(limits.announcedSettings, into: &buffers.output)
        let raise = limits.connectionWindowSize - HTTP2SettingsLimits.defaultInitialWindowSize
        if raise > 0 {
            HTTP2FrameEncoder.appendWindowUpdate(streamID: 0, increment: raise, into: &buffers.output)
            connectionReceiveWindow.grantToPeer(raise)
        }
        let bytes = initialBytes
        initialBytes = []
        bytes.withUnsafeBytes { process($0) }
        writeOut()
        settle()
    }

    // MARK: - Events

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        // Over TLS a direction may wait for the other readiness (SSL_write needing a read, ...).
        let ready = transport.readiness(events)
        if ready.output {
            if lifecycle.isDraining { transport.continueShutdown() }
            writeOut()
        }
        if lifecycle.isClosed { return }
        if ready.input {
            if lifecycle.isDraining { drain() } else { readAvailable() }
        }
        if lifecycle.isClosed { return }
        writeOut()
        settle()
    }

    func retire(grace: UInt64) {
        guard !lifecycle.isClosed else { return }
        // GOAWAY tells the client in so many words: unlike HTTP/1.1 there is no idle race to wait out.
        event(.shutDown)
        writeOut()
        settle()
    }

    /// Feeds the lifecycle and carries out what it decides.
    func event(_ event: HTTP2ConnectionLifecycle.Event) {
        for action in lifecycle.handle(event) {
            switch action {
            case .sendGoAway(let last, let code):
                let lastStream = last == .maximum ? HTTP2FrameHeader.streamIDMask : highestProcessed
                HTTP2FrameEncoder.appendGoAway(lastStreamID: lastStream, errorCode: code, into: &takeBuffers().output)
                if code != .noError {
                    // A connection error ends every stream with it (§5.4.1).
                    worker.http2Note(.connectionErrors)
                    for id in Array(streams.keys) { forget(id, closure: .resetSent) }
                }
            case .sendShutdownPing:
                HTTP2FrameEncoder.appendPing(opaqueData: Self.shutdownPingData, into: &takeBuffers().output)
                shutdownPingSentAt = worker.loop.now
            case .shutdownWriteAndDrain:
                transport.shutdownWrite()
                drainDeadline = worker.loop.now &+ timeouts.drain
                if peerClosedInput { self.event(.drainFinished) }
            case .close:
                closeNow()
            }
        }
    }

    /// A connection error of ours to announce (§5.4.1).
    func connectionError(_ violation: HTTP2Violation) {
        worker.noteRejection()
        event(.connectionError(violation.code))
    }

    /// A flood: counted, then GOAWAY with its code.
    func flood(_ kind: HTTP2Flood) {
        worker.http2Note(.flood(kind))
        event(.connectionError(kind.errorCode))
    }

    // MARK: - Reading

    private func readAvailable() {
        let buffers = takeBuffers()
        while !lifecycle.isClosed && !peerClosedInput {
            switch transport.read(into: buffers.input, count: HTTP2Buffers.inputCapacity) {
            case .bytes(let count):
                buffers.inputHighWater = max(buffers.inputHighWater, count)
                lastInputAt = worker.loop.now
                if lifecycle.processesInput {
                    process(UnsafeRawBufferPointer(start: buffers.input, count: count))
                    writeOut()
                }
                // A short read drained the socket, but not what TLS already decrypted.
                if count < HTTP2Buffers.inputCapacity && !transport.hasBufferedInput { return }
            case .endOfStream:
                peerClosedInput = true
                if lifecycle.processesInput && !parser.isBetweenFrames { worker.noteRejection() }
                event(.peerClosed)
                abandonStreamsThatNeedThePeer()
                return
            case .wouldBlock:
                return
            case .failed:
                event(.failed)
                return
            }
        }
    }

    /// The client sends nothing more (its FIN): a request whose body has not ended, an early answer
    /// waiting for the client's END_STREAM, and a response that needs more window than the client
    /// granted can never finish. They are cancelled at once instead of holding the connection until
    /// a timeout; answers in progress within their windows still go out.
    private func abandonStreamsThatNeedThePeer() {
        for stream in Array(streams.values) {
            let waitsForThePeer: Bool
            switch stream.phase {
            case .receivingBody, .answeredEarly: waitsForThePeer = !stream.requestEnded
            case .responding: waitsForThePeer = scheduler.needsMoreCredit(stream.id)
            case .handling: waitsForThePeer = false
            }
            if waitsForThePeer { resetStream(stream.id, .cancel) }
        }
    }

    /// Frames out of `bytes`, one event at a time, while the connection still takes input.
    func process(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while lifecycle.processesInput {
            switch parser.next(bytes, at: &offset) {
            case .needMore:
                return
            case .frame(let frame):
                handle(frame)
            case .headerBlock(let block):
                handle(block)
            case .streamError(let violation, let header):
                handleStreamError(violation, header)
            case .connectionError(let violation):
                if violation.code == .enhanceYourCalm { worker.http2Note(.flood(.continuation)) }
                connectionError(violation)
                return
            }
        }
    }

    private func drain() {
        let buffers = takeBuffers()
        while lifecycle.isDraining {
            switch transport.read(into: buffers.input, count: HTTP2Buffers.inputCapacity) {
            case .bytes(let count):
                buffers.inputHighWater = max(buffers.inputHighWater, count)
                drainedBytes += count
                if drainedBytes >= timeouts.drainBytes { event(.drainFinished) }
            case .wouldBlock:
                return
            case .endOfStream, .failed:
                peerClosedInput = true
                event(.drainFinished)
                return
            }
        }
    }

    // MARK: - Buffers

    func takeBuffers() -> HTTP2Buffers {
        if let buffers { return buffers }
        let taken = worker.http2BufferPool.take()
        buffers = taken
        return taken
    }

    /// Nothing in progress: the buffers go back to the pool.
    private func releaseBuffersIfIdle() {
        guard let buffers, streams.isEmpty, outputSent == buffers.output.count, !scheduler.hasPendingData else { return }
        outputSent = 0
        self.buffers = nil
        worker.http2BufferPool.give(buffers)
    }

    // MARK: - Closing

    func closeNow() {
        for id in Array(streams.keys) { forget(id, closure: .resetSent) }
        worker.loop.forget(fd)
        transport.close()
        if let buffers {
            self.buffers = nil
            worker.http2BufferPool.give(buffers)
        }
        outputSent = 0
        timerGeneration &+= 1
        worker.http2ConnectionClosed()
        worker.connectionClosed(self)
    }

    // MARK: - Settling after every event

    /// Moves the lifecycle on when streams or output ran out, then watches the right readiness and
    /// the earliest deadline.
    func settle() {
        while !lifecycle.isClosed {
            if case .goingAway(.finalSent) = lifecycle.state, streams.isEmpty {
                event(.streamsFinished)
                continue
            }
            if lifecycle.state == .closing && streams.isEmpty && !hasOutput {
                event(.outputFlushed)
                continue
            }
            break
        }
        guard !lifecycle.isClosed else { return }
        // Records OpenSSL decrypted with the handshake or behind the last read: no readiness event
        // will announce them.
        if lifecycle.processesInput && !peerClosedInput && transport.hasBufferedInput {
            readAvailable()
            writeOut()
            return settle()
        }
        let now = worker.loop.now
        if !hasOutput || !isOutputStuck { lastOutputProgress = now }
        if !streams.isEmpty || hasOutput { lastIdleAt = now }
        releaseBuffersIfIdle()
        updateInterest()
        updateTimer()
    }

    var hasOutput: Bool { outputSent < (buffers?.output.count ?? 0) || scheduler.hasPendingData }
    /// Output waits on the socket or on the peer's windows.
    var isOutputStuck: Bool { outputSent < (buffers?.output.count ?? 0) || scheduler.isBlockedByFlowControl }

    private func updateInterest() {
        let wanted = transport.interest(wantsInput: !peerClosedInput, wantsOutput: outputSent < (buffers?.output.count ?? 0))
        guard wanted != interest else { return }
        interest = wanted
        worker.loop.watch(fd, events: wanted, handler: self)
    }

    // MARK: - Deadlines

    /// The earliest deadline that applies now, and what passing it means.
    enum Deadline: Equatable {
        case drain, writeStall, handshake, settingsAck, shutdownPing, headerBlock, bodyStall, idle
    }

    func deadlines() -> [(Deadline, UInt64)] {
        var list: [(Deadline, UInt64)] = []
        switch lifecycle.state {
        case .draining: return [(.drain, drainDeadline)]
        case .closed: return []
        case .awaitingSettings: list.append((.handshake, startedAt &+ timeouts.header))
        case .open(settingsAcknowledged: false): list.append((.settingsAck, settingsSentAt &+ limits.settingsTimeout))
        case .goingAway(.pingOutstanding): list.append((.shutdownPing, shutdownPingSentAt &+ limits.shutdownPingTimeout))
        case .open, .goingAway, .closing: break
        }
        if hasOutput && isOutputStuck { list.append((.writeStall, lastOutputProgress &+ timeouts.write)) }
        if lifecycle.processesInput {
            if parser.isInsideHeaderBlock { list.append((.headerBlock, lastInputAt &+ timeouts.header)) }
            if streams.values.contains(where: { $0.phase == .receivingBody }) {
                list.append((.bodyStall, lastInputAt &+ timeouts.bodyIdle))
            }
            if streams.isEmpty && !hasOutput, case .open = lifecycle.state {
                list.append((.idle, lastIdleAt &+ timeouts.keepAliveIdle))
            }
        }
        return list
    }

    private func updateTimer() {
        guard let deadline = deadlines().map(\.1).min(), deadline < scheduledDeadline else { return }
        timerGeneration &+= 1
        scheduledDeadline = deadline
        worker.loop.schedule(self, at: deadline)
    }

    func timerFired(loop: EventLoop) {
        scheduledDeadline = .max
        guard !lifecycle.isClosed else { return }
        // Frames already waiting in the socket count before a deadline is judged (the worker may have
        // been busy elsewhere past it, this connection's readiness still queued behind the timers).
        if lifecycle.processesInput && !peerClosedInput {
            readAvailable()
            guard !lifecycle.isClosed else { return }
        }
        for (kind, deadline) in deadlines() where deadline <= loop.now && !lifecycle.isClosed {
            switch kind {
            case .drain: event(.drainFinished)
            case .writeStall:
                // The peer stopped reading (or withholds window): what is queued stays bounded, and
                // after the write timeout nothing more can be delivered.
                worker.http2Note(.flood(.slowRead))
                event(.failed)
            case .handshake: event(.handshakeOverdue)
            case .settingsAck:
                worker.http2Note(.flood(.settingsTimeout))
                event(.settingsAckOverdue)
            case .shutdownPing: event(.shutdownPingOverdue)
            case .headerBlock:
                // A field block trickled in CONTINUATION frames slower than a head may take.
                flood(.continuation)
            case .bodyStall: answerStalledUploads()
            case .idle: event(.shutDown)
            }
        }
        guard !lifecycle.isClosed else { return }
        writeOut()
        settle()
    }

    // MARK: - ResponseSink

    func scheduleCallback(after milliseconds: Int, _ fire: @escaping () -> Void) {
        worker.scheduleCallback(after: milliseconds, fire)
    }
}
