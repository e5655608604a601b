/// The checks that need a complete payload, and its interpretation (RFC 9113 §5.3.1, §6).
extension HTTP2FrameParser {
    /// Interprets a payload whose header passed `judge`. Returns nil when the frame only fed an open
    /// field block.
    mutating func complete(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) -> HTTP2FrameEvent? {
        let stream = header.streamID
        let flags = header.flags
        // A zero-length payload may come with a nil base address; the checks in `judge` guarantee that
        // every read below is within `payload.count`, which is then at least the bytes read.
        let p = payload.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        switch header.type {
        case .data:
            var start = 0
            var end = payload.count
            if flags.contains(.padded) {
                let padLength = Int(p.load(as: UInt8.self))
                // §6.1: "If the length of the padding is the length of the frame payload or greater".
                guard padLength < payload.count else {
                    return .connectionError(.connection("data-padding-too-long", .protocolError, "RFC 9113 §6.1"))
                }
                start = 1
                end -= padLength
            }
            return .frame(HTTP2Frame(header: header, payload: payload,
                                     content: .data(slice(payload, start, end), endStream: flags.contains(.endStream))))

        case .headers, .pushPromise:
            let isHeaders = header.type == .headers
            var start = 0
            var padLength = 0
            if flags.contains(.padded) {
                padLength = Int(p.load(as: UInt8.self))
                start = 1
            }
            var priority: HTTP2Priority?
            var promised: UInt32 = 0
            var streamError: HTTP2Violation?
            if isHeaders && flags.contains(.priority) {
                let fields = HTTP2Priority(decoding: p + start)
                start += 5
                if fields.dependency == stream {
                    streamError = .stream(stream, "stream-depends-on-itself", .protocolError, "RFC 9113 §5.3.1")
                }
                priority = fields
            } else if !isHeaders {
                promised = readUInt32(p + start) & HTTP2FrameHeader.streamIDMask
                start += 4
            }
            // §6.2, §6.6: padding may not eat into the fixed fields; an empty fragment is allowed.
            guard padLength <= payload.count - start else {
                let reason = isHeaders ? "headers-padding-too-long" : "push-promise-padding-too-long"
                return .connectionError(.connection(reason, .protocolError, isHeaders ? "RFC 9113 §6.2" : "RFC 9113 §6.6"))
            }
            let fragment = slice(payload, start, payload.count - padLength)
            let kind: HTTP2HeaderBlock.Kind = isHeaders ? .headers : .pushPromise
            let endStream = isHeaders && flags.contains(.endStream)
            if flags.contains(.endHeaders) {
                return .headerBlock(HTTP2HeaderBlock(
                    kind: kind, streamID: stream, endStream: endStream, priority: priority,
                    promisedStreamID: promised, fieldBlock: fragment, continuationFrames: 0, streamError: streamError))
            }
            assembler.begin(kind, streamID: stream, endStream: endStream, priority: priority,
                            promisedStreamID: promised, streamError: streamError, payloadLength: header.length,
                            fragment: fragment)
            return nil

        case .continuation:
            assembler.append(continuation: payload)
            return flags.contains(.endHeaders) ? .headerBlock(assembler.finish()) : nil

        case .priority:
            let priority = HTTP2Priority(decoding: p)
            if priority.dependency == stream {
                return .streamError(.stream(stream, "stream-depends-on-itself", .protocolError, "RFC 9113 §5.3.1"), header)
            }
            return .frame(HTTP2Frame(header: header, payload: payload, content: .priority(priority)))

        case .rstStream:
            return .frame(HTTP2Frame(header: header, payload: payload,
                                     content: .rstStream(HTTP2ErrorCode(rawValue: readUInt32(p)))))

        case .settings:
            if flags.contains(.ack) {
                return .frame(HTTP2Frame(header: header, payload: payload, content: .settingsAck))
            }
            let settings = HTTP2SettingsPayload(bytes: payload)
            for setting in settings {
                if let violation = setting.violation(receivedBy: configuration.role) {
                    return .connectionError(violation)
                }
            }
            return .frame(HTTP2Frame(header: header, payload: payload, content: .settings(settings)))

        case .ping:
            let opaque = UInt64(readUInt32(p)) << 32 | UInt64(readUInt32(p + 4))
            return .frame(HTTP2Frame(header: header, payload: payload,
                                     content: .ping(opaqueData: opaque, ack: flags.contains(.ack))))

        case .goAway:
            let content = HTTP2FrameContent.goAway(
                lastStreamID: readUInt32(p) & HTTP2FrameHeader.streamIDMask,
                errorCode: HTTP2ErrorCode(rawValue: readUInt32(p + 4)),
                debugData: slice(payload, 8, payload.count))
            return .frame(HTTP2Frame(header: header, payload: payload, content: content))

        case .windowUpdate:
            // §6.9: the top bit is reserved and ignored.
            let increment = readUInt32(p) & 0x7FFF_FFFF
            if increment == 0 {
                if stream == 0 {
                    return .connectionError(.connection("window-update-zero-increment", .protocolError, "RFC 9113 §6.9"))
                }
                return .streamError(.stream(stream, "window-update-zero-increment", .protocolError, "RFC 9113 §6.9"), header)
            }
            return .frame(HTTP2Frame(header: header, payload: payload, content: .windowUpdate(increment: increment)))

        default:
            return .frame(HTTP2Frame(header: header, payload: payload, content: .unknown))
        }
    }

    @inline(__always)
    private func slice(_ payload: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: payload.baseAddress.map { $0 + start }, count: end - start)
    }
}
