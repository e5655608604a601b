/// Where one HTTP/2 message (request or response) stands on its stream (RFC 9113 §8.1): a header
/// section, then DATA, then optionally a trailer section, and the message is complete at END_STREAM.
public enum H2MessagePhase: Hashable, Sendable, CaseIterable {
    /// Nothing received yet, or (responses) only informational 1xx heads.
    case awaitingHeaders
    /// The head arrived without END_STREAM: DATA frames or a trailer section follow.
    case receivingData
    /// END_STREAM arrived, on the head, a DATA frame or the trailers.
    case complete
    /// A stream error ended the message (the stream is reset).
    case malformed
    /// The peer reset the stream before the message was complete.
    case reset

    public var isFinished: Bool { self == .complete || self == .malformed || self == .reset }
}

/// What arrives on a stream, as far as the message is concerned. The connection reader decides from
/// the phase whether a HEADERS block is a head or trailers, and has validated its fields.
public enum H2MessageEvent: Hashable, Sendable {
    /// The (final) header section; `contentLength` is the declared length to hold the DATA sum
    /// against, or nil (none declared, or a response that has no content whatever it declares).
    case head(contentLength: Int?, endStream: Bool)
    /// A 1xx response head; more heads follow (§8.1).
    case informationalHead
    /// A DATA frame: its data without padding (§6.1: padding is not content).
    case data(count: Int, endStream: Bool)
    /// A second header section: trailers, which must carry END_STREAM (§8.1).
    case trailers(endStream: Bool)
    /// RST_STREAM from the peer.
    case reset
    /// A stream error this side found (a malformed message or a frame refused for its stream).
    case malformed
}

/// The message state machine of one stream: headers → data → trailers → complete, with the
/// content-length held against the sum of DATA payloads (§8.1.1). Peer mistakes come back as stream
/// errors PROTOCOL_ERROR; an event after the message finished is the caller's bug (the stream state
/// machine of §5.1 refuses such frames first), which traps in debug builds.
public struct H2MessageLifecycle: Hashable, Sendable {
    public let streamID: UInt32
    public private(set) var phase: H2MessagePhase = .awaitingHeaders
    public private(set) var declaredLength: Int?
    /// The DATA payload octets received so far, padding excluded.
    public private(set) var receivedLength = 0

    public init(streamID: UInt32) { self.streamID = streamID }

    /// Whether the next HEADERS block on the stream is a head (else it is a trailer section).
    public var expectsHead: Bool { phase == .awaitingHeaders }

    /// Applies one event; returns the stream error it causes, after which the phase is `.malformed`.
    @discardableResult
    public mutating func receive(_ event: H2MessageEvent) -> HTTP2Violation? {
        switch (phase, event) {
        case (.awaitingHeaders, .malformed), (.receivingData, .malformed):
            phase = .malformed
            return nil
        case (.awaitingHeaders, .reset), (.receivingData, .reset):
            phase = .reset
            return nil
        case (.complete, .reset):
            // §5.1: RST_STREAM after END_STREAM is allowed (e.g. a server cancelling its response);
            // the message was already whole.
            return nil

        case (.awaitingHeaders, .informationalHead):
            return nil
        case (.awaitingHeaders, .head(let contentLength, let endStream)):
            declaredLength = contentLength
            phase = .receivingData
            return endStream ? end() : nil
        case (.awaitingHeaders, .data):
            // §8.1: a message is a HEADERS frame, then DATA; DATA first has no header section to frame.
            return malformed("data-before-headers", "§8.1")
        case (.awaitingHeaders, .trailers):
            assertionFailure("stream \(streamID): trailers before a head; the reader asks expectsHead first")
            return malformed("trailers-before-headers", "§8.1")

        case (.receivingData, .data(let count, let endStream)):
            receivedLength += count
            // A body longer than declared is refused at the frame that overruns it (§8.1.1).
            if let declared = declaredLength, receivedLength > declared {
                return malformed("content-length-mismatch", "§8.1.1")
            }
            return endStream ? end() : nil
        case (.receivingData, .trailers(let endStream)):
            // §8.1: "An endpoint that receives a HEADERS frame without the END_STREAM flag set after
            // receiving the HEADERS frame that opens a request or after receiving a final
            // (non-informational) status code MUST treat the corresponding request or response as malformed".
            guard endStream else { return malformed("trailers-without-end-stream", "§8.1") }
            return end()
        case (.receivingData, .head), (.receivingData, .informationalHead):
            assertionFailure("stream \(streamID): a head after the head; the reader asks expectsHead first")
            return malformed("trailers-without-end-stream", "§8.1")

        case (.complete, _), (.malformed, _), (.reset, _):
            assertionFailure("stream \(streamID): \(event) after the message finished (\(phase))")
            return nil
        }
    }

    /// END_STREAM: a body shorter than declared is refused here (§8.1.1), including the HEADERS with
    /// END_STREAM and a non-zero content-length.
    private mutating func end() -> HTTP2Violation? {
        if let declared = declaredLength, receivedLength != declared {
            return malformed("content-length-mismatch", "§8.1.1")
        }
        phase = .complete
        return nil
    }

    private mutating func malformed(_ reason: String, _ section: String) -> HTTP2Violation {
        phase = .malformed
        return H2RequestViolation.make(streamID, reason, section)
    }
}
