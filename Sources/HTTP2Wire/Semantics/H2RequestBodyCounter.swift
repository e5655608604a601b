/// Checks a request body against its declared content-length as the DATA frames arrive
/// (RFC 9113 §8.1.1): a body longer than declared is refused at the frame that overruns it, a
/// shorter one at END_STREAM. The HEADERS+END_STREAM request with a content-length and no DATA
/// (the Netty CVE-2021-21409 shape) is the zero-frame case of the latter.
public struct H2RequestBodyCounter: Sendable, Equatable {
    public let streamID: UInt32
    public let declaredLength: Int?
    public private(set) var received = 0
    public private(set) var ended = false

    public init(streamID: UInt32, declaredLength: Int?) {
        self.streamID = streamID
        self.declaredLength = declaredLength
    }

    public init(_ head: H2RequestHead) {
        self.init(streamID: head.streamID, declaredLength: head.contentLength)
    }

    /// One DATA frame: `payloadLength` without padding (§6.1; padding is not body), and whether it
    /// carried END_STREAM.
    public mutating func receive(payloadLength: Int, endStream: Bool) throws(HTTP2Violation) {
        received += payloadLength
        if let declared = declaredLength, received > declared {
            throw H2RequestViolation.make(streamID, "content-length-mismatch", "§8.1.1")
        }
        if endStream { try end() }
    }

    /// END_STREAM without DATA: on the HEADERS, or on the trailers.
    public mutating func end() throws(HTTP2Violation) {
        ended = true
        if let declared = declaredLength, received != declared {
            throw H2RequestViolation.make(streamID, "content-length-mismatch", "§8.1.1")
        }
    }
}
