import HTTP2Wire

/// Changes that move streams through the states of RFC 9113 §5.1 in ways a client must not: frames
/// after END_STREAM or RST_STREAM, reused and decreasing ids, field blocks interrupted (§6.10).
enum H2StreamStateMutators {
    static func headers(_ input: FuzzInput, _ random: inout SeededRandom) -> H2FrameLayout.Frame? {
        let frames = H2FrameLayout(input.bytes).frames.filter { $0.type == .headers && $0.streamID != 0 }
        return frames.isEmpty ? nil : random.pick(frames)
    }

    /// A copy of the frame with another stream id (and flags, when given).
    static func copy(_ frame: H2FrameLayout.Frame, in bytes: [UInt8], streamID: UInt32, flags: UInt8? = nil) -> [UInt8] {
        var out = Array(bytes[frame.range])
        out.replaceSubrange(5..<9, with: H2FrameLayout.streamWord(streamID))
        if let flags { out[4] = flags }
        return out
    }

    static let all: [Mutator] = [
        Mutator("h2.stream.frame-after-end", weight: 2) { input, random, _ in
            // DATA, HEADERS or WINDOW_UPDATE on a stream after the client ended it (half-closed remote or closed).
            guard let frame = headers(input, &random) else { return false }
            var bytes: [UInt8] = []
            switch random.below(3) {
            case 0: HTTP2FrameEncoder.appendData(streamID: frame.streamID, data: Array("late".utf8), endStream: true, into: &bytes)
            case 1: bytes = copy(frame, in: input.bytes, streamID: frame.streamID)
            default: HTTP2FrameEncoder.appendWindowUpdate(streamID: frame.streamID, increment: 1, into: &bytes)
            }
            input.insert(bytes, at: input.bytes.count)
            return true
        },
        Mutator("h2.stream.frame-after-reset", weight: 2) { input, random, _ in
            guard let frame = headers(input, &random) else { return false }
            var bytes: [UInt8] = []
            HTTP2FrameEncoder.appendRSTStream(streamID: frame.streamID, errorCode: .cancel, into: &bytes)
            HTTP2FrameEncoder.appendData(streamID: frame.streamID, data: Array("x".utf8), endStream: random.chance(percent: 50), into: &bytes)
            input.insert(bytes, at: frame.range.upperBound)
            return true
        },
        Mutator("h2.stream.id-order", weight: 2) { input, random, _ in
            // A second request on the same id, a lower one, or one far ahead (skipping ids closes them, §5.1.1).
            guard let frame = headers(input, &random) else { return false }
            let id = frame.streamID
            let newID = random.pick([id, id > 2 ? id - 2 : id + 200, id + 2, id + 200, id + 1])
            input.insert(copy(frame, in: input.bytes, streamID: newID), at: frame.range.upperBound)
            return true
        },
        Mutator("h2.stream.end-stream", weight: 2) { input, random, _ in
            // END_STREAM set or cleared on a HEADERS or DATA frame: a request that never ends, or ends early.
            let frames = H2FrameLayout(input.bytes).frames.filter { $0.type == .headers || $0.type == .data }
            guard !frames.isEmpty else { return false }
            let frame = random.pick(frames)
            input.replace(frame.flagsOffset..<(frame.flagsOffset + 1), with: [frame.flags ^ HTTP2FrameFlags.endStream.rawValue])
            return true
        },
        Mutator("h2.stream.interrupt-block", weight: 2) { input, random, _ in
            // A HEADERS without END_HEADERS, followed by another frame before its CONTINUATION.
            guard let frame = headers(input, &random) else { return false }
            var tail: [UInt8] = []
            switch random.below(3) {
            case 0: HTTP2FrameEncoder.appendPing(opaqueData: 7, into: &tail)
            case 1: HTTP2FrameEncoder.appendData(streamID: frame.streamID, data: Array("x".utf8), into: &tail)
            default: HTTP2FrameEncoder.appendPriority(streamID: (frame.streamID &+ 2) & 0x7FFF_FFFF, priority: HTTP2Priority(dependency: 0), into: &tail)
            }
            HTTP2FrameEncoder.appendRawFrame(type: HTTP2FrameType.continuation.rawValue, flags: HTTP2FrameFlags.endHeaders.rawValue,
                                             streamWord: random.chance(percent: 70) ? frame.streamID : frame.streamID &+ 2, payload: [], into: &tail)
            var copy = input
            copy.insert(tail, at: frame.range.upperBound)
            copy.replace(frame.flagsOffset..<(frame.flagsOffset + 1), with: [frame.flags & ~HTTP2FrameFlags.endHeaders.rawValue])
            input = copy
            return true
        },
        Mutator("h2.stream.open-many") { input, random, _ in
            // The same request on several new streams in one write (concurrency, §5.1.2).
            guard let frame = headers(input, &random) else { return false }
            let highest = H2FrameLayout(input.bytes).frames.map(\.streamID).max() ?? frame.streamID
            var bytes: [UInt8] = []
            for n in 1...random.pick([2, 8, 40]) { bytes += copy(frame, in: input.bytes, streamID: (highest | 1) + 2 * UInt32(n)) }
            input.insert(bytes, at: input.bytes.count)
            return true
        },
    ]

    /// Every HTTP/2 mutator, in a fixed order (the order is part of what a seed reproduces).
    static let everyMutator: [Mutator] = H2FrameMutators.all + H2HPACKMutators.all + H2StreamStateMutators.all
}
