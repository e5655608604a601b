/// Character classes of the HTTP and URI grammars as one 256-entry bit table, so the hot loops
/// classify a byte with one load instead of a chain of comparisons.
struct ByteClass: OptionSet, Sendable {
    let rawValue: UInt8

    /// tchar (RFC 9110 §5.6.2): the alphabet of methods, field names and transfer codings.
    static let token = ByteClass(rawValue: 1 << 0)
    /// field-vchar, SP and HTAB (RFC 9110 §5.5): what a field value may contain.
    static let fieldValue = ByteClass(rawValue: 1 << 1)
    /// Everything that may appear in some form of request-target (RFC 9112 §3.2, RFC 3986).
    static let target = ByteClass(rawValue: 1 << 2)
    static let hexDigit = ByteClass(rawValue: 1 << 3)
    static let digit = ByteClass(rawValue: 1 << 4)
    /// unreserved (RFC 3986 §2.3).
    static let unreserved = ByteClass(rawValue: 1 << 5)
    /// sub-delims (RFC 3986 §2.2).
    static let subDelimiter = ByteClass(rawValue: 1 << 6)
    /// qdtext of quoted-string (RFC 9110 §5.6.4), without the backslash and quote.
    static let quotedText = ByteClass(rawValue: 1 << 7)

    /// Allocated once and never freed: parsers keep the raw pointer so lookups carry no bounds checks.
    nonisolated(unsafe) static let table: UnsafePointer<ByteClass> = {
        let table = UnsafeMutablePointer<ByteClass>.allocate(capacity: 256)
        for value in 0..<256 {
            table[value] = classify(UInt8(value))
        }
        return UnsafePointer(table)
    }()

    private static func classify(_ byte: UInt8) -> ByteClass {
        var classes: ByteClass = []
        let isAlpha = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
        let isDigit = byte >= 0x30 && byte <= 0x39
        let tokenSymbols: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)
        let subDelimiters: [UInt8] = Array("!$&'()*+,;=".utf8)
        if isAlpha || isDigit || tokenSymbols.contains(byte) { classes.insert(.token) }
        if (byte >= 0x21 && byte <= 0x7E) || byte >= 0x80 || byte == 0x20 || byte == 0x09 {
            classes.insert(.fieldValue)
        }
        if isDigit { classes.insert([.digit, .hexDigit]) }
        if (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66) { classes.insert(.hexDigit) }
        if isAlpha || isDigit || Array("-._~".utf8).contains(byte) { classes.insert(.unreserved) }
        if subDelimiters.contains(byte) { classes.insert(.subDelimiter) }
        if classes.contains(.unreserved) || classes.contains(.subDelimiter)
            || Array(":@/?%[]".utf8).contains(byte) {
            classes.insert(.target)
        }
        if byte == 0x09 || byte == 0x20 || byte == 0x21 || (byte >= 0x23 && byte <= 0x5B)
            || (byte >= 0x5D && byte <= 0x7E) || byte >= 0x80 {
            classes.insert(.quotedText)
        }
        return classes
    }
}

enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let percent: UInt8 = 0x25
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let questionMark: UInt8 = 0x3F
    static let at: UInt8 = 0x40
    static let leftBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let rightBracket: UInt8 = 0x5D
    static let underscore: UInt8 = 0x5F
    static let asterisk: UInt8 = 0x2A
    static let hyphen: UInt8 = 0x2D

    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// Value of a hex digit; the caller has checked `.hexDigit`.
    @inline(__always) static func hexValue(_ byte: UInt8) -> Int {
        byte <= 0x39 ? Int(byte &- 0x30) : Int((byte | 0x20) &- 0x61 &+ 10)
    }

    /// Case-insensitive comparison of bytes against a lowercase ASCII literal.
    @inline(__always)
    static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let folded = byte &- 0x41 < 26 ? byte | 0x20 : byte
            if folded != expected[index] { return false }
        }
        return true
    }
}
