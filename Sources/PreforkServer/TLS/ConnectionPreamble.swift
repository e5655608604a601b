/// What the first byte on an HTTPS port says, read with MSG_PEEK before OpenSSL sees anything, so a
/// plain HTTP request can be answered in plain text (as nginx does) instead of with a TLS alert the
/// client cannot show.
enum ConnectionPreamble: Equatable {
    /// A TLS handshake record (content type 22, RFC 8446 §5.1): the ClientHello.
    case tlsHandshake
    /// An upper-case letter, as every request method on the wire starts (RFC 9110 §9.1: methods
    /// are case-sensitive tokens, and the registered ones are upper case).
    case plainHTTP
    /// Anything else: not a client this port can talk to.
    case garbage

    static let handshakeRecordType: UInt8 = 0x16

    init(firstByte: UInt8) {
        switch firstByte {
        case Self.handshakeRecordType: self = .tlsHandshake
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): self = .plainHTTP
        default: self = .garbage
        }
    }
}
