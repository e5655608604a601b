import HTTP2Wire

/// Cuts a byte stream into frames by their 9-octet headers alone, checking nothing, so that a frame a
/// strict parser refuses does not hide the ones behind it (a GOAWAY after a malformed frame is still
/// found). Used on what the server sent, on what a case sent, and by the fuzzer's frame mutators.
struct H2FrameSplitter {
    struct RawFrame: Sendable, Equatable {
        var length: Int
        var type: UInt8
        var flags: UInt8
        /// The stream identifier with the reserved bit cleared.
        var streamID: UInt32
        var reservedBit: Bool
        var payload: [UInt8]

        var frameType: HTTP2FrameType { HTTP2FrameType(rawValue: type) }
        func has(_ flag: HTTP2FrameFlags) -> Bool { flags & flag.rawValue != 0 }

        var bytes: [UInt8] {
            var out: [UInt8] = []
            HTTP2FrameEncoder.appendRawFrame(length: UInt32(min(length, Int(HTTP2FrameHeader.maxLength))), type: type, flags: flags,
                                             streamWord: streamID | (reservedBit ? 0x8000_0000 : 0), payload: payload, into: &out)
            return out
        }

        func word(at offset: Int) -> UInt32? {
            guard payload.count >= offset + 4 else { return nil }
            return UInt32(payload[offset]) << 24 | UInt32(payload[offset + 1]) << 16 | UInt32(payload[offset + 2]) << 8
                | UInt32(payload[offset + 3])
        }
    }

    private(set) var pending: [UInt8] = []

    /// Adds bytes and returns the frames they complete.
    mutating func feed(_ bytes: [UInt8]) -> [RawFrame] {
        pending += bytes
        var frames: [RawFrame] = []
        var offset = 0
        while pending.count - offset >= 9 {
            let length = Int(pending[offset]) << 16 | Int(pending[offset + 1]) << 8 | Int(pending[offset + 2])
            guard pending.count - offset - 9 >= length else { break }
            let word = UInt32(pending[offset + 5]) << 24 | UInt32(pending[offset + 6]) << 16 | UInt32(pending[offset + 7]) << 8
                | UInt32(pending[offset + 8])
            frames.append(RawFrame(length: length, type: pending[offset + 3], flags: pending[offset + 4], streamID: word & 0x7FFF_FFFF,
                                   reservedBit: word & 0x8000_0000 != 0,
                                   payload: Array(pending[(offset + 9)..<(offset + 9 + length)])))
            offset += 9 + length
        }
        pending.removeFirst(offset)
        return frames
    }

    /// Every whole frame in `bytes`, and what is left after the last one.
    static func split(_ bytes: [UInt8]) -> (frames: [RawFrame], rest: [UInt8]) {
        var splitter = H2FrameSplitter()
        let frames = splitter.feed(bytes)
        return (frames, splitter.pending)
    }
}
