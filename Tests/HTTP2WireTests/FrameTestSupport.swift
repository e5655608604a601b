import XCTest
@testable import HTTP2Wire

/// Builders and an event recorder shared by the frame tests. Events are recorded as strings with copied
/// bytes, so that two runs can be compared and a failure message shows what differed.
enum FrameBytes {
    static func raw(_ type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = [],
                    length: UInt32? = nil) -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameEncoder.appendRawFrame(length: length ?? UInt32(payload.count), type: type, flags: flags,
                                         streamWord: stream, payload: payload, into: &out)
        return out
    }

    static func settings(_ settings: [HTTP2Setting] = []) -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameEncoder.appendSettings(settings, into: &out)
        return out
    }

    /// What a client sends first: the preface and an empty SETTINGS frame.
    static var clientStart: [UInt8] { HTTP2ConnectionPreface.bytes + settings() }

    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    static func setting(_ id: UInt16, _ value: UInt32) -> [UInt8] {
        [UInt8(id >> 8), UInt8(id & 0xff)] + u32(value)
    }
}

enum FrameRecorder {
    /// Short byte strings in full; long ones by length and FNV-1a hash, so that recording stays cheap.
    static func text(_ bytes: UnsafeRawBufferPointer) -> String {
        guard bytes.count > 32 else { return "\(Array(bytes))" }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "\(bytes.count) bytes #\(String(hash, radix: 16))"
    }

    static func describe(_ event: HTTP2FrameEvent) -> String? {
        switch event {
        case .needMore:
            return nil
        case .frame(let frame):
            let s = frame.streamID
            switch frame.content {
            case .data(let data, let endStream):
                return "DATA s=\(s) es=\(endStream) length=\(frame.header.length) data=\(text(data))"
            case .priority(let p):
                return "PRIORITY s=\(s) dependency=\(p.dependency) exclusive=\(p.exclusive) weight=\(p.weight)"
            case .rstStream(let code):
                return "RST_STREAM s=\(s) \(code.name)"
            case .settings(let settings):
                return "SETTINGS [" + settings.map { "\($0.parameter.rawValue)=\($0.value)" }.joined(separator: ",") + "]"
            case .settingsAck:
                return "SETTINGS ACK"
            case .ping(let opaque, let ack):
                return "PING \(String(opaque, radix: 16)) ack=\(ack)"
            case .goAway(let last, let code, let debug):
                return "GOAWAY last=\(last) \(code.name) debug=\(text(debug))"
            case .windowUpdate(let increment):
                return "WINDOW_UPDATE s=\(s) +\(increment)"
            case .unknown:
                return "UNKNOWN type=\(frame.header.type.rawValue) s=\(s) payload=\(text(frame.payload))"
            }
        case .headerBlock(let block):
            var text = "\(block.kind == .headers ? "HEADERS" : "PUSH_PROMISE") s=\(block.streamID) es=\(block.endStream)"
            if let p = block.priority { text += " priority=\(p.dependency)/\(p.exclusive)/\(p.weight)" }
            if block.kind == .pushPromise { text += " promised=\(block.promisedStreamID)" }
            text += " continuations=\(block.continuationFrames) block=\(FrameRecorder.text(block.fieldBlock))"
            if let error = block.streamError { text += " stream-error=\(error.code.name) \(error.reason)" }
            return text
        case .streamError(let violation, let header):
            return "STREAM-ERROR \(violation.code.name) \(violation.reason) s=\(header.streamID) \(header.type)"
        case .connectionError(let violation):
            return "CONNECTION-ERROR \(violation.code.name) \(violation.reason)"
        }
    }

    /// Feeds `bytes` in the given pieces, each copied into its own buffer that is scribbled over and
    /// freed after its call, so that a parser keeping a pointer into an old chunk is caught.
    static func record(_ bytes: [UInt8], configuration: HTTP2FrameParserConfiguration,
                       pieces: [Range<Int>]? = nil) -> [String] {
        var parser = HTTP2FrameParser(configuration: configuration)
        return record(bytes, parser: &parser, pieces: pieces)
    }

    static func record(_ bytes: [UInt8], parser: inout HTTP2FrameParser, pieces: [Range<Int>]? = nil) -> [String] {
        var events: [String] = []
        for piece in pieces ?? [0..<bytes.count] {
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: piece.count, alignment: 1)
            defer {
                chunk.initializeMemory(as: UInt8.self, repeating: 0xEE)
                chunk.deallocate()
            }
            bytes[piece].withUnsafeBytes { chunk.copyMemory(from: $0) }
            let failed = parser.feed(UnsafeRawBufferPointer(chunk)) { event in
                if let text = describe(event) { events.append(text) }
            }
            if failed != nil { break }
        }
        return events
    }

    static func server(_ frames: [UInt8], _ configuration: HTTP2FrameParserConfiguration = .init(role: .server)) -> [String] {
        record(FrameBytes.clientStart + frames, configuration: configuration)
    }

    static func client(_ frames: [UInt8], _ configuration: HTTP2FrameParserConfiguration = .init(role: .client)) -> [String] {
        record(FrameBytes.settings() + frames, configuration: configuration)
    }
}
