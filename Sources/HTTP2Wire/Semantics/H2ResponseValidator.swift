import HTTPWire

/// Checks a decoded response field section against RFC 9113 §8 (§8.3.2 for the pseudo-header),
/// as a client reads a server. A malformed response is a stream error PROTOCOL_ERROR (§8.1.1).
public enum H2ResponseValidator {
    /// A response head: a 1xx informational one or the final one. `endStream` is the HEADERS frame's
    /// END_STREAM flag, which an informational head may not carry (§8.1).
    public static func validateResponse(_ list: DecodedFieldList, streamID: UInt32,
                                        endStream: Bool) throws(HTTP2Violation) -> H2ResponseHead {
        var head = H2ResponseHead(streamID: streamID)
        let violation: HTTP2Violation? = list.bytes.withUnsafeBytes { all in
            checkResponse(list, all, endStream: endStream, &head)
        }
        if let violation { throw violation }
        return head
    }

    private static func checkResponse(_ list: DecodedFieldList, _ all: UnsafeRawBufferPointer, endStream: Bool,
                                      _ head: inout H2ResponseHead) -> HTTP2Violation? {
        let stream = head.streamID
        var status: Int?
        var contentLength = H2ContentLength()
        var firstRegular: Int?
        for index in 0..<list.fields.count {
            let line = list.fields[index]
            let name = UnsafeRawBufferPointer(rebasing: all[line.name])
            let value = UnsafeRawBufferPointer(rebasing: all[line.value])
            if name.first == ASCII.colon {
                // §8.3: "All pseudo-header fields MUST appear in a field block before all regular field lines".
                if firstRegular != nil { return H2RequestViolation.make(stream, "pseudo-header-after-field", "§8.3") }
                switch PseudoHeader.classify(name) {
                case .status:
                    // §8.3: "The same pseudo-header field name MUST NOT appear more than once in a field block".
                    guard status == nil else { return H2RequestViolation.make(stream, "pseudo-header-duplicate", "§8.3") }
                    guard let code = threeDigits(value) else {
                        return H2RequestViolation.make(stream, "status-invalid", "§8.3.2")
                    }
                    status = code
                case .method, .scheme, .authority, .path:
                    // §8.3: "Pseudo-header fields defined for requests MUST NOT appear in responses".
                    return H2RequestViolation.make(stream, "pseudo-header-request-in-response", "§8.3")
                case .unknown:
                    return H2RequestViolation.make(stream, "pseudo-header-unknown", "§8.3")
                }
                continue
            }
            if firstRegular == nil { firstRegular = index }
            if let broken = H2FieldRules.checkName(name, stream: stream) { return broken }
            if let broken = H2FieldRules.checkValue(value, stream: stream) { return broken }
            switch H2FieldRules.classify(name, known: line.known) {
            case .connectionSpecific:
                return H2RequestViolation.make(stream, "connection-specific-field", "§8.2.2")
            case .te:
                if !H2FieldRules.isTrailersOnly(value) { return H2RequestViolation.make(stream, "te-not-trailers", "§8.2.2") }
            case .contentLength:
                contentLength.read(value, stream: stream)
            default:
                break
            }
        }
        // §8.3.2: "This pseudo-header field MUST be included in all responses".
        guard let status else { return H2RequestViolation.make(stream, "status-missing", "§8.3.2") }
        head.status = status
        head.regularFields = (firstRegular ?? list.fields.count)..<list.fields.count
        if let broken = contentLength.violation { return broken }
        head.contentLength = contentLength.value
        // §8.1: "A HEADERS frame with the END_STREAM flag set that carries an informational status code
        // is malformed".
        if head.isInformational && endStream {
            return H2RequestViolation.make(stream, "informational-response-end-stream", "§8.1")
        }
        return nil
    }

    /// A status code is three digits (RFC 9110 §15); the valid ones lie in 100...599.
    private static func threeDigits(_ value: UnsafeRawBufferPointer) -> Int? {
        guard value.count == 3 else { return nil }
        var code = 0
        for byte in value {
            guard byte &- 0x30 < 10 else { return nil }
            code = code * 10 + Int(byte - 0x30)
        }
        return code >= 100 && code <= 599 ? code : nil
    }
}
