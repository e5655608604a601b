import HTTP2Wire
import HTTPWire

/// One frame as a case writes it: type, flags, stream and the fields of its type, or any bytes at
/// all where the case needs a frame no encoder would write (a lying length, a short payload).
public struct H2FrameSpec: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case empty
        /// DATA: these bytes, or `fill` octets of 'x'.
        case data([UInt8], fill: H2Size?)
        /// HEADERS and CONTINUATION.
        case headerBlock(H2HeaderBlockSpec)
        case pushPromise(promised: UInt32, block: H2HeaderBlockSpec)
        case priority(HTTP2Priority)
        case rstStream(errorCode: UInt32)
        case settings([H2SettingSpec])
        case ping(opaque: [UInt8])
        case goAway(lastStreamID: UInt32, errorCode: UInt32, debug: [UInt8])
        case windowUpdate(increment: H2Size)
    }

    public var type: UInt8
    /// nil: the type's usual flags (END_HEADERS on HEADERS, PUSH_PROMISE and CONTINUATION).
    public var flags: UInt8?
    public var streamID: UInt32
    /// Sets the reserved bit of the stream identifier (RFC 9113 §4.1).
    public var reserved = false
    public var body: Body
    /// HEADERS, DATA, PUSH_PROMISE: a Pad Length field and this many zero octets (sets PADDED).
    public var padding: Int?
    /// Pad Length as written, when it should not tell the truth.
    public var padLengthOverride: Int?
    /// HEADERS: the priority fields (sets PRIORITY).
    public var priority: HTTP2Priority?
    /// The length field as written, when it should not match the payload.
    public var length: H2Size?
    /// The payload as written, replacing what the type's fields would give.
    public var payload: [UInt8]?

    public init(type: UInt8, flags: UInt8? = nil, streamID: UInt32, body: Body = .empty) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.body = body
    }

    /// The frame's type name (RFC 9113 §6), or UNKNOWN(0x..).
    public var typeName: String { HTTP2FrameType(rawValue: type).description }

    /// The stream ids this frame opens or concerns, for the runner's bookkeeping.
    var opensStream: Bool { type == HTTP2FrameType.headers.rawValue && streamID != 0 }

    /// Appends the frame. `context` supplies the server's settings for symbolic sizes and the
    /// authority for `{host}`.
    public func encode(into out: inout [UInt8], context: H2EncodingContext, streamOffset: UInt32 = 0) {
        let stream = streamID == 0 ? 0 : streamID &+ streamOffset
        var flagBits = flags ?? defaultFlags
        var content: [UInt8] = []
        if let payload {
            content = payload
        } else {
            switch body {
            case .empty:
                break
            case .data(let bytes, let fill):
                content = fill.map { [UInt8](repeating: UInt8(ascii: "x"), count: max(0, $0.resolve(context.peer))) } ?? bytes
            case .headerBlock(let block):
                if let priority {
                    flagBits |= HTTP2FrameFlags.priority.rawValue
                    appendBigEndian((priority.exclusive ? 0x8000_0000 : 0) | priority.dependency, into: &content)
                    content.append(priority.weight)
                }
                content += block.encode(context: context)
            case .pushPromise(let promised, let block):
                appendBigEndian(promised, into: &content)
                content += block.encode(context: context)
            case .priority(let fields):
                appendBigEndian((fields.exclusive ? 0x8000_0000 : 0) | fields.dependency, into: &content)
                content.append(fields.weight)
            case .rstStream(let code):
                appendBigEndian(code, into: &content)
            case .settings(let settings):
                for setting in settings {
                    content.append(UInt8(truncatingIfNeeded: setting.identifier >> 8))
                    content.append(UInt8(truncatingIfNeeded: setting.identifier))
                    appendBigEndian(setting.value, into: &content)
                }
            case .ping(let opaque):
                content = opaque
            case .goAway(let last, let code, let debug):
                appendBigEndian(last, into: &content)
                appendBigEndian(code, into: &content)
                content += debug
            case .windowUpdate(let increment):
                appendBigEndian(UInt32(truncatingIfNeeded: increment.resolve(context.peer)), into: &content)
            }
            if let padding {
                flagBits |= HTTP2FrameFlags.padded.rawValue
                content.insert(UInt8(truncatingIfNeeded: padLengthOverride ?? padding), at: 0)
                content += [UInt8](repeating: 0, count: padding)
            }
        }
        let lengthField = length.map { UInt32(clamping: max(0, $0.resolve(context.peer))) } ?? UInt32(content.count)
        HTTP2FrameEncoder.appendRawFrame(length: min(lengthField, HTTP2FrameHeader.maxLength), type: type, flags: flagBits,
                                         streamWord: stream | (reserved ? 0x8000_0000 : 0), payload: content, into: &out)
    }

    var defaultFlags: UInt8 {
        switch HTTP2FrameType(rawValue: type) {
        case .headers, .pushPromise, .continuation: return HTTP2FrameFlags.endHeaders.rawValue
        default: return 0
        }
    }

    /// One line for reports: `HEADERS stream=1 flags=END_STREAM|END_HEADERS fields=[:method: GET …]`.
    public func summary(context: H2EncodingContext, streamOffset: UInt32 = 0) -> String {
        var bytes: [UInt8] = []
        encode(into: &bytes, context: context, streamOffset: streamOffset)
        let header = H2FrameDescription.header(of: bytes)
        guard payload == nil else { return header + " payload " + H2Hex.encode(Array(bytes.dropFirst(9))) }
        switch body {
        case .headerBlock(let block), .pushPromise(_, let block):
            return H2FrameDescription.describe(frameBytes: bytes, fields: nil) + " " + block.summary
        default:
            return H2FrameDescription.describe(frameBytes: bytes, fields: nil)
        }
    }
}

/// One SETTINGS parameter as written: any identifier, any value.
public struct H2SettingSpec: Sendable, Equatable {
    public var identifier: UInt16
    public var value: UInt32

    public init(_ identifier: UInt16, _ value: UInt32) {
        self.identifier = identifier
        self.value = value
    }

    public var setting: HTTP2Setting { HTTP2Setting(HTTP2SettingsParameter(rawValue: identifier), value) }
}

/// What encoding a frame depends on besides the case: the server's settings and the authority.
public struct H2EncodingContext: Sendable {
    public var peer: HTTP2Settings
    public var authority: String

    public init(peer: HTTP2Settings = HTTP2Settings(), authority: String) {
        self.peer = peer
        self.authority = authority
    }
}

/// A 32-bit big-endian integer, as every fixed frame field is written (RFC 9113 §4.1).
func appendBigEndian(_ value: UInt32, into out: inout [UInt8]) {
    out += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
}
