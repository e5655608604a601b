/// The checks a frame header allows before its payload is read (RFC 9113 §3.4, §4.2, §4.3, §6).
/// Judging here means a flood or an oversized frame is refused without buffering its payload.
extension HTTP2FrameParser {
    /// Returns the first rule `header` breaks, or nil. A stream-scoped answer means: skip the payload.
    mutating func judge(_ header: HTTP2FrameHeader) -> HTTP2Violation? {
        let type = header.type
        let stream = header.streamID
        let length = header.length

        if awaitingFirstSettings {
            // §3.4: the preface "MUST be followed by a SETTINGS frame"; an ACK cannot be that frame,
            // since it would acknowledge settings the peer has not yet been sent in order.
            guard type == .settings && !header.flags.contains(.ack) else {
                return .connection("preface-not-followed-by-settings", .protocolError, "RFC 9113 §3.4")
            }
            awaitingFirstSettings = false
        }

        // §4.3, §6.10: a field block is a contiguous sequence; nothing may interleave, not even an
        // extension frame that would otherwise be ignored.
        if let blockStream = assembler.streamID {
            guard type == .continuation else {
                return .connection("frame-interrupts-header-block", .protocolError, "RFC 9113 §6.10")
            }
            guard stream == blockStream else {
                return .connection("continuation-on-other-stream", .protocolError, "RFC 9113 §6.10")
            }
        } else if type == .continuation {
            return .connection("continuation-without-header-block", .protocolError, "RFC 9113 §6.10")
        }

        if let violation = streamIdentifierViolation(type, stream) { return violation }

        if type == .pushPromise {
            if configuration.role == .server {
                return .connection("push-promise-from-client", .protocolError, "RFC 9113 §8.4")
            }
            if !configuration.acceptsPushPromise {
                return .connection("push-promise-when-disabled", .protocolError, "RFC 9113 §6.6")
            }
        }

        if length > configuration.maxFrameSize {
            // §4.2: a frame that can alter the state of the whole connection costs the connection; so do
            // RST_STREAM and WINDOW_UPDATE, whose own sections make any wrong length a connection error.
            switch type {
            case .data, .priority:
                return .stream(stream, "frame-larger-than-max-frame-size", .frameSizeError, "RFC 9113 §4.2")
            default:
                if !type.isKnown && stream != 0 {
                    return .stream(stream, "frame-larger-than-max-frame-size", .frameSizeError, "RFC 9113 §4.2")
                }
                return .connection("frame-larger-than-max-frame-size", .frameSizeError, "RFC 9113 §4.2")
            }
        }

        let flags = header.flags
        switch type {
        case .data:
            if flags.contains(.padded) && length < 1 {
                return .connection("data-too-short-for-pad-length", .frameSizeError, "RFC 9113 §6.1")
            }
        case .headers:
            let fixed: UInt32 = (flags.contains(.padded) ? 1 : 0) + (flags.contains(.priority) ? 5 : 0)
            if length < fixed {
                return .connection("headers-too-short-for-fixed-fields", .frameSizeError, "RFC 9113 §6.2")
            }
            if let violation = assembler.admitFirstFrame(payloadLength: length) { return violation }
        case .priority:
            if length != 5 {
                return .stream(stream, "priority-length-not-5", .frameSizeError, "RFC 9113 §6.3")
            }
        case .rstStream:
            if length != 4 {
                return .connection("rst-stream-length-not-4", .frameSizeError, "RFC 9113 §6.4")
            }
        case .settings:
            if flags.contains(.ack) && length != 0 {
                return .connection("settings-ack-with-payload", .frameSizeError, "RFC 9113 §6.5")
            }
            if length % 6 != 0 {
                return .connection("settings-length-not-multiple-of-6", .frameSizeError, "RFC 9113 §6.5")
            }
        case .pushPromise:
            let fixed: UInt32 = (flags.contains(.padded) ? 1 : 0) + 4
            if length < fixed {
                return .connection("push-promise-too-short-for-fixed-fields", .frameSizeError, "RFC 9113 §6.6")
            }
            if let violation = assembler.admitFirstFrame(payloadLength: length) { return violation }
        case .ping:
            if length != 8 {
                return .connection("ping-length-not-8", .frameSizeError, "RFC 9113 §6.7")
            }
        case .goAway:
            if length < 8 {
                return .connection("goaway-too-short", .frameSizeError, "RFC 9113 §6.8")
            }
        case .windowUpdate:
            if length != 4 {
                return .connection("window-update-length-not-4", .frameSizeError, "RFC 9113 §6.9")
            }
        case .continuation:
            if let violation = assembler.admitContinuation(payloadLength: length) { return violation }
        default:
            break
        }
        return nil
    }

    /// The stream identifier each type requires (§6.1–§6.9); extension frames may use any. CONTINUATION
    /// needs no case: it must match its block's stream, which is never 0.
    private func streamIdentifierViolation(_ type: HTTP2FrameType, _ stream: UInt32) -> HTTP2Violation? {
        switch type {
        case .data where stream == 0:
            return .connection("data-on-stream-0", .protocolError, "RFC 9113 §6.1")
        case .headers where stream == 0:
            return .connection("headers-on-stream-0", .protocolError, "RFC 9113 §6.2")
        case .priority where stream == 0:
            return .connection("priority-on-stream-0", .protocolError, "RFC 9113 §6.3")
        case .rstStream where stream == 0:
            return .connection("rst-stream-on-stream-0", .protocolError, "RFC 9113 §6.4")
        case .settings where stream != 0:
            return .connection("settings-on-a-stream", .protocolError, "RFC 9113 §6.5")
        case .pushPromise where stream == 0:
            return .connection("push-promise-on-stream-0", .protocolError, "RFC 9113 §6.6")
        case .ping where stream != 0:
            return .connection("ping-on-a-stream", .protocolError, "RFC 9113 §6.7")
        case .goAway where stream != 0:
            return .connection("goaway-on-a-stream", .protocolError, "RFC 9113 §6.8")
        default:
            return nil
        }
    }
}
