import HTTP2Wire

/// Changes to the frames of an HTTP/2 stream as frames: their header fields (length, type, flags,
/// stream id), padding, order, and how they are cut into writes (RFC 9113 §4.1, §6).
enum H2FrameMutators {
    static func frame(_ input: FuzzInput, _ random: inout SeededRandom,
                      where include: (H2FrameLayout.Frame) -> Bool = { _ in true }) -> H2FrameLayout.Frame? {
        let frames = H2FrameLayout(input.bytes).frames.filter(include)
        return frames.isEmpty ? nil : random.pick(frames)
    }

    static let all: [Mutator] = [
        Mutator("h2.frame.length", weight: 3) { input, random, _ in
            // A length that lies: off by a few, zero, one over the default SETTINGS_MAX_FRAME_SIZE, huge.
            guard let frame = frame(input, &random) else { return false }
            let length = frame.payload.count
            let lie = random.pick([length + 1, length - 1, length + 4, max(0, length - 4), 0, 16_385, 0xFF_FFFF, length * 2 + 1])
            H2FrameLayout.setLength(lie, of: frame, in: &input)
            return true
        },
        Mutator("h2.frame.type", weight: 2) { input, random, _ in
            guard let frame = frame(input, &random) else { return false }
            let type = random.chance(percent: 80) ? UInt8(random.below(10)) : random.pick([0x0A, 0x0B, 0x10, 0xFF])
            input.replace(frame.typeOffset..<(frame.typeOffset + 1), with: [type])
            return true
        },
        Mutator("h2.frame.flags", weight: 3) { input, random, _ in
            guard let frame = frame(input, &random) else { return false }
            let flags: UInt8 = random.chance(percent: 70)
                ? frame.flags ^ random.pick([0x01, 0x04, 0x08, 0x20, 0x02, 0x40])
                : random.pick([0x00, 0xFF, 0x2D, 0x05])
            input.replace(frame.flagsOffset..<(frame.flagsOffset + 1), with: [flags])
            return true
        },
        Mutator("h2.frame.stream-id", weight: 3) { input, random, _ in
            // Stream 0, an even (server) id, a lower or reused id, a far idle one, the reserved bit.
            guard let frame = frame(input, &random) else { return false }
            let id = frame.streamID
            let word: UInt32 = random.pick([0, 1, 2, 3, id &+ 2, id == 0 ? 1 : id - 1, id &+ 100, 0x7FFF_FFFF, id | 0x8000_0000])
            input.replace(frame.streamField, with: H2FrameLayout.streamWord(word))
            return true
        },
        Mutator("h2.frame.padding", weight: 2) { input, random, _ in
            // PADDED on a DATA or HEADERS frame: padding that fits, fills it, or a Pad Length beyond it.
            guard let frame = frame(input, &random, where: { $0.type == .data || $0.type == .headers }),
                  frame.flags & HTTP2FrameFlags.padded.rawValue == 0 else { return false }
            let payload = frame.payload.count
            let padding = random.pick([0, 1, 7, 255])
            let declared = random.chance(percent: 60) ? padding : random.pick([payload + padding + 1, 255, payload + padding])
            let newPayload = [UInt8(min(255, declared))] + Array(input.bytes[frame.payload]) + Array(repeating: 0, count: padding)
            var copy = input
            copy.replace(frame.payload, with: newPayload)
            copy.replace(frame.flagsOffset..<(frame.flagsOffset + 1), with: [frame.flags | HTTP2FrameFlags.padded.rawValue])
            H2FrameLayout.setLength(newPayload.count, of: frame, in: &copy)
            input = copy
            return true
        },
        Mutator("h2.frame.order", weight: 2) { input, random, _ in
            let frames = H2FrameLayout(input.bytes).frames
            guard frames.count >= 2 else { return false }
            let first = random.below(frames.count - 1)
            let (a, b) = (frames[first], frames[first + 1])
            input.replace(a.range.lowerBound..<b.range.upperBound, with: Array(input.bytes[b.range]) + Array(input.bytes[a.range]))
            return true
        },
        Mutator("h2.frame.duplicate") { input, random, _ in
            guard let frame = frame(input, &random) else { return false }
            input.insert(Array(input.bytes[frame.range]), at: frame.range.upperBound)
            return true
        },
        Mutator("h2.frame.drop") { input, random, _ in
            let frames = H2FrameLayout(input.bytes).frames
            guard frames.count >= 2 else { return false }
            input.replace(random.pick(frames).range, with: [])
            return true
        },
        Mutator("h2.frame.split-writes", weight: 2) { input, random, _ in
            // A write boundary inside a frame: inside its header or its payload (RFC 9113 §4.1: frames
            // are read from a byte stream, any cut must give the same result).
            guard let frame = frame(input, &random), frame.range.count >= 2 else { return false }
            input.setCuts(input.cuts + [frame.range.lowerBound + 1 + random.below(frame.range.count - 1)])
            return true
        },
        Mutator("h2.frame.merge-writes") { input, random, _ in
            guard !input.cuts.isEmpty else { return false }
            var cuts = input.cuts
            cuts.remove(at: random.below(cuts.count))
            input.setCuts(cuts)
            return true
        },
        Mutator("h2.frame.insert-control", weight: 3) { input, random, _ in
            // A control frame between two others: the ones whose rules are most often got wrong.
            let frames = H2FrameLayout(input.bytes).frames
            let at = frames.isEmpty ? input.bytes.count : random.pick(frames.map(\.range.lowerBound) + [input.bytes.count])
            let stream = frames.isEmpty ? 1 : random.pick(frames).streamID
            // Ids derived from the stream's stay within 31 bits: the encoder refuses others.
            let next = (stream &+ 2) & 0x7FFF_FFFF
            var bytes: [UInt8] = []
            switch random.below(9) {
            case 0: HTTP2FrameEncoder.appendPing(opaqueData: random.next(), into: &bytes)
            case 1: HTTP2FrameEncoder.appendSettings([HTTP2Setting(random.pick([.initialWindowSize, .maxFrameSize, .enablePush,
                                                                                 .headerTableSize, HTTP2SettingsParameter(rawValue: 0xFF)]),
                                                                   random.pick([0, 1, 16_383, 16_384, 65_535, 0x7FFF_FFFF, 0x8000_0000]))],
                                                      into: &bytes)
            case 2: HTTP2FrameEncoder.appendSettingsAck(into: &bytes)
            case 3: HTTP2FrameEncoder.appendWindowUpdate(streamID: random.pick([0, stream]), increment: random.pick([0, 1, 0x7FFF_FFFF]), into: &bytes)
            case 4: HTTP2FrameEncoder.appendRSTStream(streamID: random.pick([0, stream, next]), errorCode: .cancel, into: &bytes)
            case 5: HTTP2FrameEncoder.appendPriority(streamID: stream, priority: HTTP2Priority(dependency: random.pick([0, stream, 1])), into: &bytes)
            case 6: HTTP2FrameEncoder.appendRawFrame(length: 0, type: HTTP2FrameType.continuation.rawValue, flags: HTTP2FrameFlags.endHeaders.rawValue,
                                                     streamWord: stream, payload: [], into: &bytes)
            case 7: HTTP2FrameEncoder.appendRawFrame(length: 4, type: random.pick([0x0A, 0x20, 0xFE]), flags: 0, streamWord: stream,
                                                     payload: [0, 0, 0, 0], into: &bytes)
            default: HTTP2FrameEncoder.appendData(streamID: stream, data: Array("x".utf8), endStream: random.chance(percent: 50), into: &bytes)
            }
            input.insert(bytes, at: at)
            return true
        },
    ]
}
