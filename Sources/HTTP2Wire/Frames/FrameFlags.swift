/// The flag bits of the frame header (RFC 9113 §4.1). The same bit means different things for
/// different types (0x1 is END_STREAM on DATA/HEADERS and ACK on SETTINGS/PING), so a flag is only
/// meaningful together with the type; bits a type does not define are ignored on receipt (§4.1).
public struct HTTP2FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let endStream = HTTP2FrameFlags(rawValue: 0x1)
    public static let ack = HTTP2FrameFlags(rawValue: 0x1)
    public static let endHeaders = HTTP2FrameFlags(rawValue: 0x4)
    public static let padded = HTTP2FrameFlags(rawValue: 0x8)
    public static let priority = HTTP2FrameFlags(rawValue: 0x20)
}
