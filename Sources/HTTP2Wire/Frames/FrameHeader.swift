/// The 9-octet frame header of RFC 9113 §4.1.
public struct HTTP2FrameHeader: Hashable, Sendable, CustomStringConvertible {
    public static let size = 9
    /// The largest value the 24-bit length field can carry (§4.1), and so the largest
    /// SETTINGS_MAX_FRAME_SIZE (§6.5.2).
    public static let maxLength: UInt32 = 0xFF_FFFF
    /// Stream identifiers are 31 bits; the top bit is reserved (§4.1).
    public static let streamIDMask: UInt32 = 0x7FFF_FFFF

    public var length: UInt32
    public var type: HTTP2FrameType
    public var flags: HTTP2FrameFlags
    /// The stream identifier with the reserved bit cleared: it "MUST remain unset (0x0) when sending
    /// and MUST be ignored when receiving" (§4.1).
    public var streamID: UInt32

    public init(length: UInt32, type: HTTP2FrameType, flags: HTTP2FrameFlags = [], streamID: UInt32) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }

    /// Decodes the 9 bytes at `p`; the caller guarantees they are there.
    @inline(__always)
    init(decoding p: UnsafeRawPointer) {
        length = UInt32(p.load(fromByteOffset: 0, as: UInt8.self)) << 16
            | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 8
            | UInt32(p.load(fromByteOffset: 2, as: UInt8.self))
        type = HTTP2FrameType(rawValue: p.load(fromByteOffset: 3, as: UInt8.self))
        flags = HTTP2FrameFlags(rawValue: p.load(fromByteOffset: 4, as: UInt8.self))
        streamID = readUInt32(p + 5) & Self.streamIDMask
    }

    public var description: String {
        "\(type) length=\(length) flags=0x\(String(flags.rawValue, radix: 16)) stream=\(streamID)"
    }
}

/// A big-endian 32-bit integer at `p`, which need not be aligned.
@inline(__always)
func readUInt32(_ p: UnsafeRawPointer) -> UInt32 {
    UInt32(p.load(fromByteOffset: 0, as: UInt8.self)) << 24
        | UInt32(p.load(fromByteOffset: 1, as: UInt8.self)) << 16
        | UInt32(p.load(fromByteOffset: 2, as: UInt8.self)) << 8
        | UInt32(p.load(fromByteOffset: 3, as: UInt8.self))
}
