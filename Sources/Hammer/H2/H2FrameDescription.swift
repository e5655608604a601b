import HTTP2Wire
import HTTPWire

/// Frames as one line of text for reports and notes: `GOAWAY stream=0 last=1 PROTOCOL_ERROR "…"`.
public enum H2FrameDescription {
    static let flagNames: [(UInt8, String, Set<UInt8>)] = [
        (0x1, "END_STREAM", [0x0, 0x1]), (0x1, "ACK", [0x4, 0x6]), (0x4, "END_HEADERS", [0x1, 0x5, 0x9]),
        (0x8, "PADDED", [0x0, 0x1, 0x5]), (0x20, "PRIORITY", [0x1]),
    ]

    /// `TYPE stream=N [flags=A|B] [length=N when it is not the payload's]`.
    public static func header(of bytes: [UInt8]) -> String {
        guard bytes.count >= 9 else { return "\(bytes.count) bytes: " + H2Hex.encode(bytes) }
        let length = Int(bytes[0]) << 16 | Int(bytes[1]) << 8 | Int(bytes[2])
        let type = bytes[3]
        let flags = bytes[4]
        let word = UInt32(bytes[5]) << 24 | UInt32(bytes[6]) << 16 | UInt32(bytes[7]) << 8 | UInt32(bytes[8])
        var text = "\(HTTP2FrameType(rawValue: type)) stream=\(word & 0x7FFF_FFFF)"
        if word & 0x8000_0000 != 0 { text += " reserved-bit" }
        if flags != 0 {
            var names: [String] = []
            var known: UInt8 = 0
            for (bit, name, types) in flagNames where types.contains(type) && flags & bit != 0 {
                names.append(name)
                known |= bit
            }
            if flags & ~known != 0 { names.append("0x" + String(flags & ~known, radix: 16)) }
            text += " flags=" + names.joined(separator: "|")
        }
        if length != bytes.count - 9 { text += " length=\(length)" }
        return text
    }

    /// The header line and the type's fields; `fields` are the decoded fields of a header block.
    public static func describe(frameBytes bytes: [UInt8], fields: [HeaderField]?) -> String {
        var text = header(of: bytes)
        guard bytes.count >= 9 else { return text }
        let payload = Array(bytes.dropFirst(9))
        func word(_ at: Int) -> UInt32? {
            guard payload.count >= at + 4 else { return nil }
            return UInt32(payload[at]) << 24 | UInt32(payload[at + 1]) << 16 | UInt32(payload[at + 2]) << 8 | UInt32(payload[at + 3])
        }
        switch HTTP2FrameType(rawValue: bytes[3]) {
        case .data:
            text += " \(payload.count) bytes"
        case .rstStream:
            if let code = word(0) { text += " " + HTTP2ErrorCode(rawValue: code).name }
        case .settings:
            var index = 0
            var items: [String] = []
            while index + 6 <= payload.count {
                let identifier = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
                let value = word(index + 2) ?? 0
                items.append("\(HTTP2SettingsParameter(rawValue: identifier).description.replacingPrefix("SETTINGS_"))=\(value)")
                index += 6
            }
            if !items.isEmpty { text += " " + items.joined(separator: " ") }
        case .ping:
            text += " " + H2Hex.encode(payload)
        case .goAway:
            if let last = word(0), let code = word(4) {
                text += " last=\(last & 0x7FFF_FFFF) " + HTTP2ErrorCode(rawValue: code).name
                if payload.count > 8 { text += " \"" + ByteEscapes.encode(payload.dropFirst(8).prefix(200)) + "\"" }
            }
        case .windowUpdate:
            if let increment = word(0) { text += " increment=\(increment)" }
        case .priority:
            if let dependency = word(0), payload.count >= 5 {
                text += " depends=\(dependency & 0x7FFF_FFFF)\(dependency & 0x8000_0000 != 0 ? " exclusive" : "") weight=\(Int(payload[4]) + 1)"
            }
        default:
            break
        }
        if let fields {
            text += " [" + fields.map { ByteEscapes.encode($0.name) + ": " + ByteEscapes.encode($0.value.prefix(200)) }.joined(separator: ", ") + "]"
        }
        return text
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
