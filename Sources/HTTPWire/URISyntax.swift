/// The URI grammar (RFC 3986) as far as HTTP request targets and Host use it (RFC 9110 §4, §7.2).
public enum URISyntax {
    public enum AuthorityCheck: Equatable, Sendable {
        case valid
        case empty
        case userinfo
        case invalid
    }

    /// `uri-host [ ":" port ]`. Stricter than RFC 3986 on purpose: a reg-name may hold only unreserved
    /// characters and percent-escapes (sub-delims such as ',' or ';' name no real host and let a
    /// front-end and a back-end disagree on where the value ends); an empty port is refused too.
    public static func checkAuthority(_ bytes: UnsafeRawBufferPointer, portRequired: Bool) -> AuthorityCheck {
        guard !bytes.isEmpty else { return .empty }
        var hostEnd: Int
        if bytes[0] == ASCII.leftBracket {
            if bytes.contains(ASCII.at) { return .userinfo }
            guard let close = bytes.firstIndex(of: ASCII.rightBracket),
                  isIPLiteral(UnsafeRawBufferPointer(rebasing: bytes[1..<close]))
            else { return .invalid }
            hostEnd = close + 1
        } else {
            // One pass: reg-name characters up to the port's colon.
            let table = ByteClass.table
            hostEnd = 0
            while hostEnd < bytes.count {
                let byte = bytes[hostEnd]
                if table[Int(byte)].contains(.unreserved) {
                    hostEnd += 1
                } else if byte == ASCII.percent {
                    guard isPercentEscape(bytes, at: hostEnd) else { return .invalid }
                    hostEnd += 3
                } else if byte == ASCII.colon {
                    break
                } else {
                    return bytes.contains(ASCII.at) ? .userinfo : .invalid
                }
            }
            guard hostEnd > 0 else { return .invalid }
        }
        if hostEnd == bytes.count { return portRequired ? .invalid : .valid }
        guard bytes[hostEnd] == ASCII.colon else { return .invalid }
        let port = UnsafeRawBufferPointer(rebasing: bytes[(hostEnd + 1)...])
        if port.contains(ASCII.at) { return .userinfo }
        return isPort(port) ? .valid : .invalid
    }

    static func isPort(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard (1...5).contains(bytes.count) else { return false }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return false }
            value = value * 10 + Int(byte - 0x30)
        }
        return value <= 65535
    }

    static func isPercentEscape(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Bool {
        let table = ByteClass.table
        return index + 2 < bytes.count && table[Int(bytes[index + 1])].contains(.hexDigit)
            && table[Int(bytes[index + 2])].contains(.hexDigit)
    }

    /// `IP-literal = "[" ( IPv6address / IPvFuture ) "]"`, without the brackets. Zone ids (RFC 6874)
    /// are not part of HTTP's grammar.
    static func isIPLiteral(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        if first == UInt8(ascii: "v") || first == UInt8(ascii: "V") { return isIPvFuture(bytes) }
        return isIPv6(bytes)
    }

    /// `IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`
    static func isIPvFuture(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let table = ByteClass.table
        var index = 1
        while index < bytes.count && table[Int(bytes[index])].contains(.hexDigit) { index += 1 }
        guard index > 1, index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return false }
        index += 1
        guard index < bytes.count else { return false }
        return bytes[index...].allSatisfy {
            table[Int($0)].contains(.unreserved) || table[Int($0)].contains(.subDelimiter) || $0 == ASCII.colon
        }
    }

    static func isIPv6(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let table = ByteClass.table
        let count = bytes.count
        guard count >= 2 else { return false }
        var index = 0
        var groups = 0
        var compressed = false
        if bytes[0] == ASCII.colon {
            guard bytes[1] == ASCII.colon else { return false }
            compressed = true
            index = 2
            if index == count { return true }
        }
        while index < count {
            let start = index
            while index < count && index - start < 5 && table[Int(bytes[index])].contains(.hexDigit) { index += 1 }
            if index < count && bytes[index] == UInt8(ascii: ".") {
                // An IPv4 tail stands for the last two groups.
                guard isIPv4(UnsafeRawBufferPointer(rebasing: bytes[start...])) else { return false }
                groups += 2
                index = count
                break
            }
            let length = index - start
            guard length >= 1 && length <= 4 else { return false }
            groups += 1
            if index == count { break }
            guard bytes[index] == ASCII.colon else { return false }
            index += 1
            if index < count && bytes[index] == ASCII.colon {
                guard !compressed else { return false }
                compressed = true
                index += 1
                if index == count { break }
            } else if index == count {
                return false
            }
        }
        return compressed ? groups <= 7 : groups == 8
    }

    /// Dotted quad of dec-octets, no leading zeros (RFC 3986 §3.2.2).
    static func isIPv4(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var octets = 0
        var index = 0
        while index < bytes.count {
            let start = index
            var value = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, index - start < 3 {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            let length = index - start
            guard length >= 1, value <= 255, length == 1 || bytes[start] != 0x30 else { return false }
            octets += 1
            if index == bytes.count { break }
            guard bytes[index] == UInt8(ascii: "."), octets < 4 else { return false }
            index += 1
            guard index < bytes.count else { return false }
        }
        return octets == 4
    }

    /// `absolute-path [ "?" query ]` (or path-abempty after an authority): pchar, "/", "?" and
    /// well-formed percent-escapes. Returns the query's range when there is one.
    public static func checkPathAndQuery(_ bytes: UnsafeRawBufferPointer, from start: Int)
        -> (valid: Bool, queryStart: Int?)
    {
        let table = ByteClass.table
        var index = start
        var queryStart: Int?
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.percent {
                guard isPercentEscape(bytes, at: index) else { return (false, nil) }
                index += 3
                continue
            }
            if byte == ASCII.questionMark {
                if queryStart == nil { queryStart = index + 1 }
            } else if !(table[Int(byte)].contains(.unreserved) || table[Int(byte)].contains(.subDelimiter)
                || byte == ASCII.colon || byte == ASCII.at || byte == ASCII.slash)
            {
                return (false, nil)
            }
            index += 1
        }
        return (true, queryStart)
    }

    /// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` followed by "://"; returns the index of
    /// the authority, or nil when the target does not start with a scheme and "//".
    static func schemeAndSlashes(_ bytes: UnsafeRawBufferPointer) -> (scheme: Range<Int>, authorityStart: Int)? {
        guard let first = bytes.first, (first | 0x20) >= 0x61 && (first | 0x20) <= 0x7A else { return nil }
        var index = 1
        while index < bytes.count {
            let byte = bytes[index]
            let isAlpha = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
            let isDigit = byte >= 0x30 && byte <= 0x39
            if isAlpha || isDigit || byte == UInt8(ascii: "+") || byte == ASCII.hyphen || byte == UInt8(ascii: ".") {
                index += 1
            } else {
                break
            }
        }
        guard index + 2 < bytes.count, bytes[index] == ASCII.colon, bytes[index + 1] == ASCII.slash,
              bytes[index + 2] == ASCII.slash
        else { return nil }
        return (0..<index, index + 3)
    }
}
