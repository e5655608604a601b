/// A SETTINGS parameter identifier (RFC 9113 §6.5.2). A struct so that unknown identifiers, which
/// "MUST be ignored", can still be carried and printed.
public struct HTTP2SettingsParameter: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let headerTableSize = HTTP2SettingsParameter(rawValue: 0x1)
    public static let enablePush = HTTP2SettingsParameter(rawValue: 0x2)
    public static let maxConcurrentStreams = HTTP2SettingsParameter(rawValue: 0x3)
    public static let initialWindowSize = HTTP2SettingsParameter(rawValue: 0x4)
    public static let maxFrameSize = HTTP2SettingsParameter(rawValue: 0x5)
    public static let maxHeaderListSize = HTTP2SettingsParameter(rawValue: 0x6)
    /// RFC 8441 §3 (extended CONNECT).
    public static let enableConnectProtocol = HTTP2SettingsParameter(rawValue: 0x8)
    /// RFC 9218 §2.1 (the RFC 7540 priority scheme is not used).
    public static let noRFC7540Priorities = HTTP2SettingsParameter(rawValue: 0x9)

    public var description: String {
        switch rawValue {
        case 0x1: return "SETTINGS_HEADER_TABLE_SIZE"
        case 0x2: return "SETTINGS_ENABLE_PUSH"
        case 0x3: return "SETTINGS_MAX_CONCURRENT_STREAMS"
        case 0x4: return "SETTINGS_INITIAL_WINDOW_SIZE"
        case 0x5: return "SETTINGS_MAX_FRAME_SIZE"
        case 0x6: return "SETTINGS_MAX_HEADER_LIST_SIZE"
        case 0x8: return "SETTINGS_ENABLE_CONNECT_PROTOCOL"
        case 0x9: return "SETTINGS_NO_RFC7540_PRIORITIES"
        default: return "SETTINGS_0x" + String(rawValue, radix: 16)
        }
    }
}

/// One identifier/value pair of a SETTINGS frame.
public struct HTTP2Setting: Hashable, Sendable {
    public var parameter: HTTP2SettingsParameter
    public var value: UInt32
    public init(_ parameter: HTTP2SettingsParameter, _ value: UInt32) {
        self.parameter = parameter
        self.value = value
    }
}

/// The values RFC 9113 §6.5.2 bounds.
public enum HTTP2SettingsLimits {
    public static let defaultMaxFrameSize: UInt32 = 16_384
    public static let largestMaxFrameSize: UInt32 = HTTP2FrameHeader.maxLength
    public static let defaultInitialWindowSize: UInt32 = 65_535
    /// 2^31−1, the largest flow-control window (§6.9.1).
    public static let maxWindowSize: UInt32 = 0x7FFF_FFFF
    public static let defaultHeaderTableSize: UInt32 = 4_096
}

extension HTTP2Setting {
    /// The receiver's check of one value (§6.5.2). `receiver` matters for ENABLE_PUSH only: a client
    /// may announce 1, a server may not, so a client receiving 1 has met a broken server.
    /// Unknown identifiers pass: they "MUST be ignored" (§6.5.2).
    public func violation(receivedBy receiver: HTTP2Role) -> HTTP2Violation? {
        switch parameter {
        case .enablePush:
            if value > 1 {
                return .connection("settings-enable-push-not-boolean", .protocolError, "RFC 9113 §6.5.2")
            }
            if value == 1 && receiver == .client {
                return .connection("settings-enable-push-from-server", .protocolError, "RFC 9113 §6.5.2")
            }
        case .initialWindowSize where value > HTTP2SettingsLimits.maxWindowSize:
            return .connection("settings-initial-window-size-too-large", .flowControlError, "RFC 9113 §6.5.2")
        case .maxFrameSize
            where value < HTTP2SettingsLimits.defaultMaxFrameSize || value > HTTP2SettingsLimits.largestMaxFrameSize:
            return .connection("settings-max-frame-size-out-of-range", .protocolError, "RFC 9113 §6.5.2")
        case .enableConnectProtocol where value > 1:
            return .connection("settings-enable-connect-protocol-not-boolean", .protocolError, "RFC 8441 §3")
        case .noRFC7540Priorities where value > 1:
            return .connection("settings-no-rfc7540-priorities-not-boolean", .protocolError, "RFC 9218 §2.1")
        default:
            break
        }
        return nil
    }
}

/// The parameters of a received SETTINGS frame, read in place from the payload (no copy). The parser
/// has validated every value before handing it out; the order is kept because a later value of the
/// same parameter overrides an earlier one (§6.5.3: "processed in the order in which they appear").
public struct HTTP2SettingsPayload: Sequence {
    public let bytes: UnsafeRawBufferPointer
    public init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    public var count: Int { bytes.count / 6 }

    public subscript(index: Int) -> HTTP2Setting {
        precondition(index >= 0 && index < count, "setting index out of range")
        let p = bytes.baseAddress! + index * 6
        let id = UInt16(p.load(as: UInt8.self)) << 8 | UInt16(p.load(fromByteOffset: 1, as: UInt8.self))
        return HTTP2Setting(HTTP2SettingsParameter(rawValue: id), readUInt32(p + 2))
    }

    public struct Iterator: IteratorProtocol {
        let payload: HTTP2SettingsPayload
        var index = 0
        public mutating func next() -> HTTP2Setting? {
            guard index < payload.count else { return nil }
            defer { index += 1 }
            return payload[index]
        }
    }

    public func makeIterator() -> Iterator { Iterator(payload: self) }
}

/// The settings one endpoint has announced, with the §6.5.2 initial values. Kept by the connection
/// for the peer (what we may send) and for ourselves once acknowledged (what we accept).
public struct HTTP2Settings: Hashable, Sendable {
    public var headerTableSize: UInt32 = HTTP2SettingsLimits.defaultHeaderTableSize
    public var enablePush = true
    /// nil: no limit announced (§6.5.2 "Initially, there is no limit to this value").
    public var maxConcurrentStreams: UInt32?
    public var initialWindowSize: UInt32 = HTTP2SettingsLimits.defaultInitialWindowSize
    public var maxFrameSize: UInt32 = HTTP2SettingsLimits.defaultMaxFrameSize
    /// nil: unlimited (§6.5.2).
    public var maxHeaderListSize: UInt32?
    public var enableConnectProtocol = false
    public var noRFC7540Priorities = false

    public init() {}

    /// Applies one validated setting; unknown parameters are ignored (§6.5.2).
    public mutating func apply(_ setting: HTTP2Setting) {
        switch setting.parameter {
        case .headerTableSize: headerTableSize = setting.value
        case .enablePush: enablePush = setting.value == 1
        case .maxConcurrentStreams: maxConcurrentStreams = setting.value
        case .initialWindowSize: initialWindowSize = min(setting.value, HTTP2SettingsLimits.maxWindowSize)
        case .maxFrameSize:
            maxFrameSize = min(max(setting.value, HTTP2SettingsLimits.defaultMaxFrameSize),
                               HTTP2SettingsLimits.largestMaxFrameSize)
        case .maxHeaderListSize: maxHeaderListSize = setting.value
        case .enableConnectProtocol: enableConnectProtocol = setting.value == 1
        case .noRFC7540Priorities: noRFC7540Priorities = setting.value == 1
        default: break
        }
    }

    /// Applies a whole frame in order and returns how much SETTINGS_INITIAL_WINDOW_SIZE moved, the delta
    /// §6.9.2 applies to every stream's send window.
    @discardableResult
    public mutating func apply(_ payload: HTTP2SettingsPayload) -> Int64 {
        let before = Int64(initialWindowSize)
        for setting in payload { apply(setting) }
        return Int64(initialWindowSize) - before
    }
}
