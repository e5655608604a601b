/// Concatenates the fragments of one field block (a HEADERS or PUSH_PROMISE frame and its
/// CONTINUATION frames, §4.3) into storage reused from block to block, and bounds the block.
///
/// The bounds answer the CONTINUATION flood (VU#421644, e.g. CVE-2024-27316, CVE-2024-28182): a block
/// that never ends, or that never grows because its CONTINUATION frames are empty, must be stopped by
/// size *and* by frame count. Exceeding either is a connection error ENHANCE_YOUR_CALM (§10.5): the
/// peer broke no rule of the protocol, it exceeded what this endpoint is willing to hold, and that is
/// what the code says. It has to be a connection error, not a stream error, because a field block
/// cannot be skipped without desynchronizing the connection's HPACK state (§4.3).
public struct HTTP2HeaderBlockAssembler: Sendable {
    /// The largest sum of frame payload lengths (padding included) in one block. Counted from frame
    /// headers, so a block is refused before its bytes are buffered.
    public let maxBlockBytes: Int
    /// The most CONTINUATION frames one block may have, empty ones included.
    public let maxContinuationFrames: Int

    private var storage = ReusableBytes()
    private var start: Start?
    private var continuations = 0
    private var announcedBytes = 0

    private struct Start: Sendable {
        var kind: HTTP2HeaderBlock.Kind
        var streamID: UInt32
        var endStream: Bool
        var priority: HTTP2Priority?
        var promisedStreamID: UInt32
        var streamError: HTTP2Violation?
    }

    public init(maxBlockBytes: Int = 65_536, maxContinuationFrames: Int = 16) {
        self.maxBlockBytes = maxBlockBytes
        self.maxContinuationFrames = maxContinuationFrames
    }

    /// The stream of the block being assembled; nil between blocks.
    public var streamID: UInt32? { start?.streamID }
    public var isAssembling: Bool { start != nil }

    /// Judges the header of the frame that would start a block.
    public func admitFirstFrame(payloadLength: UInt32) -> HTTP2Violation? {
        guard Int(payloadLength) <= maxBlockBytes else {
            return .connection("header-block-too-large", .enhanceYourCalm, "RFC 9113 §10.5")
        }
        return nil
    }

    /// Judges the header of a CONTINUATION frame of the open block.
    public func admitContinuation(payloadLength: UInt32) -> HTTP2Violation? {
        guard continuations < maxContinuationFrames else {
            return .connection("too-many-continuation-frames", .enhanceYourCalm, "RFC 9113 §10.5")
        }
        guard announcedBytes + Int(payloadLength) <= maxBlockBytes else {
            return .connection("header-block-too-large", .enhanceYourCalm, "RFC 9113 §10.5")
        }
        return nil
    }

    /// Opens a block with the first frame's fragment (copied).
    public mutating func begin(
        _ kind: HTTP2HeaderBlock.Kind, streamID: UInt32, endStream: Bool, priority: HTTP2Priority?,
        promisedStreamID: UInt32, streamError: HTTP2Violation?, payloadLength: UInt32,
        fragment: UnsafeRawBufferPointer
    ) {
        start = Start(kind: kind, streamID: streamID, endStream: endStream, priority: priority,
                      promisedStreamID: promisedStreamID, streamError: streamError)
        continuations = 0
        announcedBytes = Int(payloadLength)
        storage.removeAll()
        storage.append(fragment)
    }

    /// Adds a CONTINUATION fragment (copied).
    public mutating func append(continuation fragment: UnsafeRawBufferPointer) {
        precondition(start != nil, "CONTINUATION appended with no open block")
        continuations += 1
        announcedBytes += fragment.count
        storage.append(fragment)
    }

    /// Closes the block. Its bytes stay valid until the next `begin`.
    public mutating func finish() -> HTTP2HeaderBlock {
        guard let start else { preconditionFailure("finish with no open block") }
        self.start = nil
        return HTTP2HeaderBlock(
            kind: start.kind, streamID: start.streamID, endStream: start.endStream, priority: start.priority,
            promisedStreamID: start.promisedStreamID, fieldBlock: storage.bytes,
            continuationFrames: continuations, streamError: start.streamError)
    }
}
