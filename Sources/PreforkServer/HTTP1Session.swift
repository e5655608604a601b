import CathammerContract
import CLinuxShim
import Glibc
import HTTPWire

/// An HTTP/1.1 session over one accepted connection's transport: reads, parses with the strict
/// parser, hands complete requests to the application one at a time, writes responses in order,
/// and closes in stages. The decisions live in `ConnectionLifecycle`, the bytes move through
/// `Transport`, and the large buffers are borrowed from the worker's pool only while a request is
/// in progress.
final class HTTP1Session: ServerSession, ResponseSink {
    let transport: Transport
    var fd: Int32 { transport.fd }
    /// The worker owns its sessions and outlives every one of them; a checked `unowned` cost an
    /// atomic retain and release on each use (callgrind: ~650 instructions per new connection).
    unowned(unsafe) let worker: Worker
    private(set) var lifecycle: ConnectionLifecycle
    /// Borrowed from `worker.bufferPool` while a request is in progress; nil while idle.
    private var buffers: HTTP1Buffers?
    private var inputStart = 0
    private var inputEnd = 0
    private var outputSent = 0
    /// Bytes of the stream parsed with buffers already given back: violations report their offset
    /// in the whole stream.
    private var parsedOffset = 0
    /// Sent with sendfile(2) once the head is out.
    private var pendingFile: FileBody?

    /// Requests handed to the application; a late answer must carry the current one.
    private var sequence: UInt64 = 0
    private var currentIsHead = false
    /// When the current request's head arrived, and whether the buffers hold it (not for refusals).
    private var requestStartedAt: UInt64 = 0
    private var currentHeadCopied = false
    private var currentKeepAlive = true
    private var interest: UInt32 = 0
    /// The loop's dispatch in which a read last found the socket empty (0: none since the last read
    /// that left bytes behind). Within that same dispatch the close decision needs no peek.
    private var socketFoundEmptyInDispatch: UInt64 = 0
    var timerGeneration: UInt64 = 0
    private var scheduledDeadline: UInt64 = .max
    /// Until the first bytes decide: on cleartext they may be the HTTP/2 preface (`--http2 on`);
    /// over TLS the protocol was settled by ALPN.
    private var mayBeHTTP2: Bool
    /// The connection now belongs to an HTTP/2 session; this one does nothing more.
    private var handedOver = false
    /// A connection refused before its first request is read (a plain HTTP request on an HTTPS port).
    private var openingRefusal: (status: Int, detail: String)?
    /// What answers requests: the worker's application, or another one for a listener of its own
    /// (the record control endpoint).
    private let application: Application
    /// `--app record`: this connection's record (raw bytes, framed requests, rejections, closes).
    private let record: ConnectionRecord?
    /// Where the current request began in the connection's bytes, and where it ended.
    private var requestStart = 0
    private var requestEnd = 0

    /// `refusal`: answer this status and detail at once and close in stages, reading nothing.
    /// `application`: instead of the worker's (which also means the connection is not recorded).
    init(transport: Transport, worker: Worker, now: UInt64, refusal: (status: Int, detail: String)? = nil,
         application: Application? = nil) {
        self.transport = transport
        self.worker = worker
        self.application = application ?? worker.application
        record = application == nil ? worker.recordStore?.open() : nil
        lifecycle = ConnectionLifecycle(timeouts: worker.config.connectionTimeouts, now: now)
        openingRefusal = refusal
        mayBeHTTP2 = worker.config.http2 != nil && refusal == nil && transport.scheme == .http
    }

    /// The largest head the limits allow, plus room for a body chunk: the buffer never grows past it.
    private var maxInputCapacity: Int {
        let limits = worker.config.limits
        return limits.maxRequestLine + limits.maxHeaderSection + 4 * limits.maxLeadingEmptyLines + 16 * 1024
    }

    func start() {
        if let refusal = openingRefusal {
            openingRefusal = nil
            sendRefusal(status: refusal.status, detail: refusal.detail)
            if lifecycle.isClosed { return }
        }
        settle()
    }

    // MARK: - Events

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        // Over TLS a direction may wait for the other readiness (SSL_write needing a read, ...).
        let ready = transport.readiness(events)
        if ready.output {
            if lifecycle.isDraining { transport.continueShutdown() }
            flush()
            processInput()
        }
        if lifecycle.isClosed { return }
        if ready.input {
            if lifecycle.isDraining { drain() } else { readAvailable() }
        }
        if handedOver { return }
        settle()
    }

    /// After any event: read what the transport already holds, watch the right readiness and the
    /// right deadline, and give the buffers back if the connection went idle.
    private func settle() {
        guard !lifecycle.isClosed else { return }
        // Records OpenSSL decrypted ahead of a request the application answered later: no readiness
        // event will announce them.
        if lifecycle.acceptsInput && transport.hasBufferedInput {
            readAvailable()
            guard !lifecycle.isClosed else { return }
        }
        releaseBuffersIfIdle()
        updateInterest()
        updateTimer()
    }

    func timerFired(loop: EventLoop) {
        scheduledDeadline = .max
        guard !lifecycle.isClosed else { return }
        // A deadline is judged on what the client sent, not on when the worker got round to it:
        // bytes already waiting in the socket (the worker was busy elsewhere past the deadline, this
        // connection's readiness still queued behind the timers) are read first.
        if lifecycle.acceptsInput && !lifecycle.isDraining {
            readAvailable()
            if lifecycle.isClosed || handedOver { return }
        }
        switch lifecycle.deadlinePassed(now: loop.now) {
        case .respondRequestTimeout:
            record?.rejected(status: 408, reason: "request-timeout", rfcSection: "RFC 9112 §9.5",
                             offset: buffers?.parser.streamOffset ?? parsedOffset)
            sendRefusal(status: 408, detail: "request timeout: the request did not arrive in time")
        case .close:
            closeNow()
            return
        case .none, .parse, .shutdownWriteAndDrain:
            break
        }
        settle()
    }

    func retire(grace: UInt64) {
        guard !lifecycle.isClosed else { return }
        if lifecycle.retire(grace: grace, bufferedBytes: inputEnd > inputStart, now: worker.loop.now) == .close {
            closeNow()
            return
        }
        settle()
    }

    // MARK: - Buffers

    private func takeBuffers() -> HTTP1Buffers {
        if let buffers { return buffers }
        let taken = worker.bufferPool.take(streamOffset: parsedOffset)
        buffers = taken
        return taken
    }

    /// Idle with nothing buffered and nothing to write: the buffers go back to the pool.
    private func releaseBuffersIfIdle() {
        guard let buffers, lifecycle.isIdle, inputStart == inputEnd, outputSent == 0, buffers.output.isEmpty,
              pendingFile == nil, buffers.parser.holdsNoMessageState
        else { return }
        parsedOffset = buffers.parser.streamOffset
        self.buffers = nil
        worker.bufferPool.give(buffers)
    }

    // MARK: - Reading and parsing

    private func readAvailable() {
        let buffers = takeBuffers()
        while lifecycle.acceptsInput {
            if inputEnd == buffers.inputCapacity && !makeRoom(buffers) { break }
            let room = buffers.inputCapacity - inputEnd
            let result = transport.read(into: buffers.input + inputEnd, count: room)
            socketFoundEmptyInDispatch = transport.readLeftSocketEmpty(result, asked: room) ? worker.loop.dispatches : 0
            switch result {
            case .bytes(let count):
                record?.received(UnsafeRawBufferPointer(start: buffers.input + inputEnd, count: count))
                inputEnd += count
                buffers.inputHighWater = max(buffers.inputHighWater, inputEnd)
                processInput()
                if handedOver { return }
                // A short read drained the socket: skip the read that would only say EAGAIN (the
                // level-triggered loop reports whatever arrives later). Not so for what TLS holds.
                if count < room && (lifecycle.isClosed || !transport.hasBufferedInput) { return }
            case .endOfStream:
                record?.peerClosed()
                processInput()
                if !lifecycle.isClosed && lifecycle.peerClosed() == .close { closeNow() }
                return
            case .wouldBlock:
                return
            case .failed:
                if lifecycle.failed() == .close { closeNow() }
                return
            }
        }
    }

    /// Moves unparsed bytes to the front, or grows the buffer when they already start there.
    private func makeRoom(_ buffers: HTTP1Buffers) -> Bool {
        if inputStart > 0 {
            let pending = inputEnd - inputStart
            memmove(buffers.input, buffers.input + inputStart, pending)
            inputStart = 0
            inputEnd = pending
            return true
        }
        return buffers.growInput(keeping: inputEnd, limit: maxInputCapacity)
    }

    /// Parses buffered bytes while the lifecycle accepts input. A response written at once puts the
    /// connection back to awaiting a request, so pipelined requests are served in this loop, in order.
    private func processInput() {
        guard let buffers else { return }
        if mayBeHTTP2 && !choseHTTP1(buffers) { return }
        while lifecycle.acceptsInput {
            let pending = UnsafeRawBufferPointer(start: buffers.input + inputStart, count: inputEnd - inputStart)
            switch buffers.parser.next(pending) {
            case .needMore(let consumed):
                consume(consumed)
                if lifecycle.isIdle && inputEnd > inputStart { lifecycle.requestBytesArrived(now: worker.loop.now) }
                return
            case .head(let consumed):
                buffers.headBytes.removeAll(keepingCapacity: true)
                buffers.headBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: pending[0..<consumed]))
                requestStart = buffers.parser.streamOffset - consumed
                requestStartedAt = worker.loop.now
                currentHeadCopied = true
                buffers.body.removeAll(keepingCapacity: true)
                consume(consumed)
                lifecycle.headReceived(now: worker.loop.now)
                let head = buffers.parser.head
                if head.expectsContinue && head.framing != .none && head.framing != .contentLength(0) {
                    // RFC 9110 §10.1.1: the client waits for this before sending the body.
                    buffers.output.append(contentsOf: Self.continueLine)
                    flush()
                }
            case .body(let range, let consumed):
                buffers.body.append(contentsOf: UnsafeRawBufferPointer(rebasing: pending[range]))
                consume(consumed)
                lifecycle.bodyProgress(now: worker.loop.now)
            case .end(let consumed):
                buffers.trailerBytes.removeAll(keepingCapacity: true)
                if !buffers.parser.trailers.isEmpty {
                    buffers.trailerBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: pending[0..<consumed]))
                }
                // Copied into the session's own array: holding the parser's would make its next
                // removeAll copy the storage.
                buffers.trailers.removeAll(keepingCapacity: true)
                buffers.trailers.append(contentsOf: buffers.parser.trailers)
                consume(consumed)
                requestEnd = buffers.parser.streamOffset
                lifecycle.messageReceived()
                dispatch(buffers)
            case .rejected(let violation):
                worker.noteRejection()
                record?.rejected(status: violation.status, reason: violation.reason.rawValue, rfcSection: violation.rfcSection,
                                 offset: violation.streamOffset)
                sendRefusal(status: violation.status,
                            detail: "\(violation.reason.rawValue) (\(violation.rfcSection)) at byte \(violation.streamOffset)")
                return
            }
        }
    }

    /// The first bytes of the connection decide its protocol (RFC 9113 §3.3): the HTTP/2 preface hands
    /// the connection, with every byte read so far, to an HTTP/2 session; anything else is HTTP/1.1.
    /// Returns true for HTTP/1.1; false while undecided or once handed over.
    private func choseHTTP1(_ buffers: HTTP1Buffers) -> Bool {
        let pending = UnsafeRawBufferPointer(start: buffers.input + inputStart, count: inputEnd - inputStart)
        switch HTTP2PrefaceDetector.judge(pending) {
        case .http1:
            mayBeHTTP2 = false
            return true
        case .undecided:
            if lifecycle.isIdle && !pending.isEmpty { lifecycle.requestBytesArrived(now: worker.loop.now) }
            return false
        case .http2:
            guard let limits = worker.config.http2 else { return true }
            let bytes = Array(pending)
            handedOver = true
            inputStart = 0
            inputEnd = 0
            self.buffers = nil
            worker.bufferPool.give(buffers)
            timerGeneration &+= 1
            let session = HTTP2Session(transport: transport, worker: worker, limits: limits, now: worker.loop.now,
                                       initialBytes: bytes)
            worker.handOver(fd, to: session)
            return false
        }
    }

    private func consume(_ count: Int) {
        inputStart += count
        if inputStart == inputEnd {
            inputStart = 0
            inputEnd = 0
        }
    }

    // MARK: - Handing requests to the application

    private func dispatch(_ buffers: HTTP1Buffers) {
        sequence &+= 1
        currentIsHead = buffers.parser.head.knownMethod == .head
        currentKeepAlive = buffers.parser.head.keepAlive
        worker.requestStarted()
        // The request view, and the copy of the head's fields it holds, ends before the answer is
        // queued: queueing may close the connection and give the buffers back, and the parser
        // reuses its field storage only if nothing else holds it (otherwise it allocates anew on
        // every connection; callgrind, `make bench-cpu`).
        switch answer(buffers) {
        case .prebuilt(let prebuilt): queue(prebuilt, buffers)
        case .response(let response): queue(response, buffers)
        case .later: break
        }
    }

    private enum Answer {
        case prebuilt(PrebuiltResponse)
        case response(Response)
        /// The application answers through `deliver`.
        case later
    }

    private func answer(_ buffers: HTTP1Buffers) -> Answer {
        let head = buffers.parser.head
        return buffers.headBytes.withUnsafeBytes { headView in
            buffers.body.withUnsafeBytes { bodyView in
                buffers.trailerBytes.withUnsafeBytes { trailerView in
                    let request = RequestView(http1: head, headBytes: headView, body: bodyView,
                                              trailers: buffers.trailers, trailerBytes: trailerView, scheme: transport.scheme)
                    record?.requestParsed(start: requestStart, end: requestEnd, view: EchoView(request))
                    if let prebuilt = application.prebuiltResponse(for: request) { return .prebuilt(prebuilt) }
                    return application.handle(request, pending: PendingResponse(sink: self, sequence: sequence))
                        .map(Answer.response) ?? .later
                }
            }
        }
    }

    /// A late answer (after a timer) for request `sequence`.
    func deliver(_ response: Response, sequence: UInt64) {
        guard sequence == self.sequence, lifecycle.phase == .handling, let buffers else { return }
        queue(response, buffers)
        processInput()
        settle()
    }

    func scheduleCallback(after milliseconds: Int, _ fire: @escaping () -> Void) {
        worker.scheduleCallback(after: milliseconds, fire)
    }

    // MARK: - Writing

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    private static let closeLine = Array("Connection: close\r\n".utf8)
    private static let serverLine = Array("Server: cathammer\r\n".utf8)

    private func appendCommonHeaders(status: Int, closeAfter: Bool, to output: inout [UInt8]) {
        ResponseEncoder.appendStatusLine(status, to: &output)
        output.append(contentsOf: worker.date.line)
        output.append(contentsOf: Self.serverLine)
        output.append(contentsOf: worker.workerHeaderLine)
        if closeAfter { output.append(contentsOf: Self.closeLine) }
    }

    /// Whether the connection closes after the response being queued.
    private func responseCloses() -> Bool {
        if currentHeadCopied {
            return lifecycle.responseQueued(keepAlive: currentKeepAlive, morePipelined: morePipelined, now: worker.loop.now)
        }
        lifecycle.refusalQueued(now: worker.loop.now)
        return true
    }

    private func queue(_ prebuilt: PrebuiltResponse, _ buffers: HTTP1Buffers) {
        let closeAfter = responseCloses()
        appendCommonHeaders(status: prebuilt.status, closeAfter: closeAfter, to: &buffers.output)
        ResponseEncoder.appendHeader("Content-Type", prebuilt.contentType, to: &buffers.output)
        ResponseEncoder.appendContentLength(prebuilt.body.count, to: &buffers.output)
        buffers.output.append(0x0D)
        buffers.output.append(0x0A)
        if !currentIsHead { buffers.output.append(contentsOf: prebuilt.body) }
        finishRequest(status: prebuilt.status, bodyBytes: prebuilt.body.count, buffers)
        flush()
    }

    private func queue(_ response: Response, _ buffers: HTTP1Buffers) {
        let closeAfter = responseCloses()
        appendCommonHeaders(status: response.status, closeAfter: closeAfter, to: &buffers.output)
        for (name, value) in response.headers { ResponseEncoder.appendHeader(name, value, to: &buffers.output) }
        // 1xx, 204 and 304 carry no content and no Content-Length of their own (RFC 9110 §8.6).
        let bodyless = response.status == 204 || response.status == 304 || response.status < 200
        if !bodyless { ResponseEncoder.appendContentLength(response.file?.length ?? response.body.count, to: &buffers.output) }
        buffers.output.append(0x0D)
        buffers.output.append(0x0A)
        if !currentIsHead && !bodyless && !response.omitBody {
            if let file = response.file {
                pendingFile = file
                transport.fileResponseStarted(throughSendFile: true)
            } else {
                buffers.output.append(contentsOf: response.body)
            }
        }
        finishRequest(status: response.status, bodyBytes: response.file?.length ?? response.body.count, buffers)
        flush()
    }

    private func finishRequest(status: Int, bodyBytes: Int, _ buffers: HTTP1Buffers) {
        worker.requestFinished()
        guard worker.config.accessLog || worker.config.memoryReport else { return }
        let head = buffers.parser.head
        let copied = currentHeadCopied
        worker.logRequest(
            method: copied ? String(decoding: buffers.headBytes[head.method], as: UTF8.self) : "-",
            target: copied ? String(decoding: buffers.headBytes[head.target], as: UTF8.self) : "-",
            status: status, bodyBytes: bodyBytes, startedAt: copied ? requestStartedAt : worker.loop.now)
        currentHeadCopied = false
    }

    /// A refused or timed-out request: the status, why, and a staged close.
    private func sendRefusal(status: Int, detail: String) {
        let buffers = takeBuffers()
        currentHeadCopied = false
        currentIsHead = false
        currentKeepAlive = false
        // Whatever the client sends from here on is not parsed: it is drained after the response.
        inputStart = 0
        inputEnd = 0
        queue(Response.text(status, "\(status) \(ResponseEncoder.reasonPhrase(status)): \(detail)\n"), buffers)
    }

    private func flush() {
        guard let buffers else { return }
        let last = lifecycle.isWritingLastResponse
        if outputSent == 0 && last { transport.prepareLastResponse() }
        while outputSent < buffers.output.count {
            let result = buffers.output.withUnsafeBytes {
                transport.write(UnsafeRawBufferPointer(rebasing: $0[outputSent...]), beforeClose: last)
            }
            switch result {
            case .wrote(let count):
                outputSent += count
                if lifecycle.isWriting { lifecycle.writeProgress(now: worker.loop.now) }
            case .wouldBlock:
                updateInterest()
                return
            case .failed:
                if lifecycle.failed() == .close { closeNow() }
                return
            }
        }
        if let file = pendingFile {
            var offset = file.offset
            while offset < file.length {
                switch transport.sendFile(file.fd, offset: &offset, length: file.length - offset) {
                case .wrote:
                    file.offset = offset
                    lifecycle.writeProgress(now: worker.loop.now)
                case .wouldBlock:
                    updateInterest()
                    return
                case .failed:
                    // The file shrank under us: the promised Content-Length cannot be kept.
                    pendingFile = nil
                    if lifecycle.failed() == .close { closeNow() }
                    return
                }
            }
            pendingFile = nil
        }
        buffers.output.removeAll(keepingCapacity: true)
        outputSent = 0
        // A 100 Continue went out while the body is still being received: nothing else changes.
        guard lifecycle.isWriting else { return }
        // On .parse the caller's loop picks up buffered requests; parsing here would re-enter it.
        let unread = inputEnd > inputStart || transport.hasUnreadBytes(socketKnownEmpty: socketKnownEmpty)
        switch lifecycle.outputDrained(unreadBytesWaiting: unread, now: worker.loop.now) {
        case .close:
            closeNow()
        case .shutdownWriteAndDrain:
            transport.shutdownWrite()
            drain()
        case .none, .parse, .respondRequestTimeout:
            break
        }
    }

    /// Bytes of another request wait, in the buffer or the socket (only asked while retiring).
    private var morePipelined: Bool {
        guard lifecycle.retiring else { return false }
        return inputEnd > inputStart || transport.hasUnreadBytes(socketKnownEmpty: socketKnownEmpty)
    }

    /// A read in the event being handled found the socket empty: what it could hold now arrived
    /// within microseconds, which a peek before close() would not rule out either.
    private var socketKnownEmpty: Bool {
        socketFoundEmptyInDispatch != 0 && socketFoundEmptyInDispatch == worker.loop.dispatches
    }

    // MARK: - Staged close

    /// Reads and drops what the client still sends until its EOF, the byte budget, or the deadline.
    private func drain() {
        let buffers = takeBuffers()
        while lifecycle.isDraining {
            switch transport.read(into: buffers.input, count: buffers.inputCapacity) {
            case .bytes(let count):
                buffers.inputHighWater = max(buffers.inputHighWater, count)
                if lifecycle.bytesDropped(count) == .close { closeNow() }
            case .wouldBlock:
                return
            case .endOfStream, .failed:
                if lifecycle.peerClosed() == .close { closeNow() }
                return
            }
        }
    }

    private func closeNow() {
        record?.closed()
        pendingFile = nil
        // close() removes the fd from the epoll set (nothing else holds it): no EPOLL_CTL_DEL needed.
        worker.loop.forget(fd)
        transport.close()
        if let buffers {
            self.buffers = nil
            worker.bufferPool.give(buffers)
        }
        inputStart = 0
        inputEnd = 0
        outputSent = 0
        // A pending timer entry may keep this object for a while: it holds no buffer.
        timerGeneration &+= 1
        worker.connectionClosed(self)
    }

    // MARK: - Readiness and deadlines

    private func updateInterest() {
        guard !lifecycle.isClosed else { return }
        let wanted = transport.interest(wantsInput: lifecycle.acceptsInput || lifecycle.isDraining,
                                        wantsOutput: outputSent < (buffers?.output.count ?? 0) || pendingFile != nil)
        guard wanted != interest else { return }
        interest = wanted
        worker.loop.watch(fd, events: wanted, handler: self)
    }

    /// Keeps at most one pending timer entry: a later deadline waits for the earlier entry to fire
    /// and re-arms then; only an earlier deadline pushes a new entry.
    private func updateTimer() {
        let deadline = lifecycle.deadline
        guard deadline != .max, deadline < scheduledDeadline else { return }
        timerGeneration &+= 1
        scheduledDeadline = deadline
        worker.loop.schedule(self, at: deadline)
    }
}
