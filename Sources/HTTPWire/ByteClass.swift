/// Character classes of the HTTP and URI grammars as one 256-entry bit table, so the hot loops
/// classify a byte with one load instead of a chain of comparisons.
public struct ByteClass: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// tchar (RFC 9110 §5.6.2): the alphabet of methods, field names and transfer codings.
    public static let token = ByteClass(rawValue: 1 << 0)
    /// field-vchar, SP and HTAB (RFC 9110 §5.5): what a field value may contain.
    public static let fieldValue = ByteClass(rawValue: 1 << 1)
    /// Everything that may appear in some form of request-target (RFC 9112 §3.2, RFC 3986).
    public static let target = ByteClass(rawValue: 1 << 2)
    public static let hexDigit = ByteClass(rawValue: 1 << 3)
    public static let digit = ByteClass(rawValue: 1 << 4)
    /// unreserved (RFC 3986 §2.3).
    public static let unreserved = ByteClass(rawValue: 1 << 5)
    /// sub-delims (RFC 3986 §2.2).
    public static let subDelimiter = ByteClass(rawValue: 1 << 6)
    /// qdtext of quoted-string (RFC 9110 §5.6.4), without the backslash and quote.
    public static let quotedText = ByteClass(rawValue: 1 << 7)

    /// Whether `byte` is a tchar; for the callers that test a byte at a time rather than keeping `table`.
    @inline(__always) public static func isToken(_ byte: UInt8) -> Bool { table[Int(byte)].contains(.token) }

    /// Allocated once and never freed: parsers keep the raw pointer so lookups carry no bounds checks.
    nonisolated(unsafe) public static let table: UnsafePointer<ByteClass> = {
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
