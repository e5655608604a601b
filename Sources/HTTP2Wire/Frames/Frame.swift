/// A complete, validated frame other than HEADERS, PUSH_PROMISE and CONTINUATION (which arrive
/// as one `HTTP2HeaderBlock`). Pointers inside are valid until the next call into the parser.
public struct HTTP2Frame {
    public let header: HTTP2FrameHeader
    /// The whole payload as received, padding and fixed fields included.
    public let payload: UnsafeRawBufferPointer
    public let content: HTTP2FrameContent

    public var streamID: UInt32 { header.streamID }
}

/// The interpreted payload of a frame.
public enum HTTP2FrameContent {
    /// The data without Pad Length and padding. The flow-controlled length is `header.length`: padding
    /// counts (§6.1).
    case data(UnsafeRawBufferPointer, endStream: Bool)
    case priority(HTTP2Priority)
    case rstStream(HTTP2ErrorCode)
    case settings(HTTP2SettingsPayload)
    case settingsAck
    case ping(opaqueData: UInt64, ack: Bool)
    case goAway(lastStreamID: UInt32, errorCode: HTTP2ErrorCode, debugData: UnsafeRawBufferPointer)
    case windowUpdate(increment: UInt32)
    /// An extension frame: "Implementations MUST ignore and discard frames of unknown types" (§5.5).
    /// Handed out so a connection can count such frames against a flood limit.
    case unknown
}

/// The RFC 7540 priority fields of PRIORITY frames and HEADERS with the PRIORITY flag (RFC 9113 §5.3.2,
/// §6.3). Deprecated as a signal, still parsed for the checks that remain.
public struct HTTP2Priority: Hashable, Sendable {
    public var exclusive: Bool
    public var dependency: UInt32
    /// The weight field as sent: the weight is this plus one.
    public var weight: UInt8

    public init(exclusive: Bool = false, dependency: UInt32, weight: UInt8 = 15) {
        self.exclusive = exclusive
        self.dependency = dependency
        self.weight = weight
    }

    init(decoding p: UnsafeRawPointer) {
        let word = readUInt32(p)
        exclusive = word & 0x8000_0000 != 0
        dependency = word & HTTP2FrameHeader.streamIDMask
        weight = p.load(fromByteOffset: 4, as: UInt8.self)
    }
}

/// A complete field block: one HEADERS or PUSH_PROMISE frame and the CONTINUATION frames that ended it,
/// with padding and priority fields removed, ready for the HPACK decoder.
public struct HTTP2HeaderBlock {
    public enum Kind: Hashable, Sendable { case headers, pushPromise }

    public let kind: Kind
    public let streamID: UInt32
    /// END_STREAM of the HEADERS frame (PUSH_PROMISE has none).
    public let endStream: Bool
    /// The priority fields of a HEADERS frame with the PRIORITY flag.
    public let priority: HTTP2Priority?
    /// The stream a PUSH_PROMISE reserves; 0 for HEADERS.
    public let promisedStreamID: UInt32
    /// The concatenated field block fragments.
    public let fieldBlock: UnsafeRawBufferPointer
    public let continuationFrames: Int
    /// A stream error found in the frame (a self-dependency, §5.3.1). The block must still be decoded,
    /// because HPACK state is shared by the connection (§4.3); then the stream is reset.
    public let streamError: HTTP2Violation?

    public init(kind: Kind, streamID: UInt32, endStream: Bool = false, priority: HTTP2Priority? = nil,
                promisedStreamID: UInt32 = 0, fieldBlock: UnsafeRawBufferPointer, continuationFrames: Int = 0,
                streamError: HTTP2Violation? = nil) {
        self.kind = kind
        self.streamID = streamID
        self.endStream = endStream
        self.priority = priority
        self.promisedStreamID = promisedStreamID
        self.fieldBlock = fieldBlock
        self.continuationFrames = continuationFrames
        self.streamError = streamError
    }
}

/// What one step of the parser produced.
public enum HTTP2FrameEvent {
    /// Everything given has been consumed; more bytes are needed.
    case needMore
    case frame(HTTP2Frame)
    case headerBlock(HTTP2HeaderBlock)
    /// The frame described by the header broke a rule that costs only its stream (§5.4.2): answer with
    /// RST_STREAM. Parsing continues. A DATA frame must still be counted against the connection window
    /// (§6.9: the header's length is its flow-controlled length).
    case streamError(HTTP2Violation, HTTP2FrameHeader)
    /// The connection is unusable (§5.4.1): send GOAWAY and close. Every later call returns the same.
    case connectionError(HTTP2Violation)
}
