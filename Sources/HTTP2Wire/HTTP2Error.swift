/// Error codes of RFC 9113 §7, carried by RST_STREAM and GOAWAY.
public struct HTTP2ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let noError = HTTP2ErrorCode(rawValue: 0x0)
    public static let protocolError = HTTP2ErrorCode(rawValue: 0x1)
    public static let internalError = HTTP2ErrorCode(rawValue: 0x2)
    public static let flowControlError = HTTP2ErrorCode(rawValue: 0x3)
    public static let settingsTimeout = HTTP2ErrorCode(rawValue: 0x4)
    public static let streamClosed = HTTP2ErrorCode(rawValue: 0x5)
    public static let frameSizeError = HTTP2ErrorCode(rawValue: 0x6)
    public static let refusedStream = HTTP2ErrorCode(rawValue: 0x7)
    public static let cancel = HTTP2ErrorCode(rawValue: 0x8)
    public static let compressionError = HTTP2ErrorCode(rawValue: 0x9)
    public static let connectError = HTTP2ErrorCode(rawValue: 0xa)
    public static let enhanceYourCalm = HTTP2ErrorCode(rawValue: 0xb)
    public static let inadequateSecurity = HTTP2ErrorCode(rawValue: 0xc)
    public static let http11Required = HTTP2ErrorCode(rawValue: 0xd)

    static let names: [(HTTP2ErrorCode, String)] = [
        (.noError, "NO_ERROR"), (.protocolError, "PROTOCOL_ERROR"), (.internalError, "INTERNAL_ERROR"),
        (.flowControlError, "FLOW_CONTROL_ERROR"), (.settingsTimeout, "SETTINGS_TIMEOUT"),
        (.streamClosed, "STREAM_CLOSED"), (.frameSizeError, "FRAME_SIZE_ERROR"),
        (.refusedStream, "REFUSED_STREAM"), (.cancel, "CANCEL"), (.compressionError, "COMPRESSION_ERROR"),
        (.connectError, "CONNECT_ERROR"), (.enhanceYourCalm, "ENHANCE_YOUR_CALM"),
        (.inadequateSecurity, "INADEQUATE_SECURITY"), (.http11Required, "HTTP_1_1_REQUIRED"),
    ]

    /// The §7 name; unknown codes "MUST NOT trigger any special behavior" and print as hex.
    public var name: String {
        for (code, name) in Self.names where code == self { return name }
        return "0x" + String(rawValue, radix: 16)
    }

    /// Parses a §7 name such as `PROTOCOL_ERROR`, as the corpus spells expected codes.
    public init?(name: String) {
        guard let entry = Self.names.first(where: { $0.1 == name }) else { return nil }
        self = entry.0
    }

    public var description: String { name }
}

/// Whether an error ends the whole connection (GOAWAY) or only one stream (RST_STREAM), RFC 9113 §5.4.
public enum HTTP2ErrorScope: Hashable, Sendable {
    case connection
    case stream(UInt32)
}

/// A rule of RFC 9113 or RFC 7541 the peer broke: what, where it is written, and how to answer.
public struct HTTP2Violation: Error, Hashable, Sendable, CustomStringConvertible {
    /// A short stable identifier, e.g. `window-update-zero-increment`, used by reports and tests.
    public var reason: String
    public var scope: HTTP2ErrorScope
    public var code: HTTP2ErrorCode
    /// The section that states the rule, e.g. `RFC 9113 §6.9`.
    public var rfcSection: String

    public init(_ reason: String, scope: HTTP2ErrorScope, code: HTTP2ErrorCode, rfcSection: String) {
        self.reason = reason
        self.scope = scope
        self.code = code
        self.rfcSection = rfcSection
    }

    public static func connection(_ reason: String, _ code: HTTP2ErrorCode, _ rfcSection: String) -> Self {
        HTTP2Violation(reason, scope: .connection, code: code, rfcSection: rfcSection)
    }

    public static func stream(_ id: UInt32, _ reason: String, _ code: HTTP2ErrorCode, _ rfcSection: String) -> Self {
        HTTP2Violation(reason, scope: .stream(id), code: code, rfcSection: rfcSection)
    }

    public var isConnectionError: Bool { scope == .connection }

    public var description: String {
        switch scope {
        case .connection: return "connection error \(code.name): \(reason) (\(rfcSection))"
        case .stream(let id): return "stream \(id) error \(code.name): \(reason) (\(rfcSection))"
        }
    }
}
