import HTTP2Wire

/// Where the frames of a client byte stream are, read by their 9-octet headers alone (a mutated
/// length moves every later boundary, as it would for a server). What is left after the last whole
/// frame is the tail. The fuzzer's frame mutators and the minimizer's first pass work on these.
struct H2FrameLayout {
    struct Frame {
        /// Header and payload.
        var range: Range<Int>
        var type: HTTP2FrameType
        var flags: UInt8
        var streamID: UInt32
        var payload: Range<Int> { (range.lowerBound + 9)..<range.upperBound }
        var lengthField: Range<Int> { range.lowerBound..<(range.lowerBound + 3) }
        var typeOffset: Int { range.lowerBound + 3 }
        var flagsOffset: Int { range.lowerBound + 4 }
        var streamField: Range<Int> { (range.lowerBound + 5)..<(range.lowerBound + 9) }
    }

    var frames: [Frame] = []
    /// Bytes after the last whole frame (a frame cut short).
    var tail: Range<Int>

    init(_ bytes: [UInt8]) {
        var offset = 0
        while bytes.count - offset >= 9 {
            let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            guard bytes.count - offset - 9 >= length else { break }
            let word = UInt32(bytes[offset + 5]) << 24 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 8
                | UInt32(bytes[offset + 8])
            frames.append(Frame(range: offset..<(offset + 9 + length), type: HTTP2FrameType(rawValue: bytes[offset + 3]),
                                flags: bytes[offset + 4], streamID: word & 0x7FFF_FFFF))
            offset += 9 + length
        }
        tail = offset..<bytes.count
    }

    /// The minimizer's coarse units: whole frames, then the tail.
    static func units(_ bytes: [UInt8]) -> [Range<Int>] {
        let layout = H2FrameLayout(bytes)
        return layout.frames.map(\.range) + (layout.tail.isEmpty ? [] : [layout.tail])
    }

    /// Where the field block fragment of a HEADERS, PUSH_PROMISE or CONTINUATION frame lies (after
    /// Pad Length, the priority fields or the promised id; before the padding), when the frame's own
    /// fields are consistent.
    static func fieldBlock(of frame: Frame, in bytes: [UInt8]) -> Range<Int>? {
        var start = frame.payload.lowerBound
        var end = frame.payload.upperBound
        switch frame.type {
        case .continuation:
            return start..<end
        case .headers, .pushPromise:
            if frame.flags & HTTP2FrameFlags.padded.rawValue != 0 {
                guard start < end else { return nil }
                let padding = Int(bytes[start])
                start += 1
                end -= padding
            }
            if frame.type == .headers && frame.flags & HTTP2FrameFlags.priority.rawValue != 0 { start += 5 }
            if frame.type == .pushPromise { start += 4 }
            return start <= end ? start..<end : nil
        default:
            return nil
        }
    }

    /// Writes `length` into the frame's 24-bit length field.
    static func setLength(_ length: Int, of frame: Frame, in input: inout FuzzInput) {
        let value = max(0, min(length, 0xFF_FFFF))
        input.replace(frame.lengthField, with: [UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// Replaces part of a frame's payload and keeps its length field true.
    static func replacePayload(_ range: Range<Int>, of frame: Frame, with new: [UInt8], in input: inout FuzzInput) {
        let newLength = frame.payload.count - range.count + new.count
        input.replace(range, with: new)
        setLength(newLength, of: frame, in: &input)
    }

    static func streamWord(_ id: UInt32) -> [UInt8] {
        [UInt8(id >> 24 & 0xFF), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)]
    }
}
