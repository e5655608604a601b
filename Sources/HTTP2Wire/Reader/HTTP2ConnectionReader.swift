import HTTPWire

/// Reads one direction of a whole HTTP/2 connection from its bytes alone: the frames, every field
/// block decoded with HPACK, the messages they form per stream, and every violation, the first of
/// which decides a verdict. Pure: no sockets, no clock; the same events for any split of the input.
///
/// In `.requests` mode it reads a client as a server does (preface, frames, requests, RFC 9113 §8.3.1);
/// in `.responses` mode it reads a server as a client does (frames, 1xx and final responses, §8.3.2),
/// taking every odd stream the server answers on as opened by a request it does not see.
///
/// It applies the frame rules (§4, §6, via `HTTP2FrameParser`), HPACK (RFC 7541), stream states and
/// identifiers (§5.1, §5.1.1) and message semantics (§8). It does not judge flow control: a reader of
/// one direction cannot see the WINDOW_UPDATE and SETTINGS frames that open the windows it would
/// hold the peer's DATA against.
public struct HTTP2ConnectionReader: Sendable {
    public enum Mode: Hashable, Sendable {
        /// A client's bytes, preface first: requests.
        case requests
        /// A server's bytes: responses.
        case responses
    }

    public let mode: Mode
    /// Everything found so far, in the order of the bytes.
    public private(set) var events: [HTTP2ReadEvent] = []
    /// The first violation of any scope: what a verdict on the whole input stands on.
    public private(set) var firstViolation: HTTP2Violation?
    /// The connection error that stopped the reader; later bytes are not read.
    public private(set) var connectionViolation: HTTP2Violation?
    /// `.responses`: the streams whose requests were HEAD, so their responses have no content whatever
    /// content-length says (RFC 9110 §9.3.2, RFC 9113 §8.1.1). PUSH_PROMISEs for HEAD add theirs.
    public var headRequestStreams: Set<UInt32> = []

    private var parser: HTTP2FrameParser
    private var decoder: HPACKDecoder
    private var list = DecodedFieldList()
    private var identifiers: HTTP2StreamIdentifiers
    private var streams: [UInt32: StreamRecord] = [:]

    private struct StreamRecord: Sendable {
        var machine: HTTP2StreamStateMachine
        var lifecycle: H2MessageLifecycle
        var message: HTTP2Message

        init(_ id: UInt32, state: HTTP2StreamState = .idle) {
            machine = HTTP2StreamStateMachine(streamID: id, state: state)
            lifecycle = H2MessageLifecycle(streamID: id)
            message = HTTP2Message(streamID: id)
        }
    }

    /// `maxHeaderListSize` bounds one decoded field section (name + value + 32 per field, RFC 9113
    /// §6.5.2); `maxFrameSize` is the SETTINGS_MAX_FRAME_SIZE the reading side is taken to have
    /// advertised; `headerTableSize` the HPACK table size the peer's encoder starts with.
    public init(mode: Mode, maxHeaderListSize: Int = 64 * 1024,
                maxFrameSize: UInt32 = HTTP2SettingsLimits.defaultMaxFrameSize, headerTableSize: Int = 4096) {
        self.mode = mode
        let role: HTTP2Role = mode == .requests ? .server : .client
        parser = HTTP2FrameParser(configuration: HTTP2FrameParserConfiguration(role: role, maxFrameSize: maxFrameSize))
        decoder = HPACKDecoder(headerTableSize: headerTableSize, maxHeaderListSize: maxHeaderListSize)
        identifiers = HTTP2StreamIdentifiers(role: role)
    }

    /// Bytes of the stream consumed so far.
    public var offset: Int { parser.streamOffset }

    /// True when the bytes so far end inside the preface, a frame or a field block.
    public var endsInsideFrame: Bool { connectionViolation == nil && !parser.isBetweenFrames }

    /// Streams whose message has begun or been expected but not ended (no END_STREAM, no reset).
    public var incompleteStreams: [UInt32] {
        streams.filter { !$0.value.lifecycle.phase.isFinished && !$0.value.machine.state.isClosed }.keys.sorted()
    }

    /// The completed messages, in the order they completed.
    public var messages: [HTTP2Message] {
        events.compactMap { if case .message(let message) = $0 { return message } else { return nil } }
    }

    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    public mutating func feed(_ chunk: UnsafeRawBufferPointer) {
        var position = 0
        while connectionViolation == nil {
            switch parser.next(chunk, at: &position) {
            case .needMore: return
            case .connectionError(let violation): failConnection(violation)
            case .frame(let frame): handle(frame)
            case .headerBlock(let block): handle(block)
            case .streamError(let violation, let header): handleFrameStreamError(violation, header)
            }
        }
    }

    // MARK: - Frames

    private mutating func handle(_ frame: HTTP2Frame) {
        let id = frame.streamID
        let detail: HTTP2FrameRecord.Detail
        switch frame.content {
        case .data(let data, let endStream): detail = .data(Array(data), endStream: endStream)
        case .priority(let priority): detail = .priority(priority)
        case .rstStream(let code): detail = .rstStream(code)
        case .settings(let payload): detail = .settings(Array(payload))
        case .settingsAck: detail = .settingsAck
        case .ping(let opaque, let ack): detail = .ping(opaqueData: opaque, ack: ack)
        case .goAway(let last, let code, let debug): detail = .goAway(lastStreamID: last, errorCode: code, debugData: Array(debug))
        case .windowUpdate(let increment): detail = .windowUpdate(increment: increment)
        case .unknown: detail = .unknown
        }
        events.append(.frame(HTTP2FrameRecord(header: frame.header, detail: detail, endOffset: offset)))

        switch frame.content {
        case .data(let data, let endStream):
            guard accepted(verdict(id, endStream ? .dataEndStream : .data)) else { return }
            streams[id]?.message.body.append(contentsOf: data)
            step(id, .data(count: data.count, endStream: endStream))
        case .rstStream:
            guard accepted(verdict(id, .rstStream)) else { return }
            if let phase = streams[id]?.lifecycle.phase, !phase.isFinished || phase == .complete {
                streams[id]!.lifecycle.receive(.reset)
            }
        case .priority:
            _ = accepted(verdict(id, .priority))
        case .windowUpdate where id != 0:
            _ = accepted(verdict(id, .windowUpdate))
        default:
            break
        }
    }

    /// A frame the parser refused for its stream alone (§5.4.2). On a stream the peer never opened it
    /// is a frame on an idle stream, a connection error (§5.1), as the server answers it.
    private mutating func handleFrameStreamError(_ violation: HTTP2Violation, _ header: HTTP2FrameHeader) {
        let id = header.streamID
        let unopened = streams[id] == nil && identifiers.isIdle(id) && !(mode == .responses && id & 1 == 1)
        if unopened && header.type != .priority {
            return failConnection(.connection("frame-on-idle-stream", .protocolError, "RFC 9113 §5.1"))
        }
        streamError(violation)
    }

    // MARK: - Field blocks

    private mutating func handle(_ block: HTTP2HeaderBlock) {
        // The block is decoded whatever becomes of its stream: HPACK state is the connection's (§4.3).
        let status: HPACKBlockStatus
        do throws(HTTP2Violation) {
            status = try decoder.decode(block.fieldBlock, into: &list)
        } catch {
            return failConnection(error)
        }
        var tooLarge: Int?
        if case .headerListTooLarge(let size) = status { tooLarge = size }
        let fields = list.headerFields
        events.append(.fieldBlock(HTTP2FieldBlockRecord(
            kind: block.kind, streamID: block.streamID, endStream: block.endStream, priority: block.priority,
            promisedStreamID: block.promisedStreamID, continuationFrames: block.continuationFrames,
            blockLength: block.fieldBlock.count, fields: fields, representations: list.representations,
            headerListTooLarge: tooLarge, endOffset: offset)))

        switch block.kind {
        case .headers:
            guard accepted(verdict(block.streamID, block.endStream ? .headersEndStream : .headers)) else { return }
            if let violation = block.streamError { return streamError(violation) }
            if let tooLarge { return streamError(Self.listTooLarge(block.streamID, tooLarge)) }
            receiveHeaders(block.streamID, fields, endStream: block.endStream)
        case .pushPromise:
            receivePushPromise(block, fields, tooLarge: tooLarge)
        }
    }

    private mutating func receiveHeaders(_ id: UInt32, _ fields: [HeaderField], endStream: Bool) {
        guard let lifecycle = streams[id]?.lifecycle else { return }
        guard lifecycle.expectsHead else {
            // A second field section: trailers (§8.1).
            guard endStream else { return step(id, .trailers(endStream: false)) }
            do throws(HTTP2Violation) {
                try H2RequestValidator.validateTrailers(list, streamID: id)
            } catch {
                return streamError(error)
            }
            streams[id]!.message.trailers = fields
            streams[id]!.message.request?.trailers = fields
            return step(id, .trailers(endStream: true))
        }
        switch mode {
        case .requests:
            let head: H2RequestHead
            do throws(HTTP2Violation) {
                head = try H2RequestValidator.validateRequest(list, streamID: id)
            } catch {
                return streamError(error)
            }
            streams[id]!.message.head = fields
            streams[id]!.message.request = head.parsedRequest(in: list, endStream: endStream)
            streams[id]!.message.contentLength = head.contentLength
            step(id, .head(contentLength: head.contentLength, endStream: endStream))
        case .responses:
            let head: H2ResponseHead
            do throws(HTTP2Violation) {
                head = try H2ResponseValidator.validateResponse(list, streamID: id, endStream: endStream)
            } catch {
                return streamError(error)
            }
            if head.isInformational {
                streams[id]!.message.informational.append(fields)
                return step(id, .informationalHead)
            }
            streams[id]!.message.head = fields
            streams[id]!.message.status = head.status
            streams[id]!.message.contentLength = head.contentLength
            // RFC 9110 §6.4.1: responses to HEAD, and 204 and 304 responses, have no content whatever
            // content-length says; §8.1.1 lets them carry a non-zero one.
            let hasNoContent = head.status == 204 || head.status == 304 || headRequestStreams.contains(id)
            step(id, .head(contentLength: hasNoContent ? nil : head.contentLength, endStream: endStream))
        }
    }

    /// A server's promise (§8.4): the associated stream must be open, the promised id new and even,
    /// and the promised request complete and valid, or the promised stream is reset (§8.4).
    private mutating func receivePushPromise(_ block: HTTP2HeaderBlock, _ fields: [HeaderField], tooLarge: Int?) {
        switch verdict(block.streamID, .pushPromise) {
        case .reject(let violation): return reject(violation)
        case .discard, .accept: break
        }
        let promised = block.promisedStreamID
        if let violation = identifiers.peerReserves(promised) { return failConnection(violation) }
        var record = StreamRecord(promised)
        if case .reject(let violation) = record.machine.receive(.promised) { return reject(violation) }
        streams[promised] = record
        if let tooLarge { return streamError(Self.listTooLarge(promised, tooLarge)) }
        do throws(HTTP2Violation) {
            let head = try H2RequestValidator.validateRequest(list, streamID: promised)
            if head.knownMethod == .head { headRequestStreams.insert(promised) }
        } catch {
            streamError(error)
        }
    }

    // MARK: - Streams and messages

    /// §5.1's answer to a frame on stream `id`, moving the stream; opens the record of a new stream.
    private mutating func verdict(_ id: UInt32, _ event: HTTP2StreamEvent) -> HTTP2StreamVerdict {
        if streams[id] != nil { return streams[id]!.machine.receive(event) }
        if event == .priority { return .accept(.idle) }
        if mode == .responses && id & 1 == 1 {
            // A client stream: its request went out on the other direction, which this reader does not see.
            var record = StreamRecord(id, state: .open)
            let verdict = record.machine.receive(event)
            streams[id] = record
            return verdict
        }
        guard identifiers.isIdle(id) else {
            // Below the highest id the peer used and never seen: skipped, so closed (§5.1.1).
            return HTTP2StreamStateMachine.verdict(receiving: event, in: .closed(.implicitly), streamID: id)
        }
        if event == .headers || event == .headersEndStream, let violation = identifiers.peerOpens(id) {
            if violation.isConnectionError { return .reject(violation) }
            streams[id] = StreamRecord(id)
            return .reject(violation)
        }
        var record = StreamRecord(id)
        let verdict = record.machine.receive(event)
        if case .accept = verdict { streams[id] = record }
        return verdict
    }

    /// Applies a rejection; true when the frame should be processed further.
    private mutating func accepted(_ verdict: HTTP2StreamVerdict) -> Bool {
        switch verdict {
        case .accept: return true
        case .discard: return false
        case .reject(let violation):
            reject(violation)
            return false
        }
    }

    private mutating func step(_ id: UInt32, _ event: H2MessageEvent) {
        guard streams[id] != nil else { return }
        if let violation = streams[id]!.lifecycle.receive(event) { return streamError(violation) }
        guard streams[id]!.lifecycle.phase == .complete else { return }
        var message = streams[id]!.message
        message.request?.body = message.body
        message.endOffset = offset
        events.append(.message(message))
        streams[id]!.message = HTTP2Message(streamID: id)
    }

    private mutating func reject(_ violation: HTTP2Violation) {
        if violation.isConnectionError { failConnection(violation) } else { streamError(violation) }
    }

    /// A stream error: the stream is reset (§5.4.2) and its message dropped; the connection goes on.
    private mutating func streamError(_ violation: HTTP2Violation) {
        if firstViolation == nil { firstViolation = violation }
        events.append(.streamError(violation, endOffset: offset))
        guard case .stream(let id) = violation.scope, var record = streams[id] else { return }
        if !record.lifecycle.phase.isFinished { record.lifecycle.receive(.malformed) }
        if HTTP2StreamStateMachine.state(afterSending: .rstStream, in: record.machine.state) != nil {
            record.machine.send(.rstStream)
        }
        record.message = HTTP2Message(streamID: id)
        streams[id] = record
    }

    private mutating func failConnection(_ violation: HTTP2Violation) {
        if firstViolation == nil { firstViolation = violation }
        connectionViolation = violation
        events.append(.connectionError(violation, offset: offset))
    }

    /// The reader's own bound on a decoded field section, not a rule of the protocol: §10.5.1 lets an
    /// endpoint refuse a field section larger than it is willing to handle.
    private static func listTooLarge(_ id: UInt32, _ size: Int) -> HTTP2Violation {
        .stream(id, "header-list-too-large", .refusedStream, "RFC 9113 §10.5.1")
    }
}
