import HTTP2Wire
import HTTPWire

/// Field blocks become requests (RFC 9113 §8), requests go to the application, answers go back on
/// their streams. Every HTTP/1.1 limit has its counterpart here: 431, 413, 417 as responses on the
/// stream; a malformed request is RST_STREAM PROTOCOL_ERROR and the connection carries on.
extension HTTP2Session {
    func handle(_ block: HTTP2HeaderBlock) {
        let buffers = takeBuffers()
        // Decoded whatever becomes of the stream: the HPACK table is the connection's (§4.3).
        let status: HPACKBlockStatus
        do throws(HTTP2Violation) {
            status = try decoder.decode(block.fieldBlock, into: &buffers.fields)
        } catch {
            return connectionError(error)
        }
        let now = worker.loop.now
        if block.fieldBlock.isEmpty, let flood = floodGuard.charge(.emptyFrames, now: now) { return self.flood(flood) }
        let id = block.streamID
        if let stream = streams[id] { return receiveTrailers(stream, block, status, buffers.fields) }
        if !identifiers.isIdle(id) {
            // A stream this connection has closed: §5.1 decides (usually STREAM_CLOSED).
            switch verdict(id, block.endStream ? .headersEndStream : .headers) {
            case .reject(let violation): reject(violation)
            case .discard, .accept: break
            }
            return
        }
        let highestBefore = identifiers.highestPeerStreamID
        if let violation = identifiers.peerOpens(id) {
            // An even or decreasing id ends the connection; one stream too many is refused (§5.1.2).
            return reject(violation)
        }
        noteSkippedStreamIDs(after: highestBefore, opening: id)
        guard lifecycle.acceptsStreams else {
            // After the final GOAWAY: not processed, safe to retry elsewhere (§8.7).
            return resetStream(id, .refusedStream)
        }
        if let violation = block.streamError { return reject(violation) }
        openStream(id, block, status, buffers.fields, now: now)
    }

    private func openStream(_ id: UInt32, _ block: HTTP2HeaderBlock, _ status: HPACKBlockStatus,
                            _ fields: DecodedFieldList, now: UInt64) {
        streamsOpened += 1
        highestProcessed = id
        let stream = HTTP2Stream(id: id, head: H2RequestHead(streamID: id), initialWindow: limits.initialWindowSize,
                                 now: now)
        streams[id] = stream
        // A request is activity: the idle clock restarts even when the answer is made and sent
        // before the worker settles (settle() sees no stream then, and the connection looked idle
        // since it opened: a busy connection was sent away one keep-alive timeout after opening).
        lastIdleAt = now
        worker.http2StreamOpened()
        scheduler.open(id)
        _ = verdict(id, block.endStream ? .headersEndStream : .headers)
        if streamsOpened >= limits.maxStreamsPerConnection || id >= HTTP2FrameHeader.streamIDMask - 1 {
            // Its streams are spent (or its ids): the GOAWAY names this stream as the last one processed,
            // and the client opens a new connection for anything above it.
            worker.http2Note(.flood(.streamLimit))
            event(.streamsSpent)
        }
        if case .headerListTooLarge(let size) = status {
            // An HPACK bomb or just too many fields: refused by decoded size, like HTTP/1.1's 431.
            worker.http2Note(.flood(.hpackBomb))
            return answerEarly(stream, status: 431, "decoded header list of \(size) bytes exceeds \(limits.maxHeaderListSize)")
        }
        let head: H2RequestHead
        do throws(HTTP2Violation) {
            head = try H2RequestValidator.validateRequest(fields, streamID: id)
        } catch {
            return malformed(stream, error)
        }
        stream.head = head
        stream.bodyCounter = H2RequestBodyCounter(head)
        if head.regularFields.count > limits.maxFieldCount {
            return answerEarly(stream, status: 431, "more than \(limits.maxFieldCount) fields")
        }
        if let length = head.contentLength, length > limits.maxBody {
            return answerEarly(stream, status: 413, "content-length \(length) exceeds \(limits.maxBody)")
        }
        switch fields.expectation(in: head.regularFields) {
        case .none:
            break
        case .other:
            return answerEarly(stream, status: 417, "only 100-continue is supported")
        case .continue:
            if !block.endStream && head.contentLength != 0 {
                // RFC 9110 §10.1.1: the client may wait for this before sending the body.
                let buffers = takeBuffers()
                HTTP2ResponseHead(status: 100).append(
                    streamID: id, endStream: false, common: commonFields, encoder: &encoder,
                    maxFrameSize: scheduler.maxFrameSize, block: &buffers.headerBlock, into: &buffers.output)
            }
        }
        if block.endStream {
            do throws(HTTP2Violation) { try stream.bodyCounter.end() } catch { return malformed(stream, error) }
            dispatch(stream, fields: fields, endStreamOnHeaders: true)
        } else {
            stream.fields = fields
        }
    }

    /// A second field block on a stream: the trailers, which must end it (§8.1).
    private func receiveTrailers(_ stream: HTTP2Stream, _ block: HTTP2HeaderBlock, _ status: HPACKBlockStatus,
                                 _ fields: DecodedFieldList) {
        switch verdict(stream.id, block.endStream ? .headersEndStream : .headers) {
        case .reject(let violation): return reject(violation)
        case .discard: return
        case .accept: break
        }
        guard stream.phase == .receivingBody else { return finishIfClosed(stream) }
        guard block.endStream else {
            return malformed(stream, .stream(stream.id, "trailers-without-end-stream", .protocolError, "RFC 9113 §8.1"))
        }
        if case .headerListTooLarge = status {
            worker.http2Note(.flood(.hpackBomb))
            return answerEarly(stream, status: 431, "trailer section too large")
        }
        do throws(HTTP2Violation) {
            try H2RequestValidator.validateTrailers(fields, streamID: stream.id)
            try stream.bodyCounter.end()
        } catch {
            return malformed(stream, error)
        }
        stream.trailers = fields
        dispatch(stream, fields: stream.fields, endStreamOnHeaders: false)
    }

    /// §8.1.1: a malformed request is a stream error PROTOCOL_ERROR; the connection keeps serving.
    func malformed(_ stream: HTTP2Stream, _ violation: HTTP2Violation) {
        worker.noteRejection()
        worker.http2Note(.malformedRequests)
        resetStream(stream.id, violation.code)
    }

    /// A refusal answered on the stream before (or instead of) the whole request: the status, then,
    /// if the client is still sending, RST_STREAM NO_ERROR (§8.1).
    func answerEarly(_ stream: HTTP2Stream, status: Int, _ detail: String) {
        worker.noteRejection()
        stream.phase = .answeredEarly
        stream.fields = DecodedFieldList(byteCapacity: 0, fieldCapacity: 0)
        stream.body = []
        worker.requestStarted()
        respond(stream, Response.text(status, "\(status) \(ResponseEncoder.reasonPhrase(status)): \(detail)\n"))
    }

    /// Uploads that stalled past the body timeout get 408, as in HTTP/1.1.
    func answerStalledUploads() {
        for stream in streams.values where stream.phase == .receivingBody {
            answerEarly(stream, status: 408, "request timeout: the body did not arrive in time")
        }
    }

    // MARK: - The application

    func dispatch(_ stream: HTTP2Stream, fields: DecodedFieldList, endStreamOnHeaders: Bool) {
        stream.phase = .handling
        worker.requestStarted()
        let pending = PendingResponse(sink: self, sequence: UInt64(stream.id))
        let response: Response? = fields.bytes.withUnsafeBytes { fieldBytes in
            stream.body.withUnsafeBytes { body in
                stream.trailers.bytes.withUnsafeBytes { trailerBytes in
                    let request = RequestView(http2: stream.head, list: fields, fieldBytes: fieldBytes,
                                              endStream: endStreamOnHeaders, body: body, trailers: stream.trailers,
                                              trailerBytes: trailerBytes, scheme: transport.scheme)
                    if let prebuilt = worker.application.prebuiltResponse(for: request) {
                        respond(stream, prebuilt)
                        return nil
                    }
                    return worker.application.handle(request, pending: pending)
                }
            }
        }
        // The request is done with: a late answer needs none of it.
        stream.fields = DecodedFieldList(byteCapacity: 0, fieldCapacity: 0)
        stream.body = []
        stream.trailers = DecodedFieldList(byteCapacity: 0, fieldCapacity: 0)
        if let response { respond(stream, response) }
    }

    /// A late answer (after a timer) for stream `sequence`.
    func deliver(_ response: Response, sequence: UInt64) {
        guard !lifecycle.isClosed, let stream = streams[UInt32(truncatingIfNeeded: sequence)], stream.phase == .handling
        else { return }
        respond(stream, response)
        writeOut()
        settle()
    }

    // MARK: - Responses

    var commonFields: HTTP2ResponseHead.CommonFields {
        HTTP2ResponseHead.CommonFields(date: Array(worker.date.line.dropFirst(6).dropLast(2)), server: Self.serverName,
                                       worker: worker.workerHeaderValue)
    }

    static let serverName = Array("cathammer".utf8)

    func respond(_ stream: HTTP2Stream, _ prebuilt: PrebuiltResponse) {
        var response = Response(status: prebuilt.status, contentType: "\(prebuilt.contentType)", body: prebuilt.body)
        response.omitBody = false
        respond(stream, response)
    }

    func respond(_ stream: HTTP2Stream, _ response: Response) {
        let early = stream.phase == .answeredEarly
        if !early { stream.phase = .responding }
        // 1xx, 204 and 304 carry no content and no content-length (RFC 9110 §8.6).
        let bodyless = response.status == 204 || response.status == 304 || response.status < 200
        let length = response.file?.length ?? response.body.count
        let sendsBody = !stream.isHead && !bodyless && !response.omitBody && length > 0
        let head = HTTP2ResponseHead(status: response.status, fields: response.headers,
                                     contentLength: bodyless ? nil : length)
        let buffers = takeBuffers()
        head.append(streamID: stream.id, endStream: !sendsBody, common: commonFields, encoder: &encoder,
                    maxFrameSize: scheduler.maxFrameSize, block: &buffers.headerBlock, into: &buffers.output)
        stream.status = response.status
        worker.requestFinished()
        if worker.config.accessLog || worker.config.memoryReport {
            worker.logRequest(method: "h2", target: "stream \(stream.id)", status: response.status, bodyBytes: length,
                              startedAt: stream.startedAt)
        }
        if sendsBody {
            sent(.headers, on: stream)
            if let file = response.file {
                stream.responseFile = file
                transport.fileResponseStarted(throughSendFile: false)
            } else {
                stream.responseBody = response.body
            }
            scheduler.enqueue(stream.id, count: length)
        } else {
            sent(.headersEndStream, on: stream)
            responseComplete(stream)
        }
    }

    /// END_STREAM is out. A client still sending is told to stop without error (§8.1).
    func responseComplete(_ stream: HTTP2Stream) {
        if !stream.requestEnded {
            HTTP2FrameEncoder.appendRSTStream(streamID: stream.id, errorCode: .noError, into: &takeBuffers().output)
            sent(.rstStream, on: stream)
        }
        finishIfClosed(stream)
    }
}

extension DecodedFieldList {
    enum Expectation { case none, `continue`, other }

    /// What the request's `expect` fields ask (RFC 9110 §10.1.1), among the regular fields `range`.
    func expectation(in range: Range<Int>) -> Expectation {
        var found = Expectation.none
        bytes.withUnsafeBytes { all in
            for line in fields[range] where line.known == .expect {
                let value = UnsafeRawBufferPointer(rebasing: all[line.value])
                found = ASCII.equalsLowercase(value, "100-continue") && found != .other ? .continue : .other
            }
        }
        return found
    }
}
