/// A strict, incremental HTTP/2 frame reader (RFC 9113 §3.4, §4, §6) for one direction of a connection.
///
/// Bytes arrive in chunks of any size. A frame that lies whole inside a chunk is handed out in place;
/// one split across chunks is gathered in a buffer the parser keeps, so no frame allocates once the
/// buffer has grown to the largest frame seen. Every rule is judged on bytes of the stream alone (the
/// frame header as soon as its 9 bytes are there, the payload once complete), never on where a chunk
/// ended, so the events are the same for every split of the input.
///
/// Use: call `next(_:at:)` with the chunk and an offset into it until it answers `.needMore`; or call
/// `feed(_:_:)`. Pointers in an event are valid until the next call.
public struct HTTP2FrameParser: Sendable {
    public private(set) var configuration: HTTP2FrameParserConfiguration
    /// The connection error that stopped the parser, if any.
    public private(set) var violation: HTTP2Violation?
    /// Bytes of the stream consumed so far (the preface included); where a report points.
    public private(set) var streamOffset = 0

    private var stage: Stage
    /// The header of the frame whose payload is being read or skipped.
    var header = HTTP2FrameHeader(length: 0, type: .data, streamID: 0)
    /// A frame header or payload split across chunks, gathered here.
    var partial = ReusableBytes()
    var skipRemaining = 0
    var awaitingFirstSettings = true
    var assembler: HTTP2HeaderBlockAssembler

    private enum Stage: Sendable {
        case preface(matched: Int)
        case header
        case payload
        case skip
        case failed
    }

    public init(configuration: HTTP2FrameParserConfiguration) {
        self.configuration = configuration
        stage = configuration.role == .server ? .preface(matched: 0) : .header
        assembler = HTTP2HeaderBlockAssembler(maxBlockBytes: configuration.maxHeaderBlockBytes,
                                              maxContinuationFrames: configuration.maxContinuationFrames)
    }

    public init(role: HTTP2Role) {
        self.init(configuration: HTTP2FrameParserConfiguration(role: role))
    }

    /// Call when the peer acknowledged a new SETTINGS_MAX_FRAME_SIZE of ours: frames after the ACK may
    /// use it. The value is ours, so an out-of-range one is our bug.
    public mutating func setMaxFrameSize(_ size: UInt32) {
        precondition(size >= HTTP2SettingsLimits.defaultMaxFrameSize && size <= HTTP2SettingsLimits.largestMaxFrameSize,
                     "SETTINGS_MAX_FRAME_SIZE must be within 16384...16777215 (RFC 9113 §6.5.2)")
        configuration.maxFrameSize = size
    }

    /// Call when the peer acknowledged SETTINGS_ENABLE_PUSH = 0 (client role, §6.6).
    public mutating func setAcceptsPushPromise(_ accepts: Bool) {
        configuration.acceptsPushPromise = accepts && configuration.role == .client
    }

    /// True when no frame, preface or field block is in progress: a peer closing now cut nothing short.
    public var isBetweenFrames: Bool {
        guard violation == nil, !assembler.isAssembling, partial.count == 0 else { return false }
        if case .header = stage { return true }
        return false
    }

    /// True while a field block waits for its CONTINUATION frames: the time a server should bound with
    /// a deadline, since the limits on size and frame count do not stop a slow trickle.
    public var isInsideHeaderBlock: Bool { assembler.isAssembling }

    /// Calls `handle` for every event the chunk completes, until the chunk is used up or the connection
    /// fails. Returns the connection error, if any.
    @discardableResult
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ handle: (HTTP2FrameEvent) -> Void) -> HTTP2Violation? {
        var offset = 0
        while true {
            let event = next(chunk, at: &offset)
            switch event {
            case .needMore:
                return nil
            case .connectionError(let violation):
                handle(event)
                return violation
            default:
                handle(event)
            }
        }
    }

    /// Parses from `input[offset...]`, advances `offset` past what it used, and returns the next event.
    /// `.needMore` means all of `input` has been used; after `.connectionError` the rest is not read.
    public mutating func next(_ input: UnsafeRawBufferPointer, at offset: inout Int) -> HTTP2FrameEvent {
        precondition(offset >= 0 && offset <= input.count, "offset outside the chunk")
        if let violation { return .connectionError(violation) }
        let entry = offset
        defer { streamOffset += offset - entry }
        while true {
            let available = input.count - offset
            switch stage {
            case .failed:
                return .connectionError(violation!)

            case .preface(let matched):
                guard available > 0, let base = input.baseAddress else { return .needMore }
                let preface = HTTP2ConnectionPreface.bytes
                var index = matched
                while index < preface.count && offset < input.count {
                    if base.load(fromByteOffset: offset, as: UInt8.self) != preface[index] {
                        return fail(.connection("bad-connection-preface", .protocolError, "RFC 9113 §3.4"))
                    }
                    index += 1
                    offset += 1
                }
                stage = index == preface.count ? .header : .preface(matched: index)

            case .skip:
                let n = min(skipRemaining, available)
                skipRemaining -= n
                offset += n
                guard skipRemaining == 0 else { return .needMore }
                stage = .header

            case .header:
                guard available > 0, let base = input.baseAddress else { return .needMore }
                if partial.count == 0 && available >= HTTP2FrameHeader.size {
                    header = HTTP2FrameHeader(decoding: base + offset)
                    offset += HTTP2FrameHeader.size
                } else {
                    let n = min(HTTP2FrameHeader.size - partial.count, available)
                    partial.append(UnsafeRawBufferPointer(start: base + offset, count: n))
                    offset += n
                    if partial.count < HTTP2FrameHeader.size { return .needMore }
                    header = HTTP2FrameHeader(decoding: partial.bytes.baseAddress!)
                    partial.removeAll()
                }
                if let violation = judge(header) {
                    if violation.isConnectionError { return fail(violation) }
                    skipRemaining = Int(header.length)
                    stage = .skip
                    return .streamError(violation, header)
                }
                stage = .payload

            case .payload:
                let length = Int(header.length)
                let payload: UnsafeRawBufferPointer
                if partial.count == 0 && available >= length {
                    payload = UnsafeRawBufferPointer(start: input.baseAddress.map { $0 + offset }, count: length)
                    offset += length
                } else {
                    guard available > 0, let base = input.baseAddress else { return .needMore }
                    let n = min(length - partial.count, available)
                    partial.append(UnsafeRawBufferPointer(start: base + offset, count: n))
                    offset += n
                    if partial.count < length { return .needMore }
                    payload = partial.bytes
                    partial.removeAll()
                }
                stage = .header
                if let event = complete(header, payload) {
                    if case .connectionError(let violation) = event { return fail(violation) }
                    return event
                }
            }
        }
    }

    /// Stops the parser; `offset` stays where the violation was found, so `streamOffset` points at it.
    private mutating func fail(_ violation: HTTP2Violation) -> HTTP2FrameEvent {
        self.violation = violation
        stage = .failed
        return .connectionError(violation)
    }
}
