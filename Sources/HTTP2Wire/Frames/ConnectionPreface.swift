/// Which end of the connection this endpoint is. It decides what the peer must send first (§3.4)
/// and which frames only one side may send (PUSH_PROMISE, §8.4).
public enum HTTP2Role: Hashable, Sendable {
    /// Reads a client: the 24-octet preface, then a SETTINGS frame.
    case server
    /// Reads a server: a SETTINGS frame first.
    case client
}

/// The client connection preface of RFC 9113 §3.4.
public enum HTTP2ConnectionPreface {
    /// `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`; chosen so that an HTTP/1.1 server rejects it.
    public static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
}
