/// Malformed requests (RFC 9113 §8.1.1) are stream errors of type PROTOCOL_ERROR: the connection
/// and its other streams carry on.
enum H2RequestViolation {
    @inline(__always)
    static func make(_ stream: UInt32, _ reason: String, _ section: String) -> HTTP2Violation {
        .stream(stream, reason, .protocolError, "RFC 9113 " + section)
    }
}
