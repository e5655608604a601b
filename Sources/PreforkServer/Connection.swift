import CLinuxShim
import Glibc
import HTTPWire

/// One accepted client socket in a worker: reads, parses with the strict parser, hands complete
/// requests to the application one at a time, writes responses in order, and closes in stages.
/// The decisions live in `ConnectionLifecycle`; this type does the system calls.
final class Connection: EventHandler, TimerHandler {
    let fd: Int32
    /// The worker owns its connections and outlives every one of them; a checked `unowned` cost an
    /// atomic retain and release on each use (callgrind: ~650 instructions per new connection).
    unowned(unsafe) let worker: Worker
    private(set) var lifecycle: ConnectionLifecycle
    private var parser: RequestParser

    private var input: UnsafeMutableRawPointer
    private var inputCapacity: Int
    private var inputStart = 0
    private var inputEnd = 0
    /// The head of the request being handled, copied out of `input` so the buffer can move on.
    private var headBytes: [UInt8] = []
    private var body: [UInt8] = []
    private var trailerBytes: [UInt8] = []
    private var trailers: [FieldLine] = []
    private var output: [UInt8] = []
    private var outputSent = 0
    /// Sent with sendfile(2) once `output` (the head) is out.
    private var pendingFile: FileBody?

    /// Requests handed to the application; a late answer must carry the current one.
    private var sequence: UInt64 = 0
    private var currentIsHead = false
    /// When the current request's head arrived, and whether `headBytes` holds it (not for refusals).
    private var requestStartedAt: UInt64 = 0
    private var currentHeadCopied = false
    private var currentKeepAlive = true
    private var interest: UInt32 = 0
    var timerGeneration: UInt64 = 0
    private var scheduledDeadline: UInt64 = .max

    static let initialInputCapacity = 16 * 1024

    init(fd: Int32, worker: Worker, now: UInt64) {
        self.fd = fd
        self.worker = worker
        lifecycle = ConnectionLifecycle(timeouts: worker.config.connectionTimeouts, now: now)
        parser = RequestParser(limits: worker.config.limits)
        inputCapacity = Self.initialInputCapacity
        input = UnsafeMutableRawPointer.allocate(byteCount: inputCapacity, alignment: 16)
        headBytes.reserveCapacity(1024)
        output.reserveCapacity(4096)
    }

    deinit { input.deallocate() }

    /// The largest head the limits allow, plus room for a body chunk: the buffer never grows past it.
    private var maxInputCapacity: Int {
        let limits = worker.config.limits
        return limits.maxRequestLine + limits.maxHeaderSection + 4 * limits.maxLeadingEmptyLines + 16 * 1024
    }

    func start() {
        updateInterest()
        updateTimer()
    }

    // MARK: - Events

    func handleEvents(_ events: UInt32, loop: EventLoop) {
        if events & EPOLLOUT.rawValue != 0 {
            flush()
            processInput()
        }
        if lifecycle.isClosed { return }
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            if lifecycle.phase == .draining { drain() } else { readAvailable() }
        }
        settle()
    }

    /// After any event: watch the right readiness and the right deadline.
    private func settle() {
        guard !lifecycle.isClosed else { return }
        updateInterest()
        updateTimer()
    }

    func timerFired(loop: EventLoop) {
        scheduledDeadline = .max
        guard !lifecycle.isClosed else { return }
        switch lifecycle.deadlinePassed(now: loop.now) {
        case .respondRequestTimeout:
            sendError(status: 408, detail: "request timeout: the request did not arrive in time")
        case .close:
            closeNow()
            return
        default:
            break
        }
        settle()
    }

    /// The worker is retiring or stopping: see `ConnectionLifecycle.retire`.
    func retire(grace: UInt64) {
        guard !lifecycle.isClosed else { return }
        lifecycle.retire(grace: grace, now: worker.loop.now)
        if lifecycle.isIdle && grace == 0 && inputEnd == inputStart {
            closeNow()
            return
        }
        settle()
    }

    // MARK: - Reading and parsing

    private func readAvailable() {
        while lifecycle.acceptsInput {
            if inputEnd == inputCapacity && !makeRoom() { break }
            let room = inputCapacity - inputEnd
            let count = read(fd, input + inputEnd, room)
            if count > 0 {
                inputEnd += count
                processInput()
                // A short read drained the socket: skip the read that would only say EAGAIN (the
                // level-triggered loop reports whatever arrives later).
                if count < room { return }
                continue
            }
            if count == 0 {
                processInput()
                if lifecycle.peerClosed() == .close { closeNow() }
                return
            }
            if errno == EAGAIN || errno == EINTR { return }
            if lifecycle.failed() == .close { closeNow() }
            return
        }
    }

    /// Moves unparsed bytes to the front, or grows the buffer when they already start there.
    private func makeRoom() -> Bool {
        if inputStart > 0 {
            let pending = inputEnd - inputStart
            memmove(input, input + inputStart, pending)
            inputStart = 0
            inputEnd = pending
            return true
        }
        guard inputCapacity < maxInputCapacity else { return false }
        let grown = min(inputCapacity * 2, maxInputCapacity)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        bigger.copyMemory(from: input, byteCount: inputEnd)
        input.deallocate()
        input = bigger
        inputCapacity = grown
        return true
    }

    /// Parses buffered bytes while the lifecycle accepts input. A response written at once puts the
    /// connection back to awaiting a request, so pipelined requests are served in this loop, in order.
    private func processInput() {
        while lifecycle.acceptsInput && !lifecycle.isClosed {
            let pending = UnsafeRawBufferPointer(start: input + inputStart, count: inputEnd - inputStart)
            switch parser.next(pending) {
            case .needMore(let consumed):
                consume(consumed)
                if lifecycle.isIdle && inputEnd > inputStart { lifecycle.requestStarted(now: worker.loop.now) }
                return
            case .head(let consumed):
                if lifecycle.isIdle { lifecycle.requestStarted(now: worker.loop.now) }
                headBytes.removeAll(keepingCapacity: true)
                headBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: pending[0..<consumed]))
                requestStartedAt = worker.loop.now
                currentHeadCopied = true
                body.removeAll(keepingCapacity: true)
                consume(consumed)
                lifecycle.headReceived(now: worker.loop.now)
                if parser.head.expectsContinue && parser.head.framing != .none && parser.head.framing != .contentLength(0) {
                    // RFC 9110 §10.1.1: the client waits for this before sending the body.
                    output.append(contentsOf: Self.continueLine)
                    flush()
                }
            case .body(let range, let consumed):
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: pending[range]))
                consume(consumed)
                lifecycle.bodyProgress(now: worker.loop.now)
            case .end(let consumed):
                trailerBytes.removeAll(keepingCapacity: true)
                if !parser.trailers.isEmpty {
                    trailerBytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: pending[0..<consumed]))
                }
                // Copied into this connection's own array: holding the parser's would make its next
                // removeAll copy the storage.
                trailers.removeAll(keepingCapacity: true)
                trailers.append(contentsOf: parser.trailers)
                consume(consumed)
                lifecycle.messageReceived()
                dispatch()
            case .rejected(let violation):
                worker.noteRejection()
                sendError(status: violation.status,
                          detail: "\(violation.reason.rawValue) (\(violation.rfcSection)) at byte \(violation.streamOffset)")
                return
            }
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

    private func dispatch() {
        sequence &+= 1
        let head = parser.head
        currentIsHead = head.knownMethod == .head
        currentKeepAlive = head.keepAlive
        worker.requestStarted()
        let response: Response? = headBytes.withUnsafeBytes { headView in
            body.withUnsafeBytes { bodyView in
                trailerBytes.withUnsafeBytes { trailerView in
                    let request = RequestView(head: head, headBytes: headView, body: bodyView,
                                              trailers: trailers, trailerBytes: trailerView)
                    if let prebuilt = worker.application.prebuiltResponse(for: request) {
                        queue(prebuilt)
                        return nil
                    }
                    return worker.application.handle(request, pending: PendingResponse(connection: self, sequence: sequence))
                }
            }
        }
        if let response { queue(response) }
    }

    /// A late answer (after a timer) for request `sequence`.
    func deliver(_ response: Response, sequence: UInt64) {
        guard sequence == self.sequence, lifecycle.phase == .handling else { return }
        queue(response)
        processInput()
        settle()
    }

    // MARK: - Writing

    private static let continueLine = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    private static let closeLine = Array("Connection: close\r\n".utf8)
    private static let serverLine = Array("Server: cathammer\r\n".utf8)

    private func appendCommonHeaders(status: Int, closeAfter: Bool) {
        ResponseEncoder.appendStatusLine(status, to: &output)
        output.append(contentsOf: worker.date.line)
        output.append(contentsOf: Self.serverLine)
        output.append(contentsOf: worker.workerHeaderLine)
        if closeAfter { output.append(contentsOf: Self.closeLine) }
    }

    private func queue(_ prebuilt: PrebuiltResponse) {
        let closeAfter = lifecycle.responseQueued(keepAlive: currentKeepAlive, clientAskedToClose: currentHeadCopied,
                                                  morePipelined: morePipelined, now: worker.loop.now)
        appendCommonHeaders(status: prebuilt.status, closeAfter: closeAfter)
        ResponseEncoder.appendHeader("Content-Type", prebuilt.contentType, to: &output)
        ResponseEncoder.appendContentLength(prebuilt.body.count, to: &output)
        output.append(0x0D)
        output.append(0x0A)
        if !currentIsHead { output.append(contentsOf: prebuilt.body) }
        finishRequest(status: prebuilt.status, bodyBytes: prebuilt.body.count)
        flush()
    }

    private func queue(_ response: Response) {
        let closeAfter = lifecycle.responseQueued(keepAlive: currentKeepAlive, clientAskedToClose: currentHeadCopied,
                                                  morePipelined: morePipelined, now: worker.loop.now)
        appendCommonHeaders(status: response.status, closeAfter: closeAfter)
        for (name, value) in response.headers {
            output.append(contentsOf: name.utf8)
            output.append(0x3A)
            output.append(0x20)
            output.append(contentsOf: value.utf8)
            output.append(0x0D)
            output.append(0x0A)
        }
        // 1xx, 204 and 304 carry no content and no Content-Length of their own (RFC 9110 §8.6).
        let bodyless = response.status == 204 || response.status == 304 || response.status < 200
        if !bodyless { ResponseEncoder.appendContentLength(response.file?.length ?? response.body.count, to: &output) }
        output.append(0x0D)
        output.append(0x0A)
        if !currentIsHead && !bodyless && !response.omitBody {
            if let file = response.file { pendingFile = file } else { output.append(contentsOf: response.body) }
        }
        finishRequest(status: response.status, bodyBytes: response.file?.length ?? response.body.count)
        flush()
    }

    private func finishRequest(status: Int, bodyBytes: Int) {
        worker.requestFinished()
        guard worker.config.accessLog || worker.config.memoryReport else { return }
        let head = parser.head
        let copied = currentHeadCopied
        worker.logRequest(
            method: copied ? String(decoding: self.headBytes[head.method], as: UTF8.self) : "-",
            target: copied ? String(decoding: self.headBytes[head.target], as: UTF8.self) : "-",
            status: status, bodyBytes: bodyBytes, startedAt: copied ? requestStartedAt : worker.loop.now)
        currentHeadCopied = false
    }

    /// A refused or timed-out request: the status, why, and a staged close.
    private func sendError(status: Int, detail: String) {
        currentHeadCopied = false
        currentIsHead = false
        currentKeepAlive = false
        // Whatever the client sends from here on is not parsed: it is drained after the response.
        inputStart = 0
        inputEnd = 0
        queue(Response.text(status, "\(status) \(ResponseEncoder.reasonPhrase(status)): \(detail)\n"))
    }

    private func flush() {
        while outputSent < output.count {
            let count = output.withUnsafeBytes { write(fd, $0.baseAddress! + outputSent, $0.count - outputSent) }
            if count > 0 {
                outputSent += count
                lifecycle.writeProgress(now: worker.loop.now)
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) {
                if errno == EINTR { continue }
                updateInterest()
                return
            }
            // EPIPE or ECONNRESET: the client is gone.
            if lifecycle.failed() == .close { closeNow() }
            return
        }
        if let file = pendingFile {
            while file.offset < file.length {
                var offset = off_t(file.offset)
                let count = sendfile(fd, file.fd, &offset, file.length - file.offset)
                if count > 0 {
                    file.offset = Int(offset)
                    lifecycle.writeProgress(now: worker.loop.now)
                } else if count < 0 && errno == EINTR {
                    continue
                } else if count < 0 && errno == EAGAIN {
                    updateInterest()
                    return
                } else {
                    // The file shrank under us: the promised Content-Length cannot be kept.
                    pendingFile = nil
                    if lifecycle.failed() == .close { closeNow() }
                    return
                }
            }
            pendingFile = nil
        }
        output.removeAll(keepingCapacity: true)
        outputSent = 0
        // On .parse the caller's loop picks up buffered requests; parsing here would re-enter it.
        switch lifecycle.outputDrained(now: worker.loop.now) {
        case .closeIfQuiet where inputEnd == inputStart && nothingUnread():
            lifecycle.closedQuietly()
            closeNow()
        case .closeIfQuiet, .shutdownWrite:
            shutdown(fd, Int32(SHUT_WR))
            drain()
        default:
            break
        }
    }

    /// Bytes of another request wait, in the buffer or the socket (only asked while retiring).
    private var morePipelined: Bool {
        guard lifecycle.retiring, currentHeadCopied else { return false }
        return inputEnd > inputStart || !nothingUnread()
    }

    // MARK: - Staged close

    /// No byte waits in the socket's receive queue (a FIN alone is fine).
    private func nothingUnread() -> Bool {
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count == 0 || (count < 0 && errno == EAGAIN)
    }

    /// Reads and drops what the client still sends until its EOF, the byte budget, or the deadline.
    private func drain() {
        while lifecycle.phase == .draining {
            let count = read(fd, input, inputCapacity)
            if count > 0 {
                if lifecycle.drained(count) == .close { closeNow() }
                continue
            }
            if count == 0 || !(errno == EAGAIN || errno == EINTR) {
                if lifecycle.peerClosed() == .close { closeNow() }
            }
            return
        }
    }

    private func closeNow() {
        pendingFile = nil
        // close() removes the fd from the epoll set (nothing else holds it): no EPOLL_CTL_DEL needed.
        worker.loop.forget(fd)
        close(fd)
        // A pending timer entry may keep this object for a while: keep only the shell.
        input.deallocate()
        input = UnsafeMutableRawPointer.allocate(byteCount: 0, alignment: 16)
        inputCapacity = 0
        inputStart = 0
        inputEnd = 0
        headBytes = []
        body = []
        trailerBytes = []
        output = []
        timerGeneration &+= 1
        worker.connectionClosed(self)
    }

    // MARK: - Readiness and deadlines

    private func updateInterest() {
        guard !lifecycle.isClosed else { return }
        var wanted: UInt32 = 0
        if lifecycle.acceptsInput || lifecycle.phase == .draining { wanted |= EPOLLIN.rawValue | EPOLLRDHUP.rawValue }
        if outputSent < output.count || pendingFile != nil { wanted |= EPOLLOUT.rawValue }
        guard wanted != interest else { return }
        interest = wanted
        if worker.loop.isRegistered(fd) {
            worker.loop.modify(fd, events: wanted)
        } else {
            try? worker.loop.register(fd, events: wanted, handler: self)
        }
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

