/// The byte constants and byte-level helpers of the HTTP grammars, for every layer that reads or
/// writes the wire (request and response parsers, HTTP/2 field rules, the fuzzer's mutators), so
/// that a byte has one name across the tree. Classes of bytes (tchar and the others) live in `ByteClass`.
public enum ASCII {
    public static let tab: UInt8 = 0x09
    public static let lf: UInt8 = 0x0A
    public static let cr: UInt8 = 0x0D
    public static let space: UInt8 = 0x20
    public static let quote: UInt8 = 0x22
    public static let percent: UInt8 = 0x25
    public static let comma: UInt8 = 0x2C
    public static let slash: UInt8 = 0x2F
    public static let colon: UInt8 = 0x3A
    public static let semicolon: UInt8 = 0x3B
    public static let equals: UInt8 = 0x3D
    public static let questionMark: UInt8 = 0x3F
    public static let at: UInt8 = 0x40
    public static let leftBracket: UInt8 = 0x5B
    public static let backslash: UInt8 = 0x5C
    public static let rightBracket: UInt8 = 0x5D
    public static let underscore: UInt8 = 0x5F
    public static let asterisk: UInt8 = 0x2A
    public static let hyphen: UInt8 = 0x2D
    public static let crlf: [UInt8] = [cr, lf]

    @inline(__always) public static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }
    @inline(__always) public static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// Only ASCII letters fold: field names and codings are case-insensitive ASCII (RFC 9110 §5.1).
    @inline(__always) public static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    public static func caseInsensitiveEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// Value of a hex digit; the caller has checked `.hexDigit`.
    @inline(__always) public static func hexValue(_ byte: UInt8) -> Int {
        byte <= 0x39 ? Int(byte &- 0x30) : Int((byte | 0x20) &- 0x61 &+ 10)
    }

    /// Case-insensitive comparison of bytes against a lowercase ASCII literal.
    @inline(__always)
    public static func equalsLowercase(_ bytes: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
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
