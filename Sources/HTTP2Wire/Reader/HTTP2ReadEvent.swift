import HTTPWire

/// A frame other than a field block's, copied out of the parser so it outlives the input.
public struct HTTP2FrameRecord: Hashable, Sendable {
    public enum Detail: Hashable, Sendable {
        /// The data without padding.
        case data([UInt8], endStream: Bool)
        case priority(HTTP2Priority)
        case rstStream(HTTP2ErrorCode)
        case settings([HTTP2Setting])
        case settingsAck
        case ping(opaqueData: UInt64, ack: Bool)
        case goAway(lastStreamID: UInt32, errorCode: HTTP2ErrorCode, debugData: [UInt8])
        case windowUpdate(increment: UInt32)
        /// An extension frame, ignored (§5.5).
        case unknown
    }

    public var header: HTTP2FrameHeader
    public var detail: Detail
    /// The offset just past the frame in the connection's byte stream.
    public var endOffset: Int
}

/// A HEADERS or PUSH_PROMISE frame with its CONTINUATION frames, and the fields HPACK decoded from it.
public struct HTTP2FieldBlockRecord: Hashable, Sendable {
    public var kind: HTTP2HeaderBlock.Kind
    public var streamID: UInt32
    public var endStream: Bool
    public var priority: HTTP2Priority?
    public var promisedStreamID: UInt32
    public var continuationFrames: Int
    /// The length of the field block fragments together (padding and fixed fields excluded).
    public var blockLength: Int
    public var fields: [HeaderField]
    public var representations: [HPACKRepresentation]
    /// Set when the decoded list passed the reader's limit: the fields were dropped (the block was
    /// still decoded, so the connection's HPACK state stays in step).
    public var headerListTooLarge: Int?
    public var endOffset: Int
}

/// A complete message of one stream: a request (server's view) or a response (client's view).
public struct HTTP2Message: Equatable, Sendable {
    public var streamID: UInt32
    /// Responses: the 1xx heads before the final one, each with its pseudo-header.
    public var informational: [[HeaderField]] = []
    /// The header section as decoded, pseudo-headers first.
    public var head: [HeaderField] = []
    /// Responses: the final status.
    public var status: Int?
    /// Requests: the request as HTTP/1.1 applications see it (`ParsedRequest`, version HTTP/2), with
    /// its body and trailers.
    public var request: ParsedRequest?
    public var contentLength: Int?
    public var body: [UInt8] = []
    public var trailers: [HeaderField] = []
    public var endOffset = 0

    public init(streamID: UInt32) { self.streamID = streamID }
}

/// What the connection reader found, in stream order.
public enum HTTP2ReadEvent: Equatable, Sendable {
    case frame(HTTP2FrameRecord)
    case fieldBlock(HTTP2FieldBlockRecord)
    case message(HTTP2Message)
    /// A rule broken that costs one stream (§5.4.2); reading goes on.
    case streamError(HTTP2Violation, endOffset: Int)
    /// A rule broken that ends the connection (§5.4.1); nothing after it is read.
    case connectionError(HTTP2Violation, offset: Int)
}
