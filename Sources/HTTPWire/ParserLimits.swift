/// Sizes the strict parser refuses to exceed. Every limit is checked at the byte where it is crossed,
/// so the verdict does not depend on how the input was chunked.
public struct ParserLimits: Sendable, Equatable {
    /// Request-line bytes before CRLF; over it → 414 (RFC 9112 §3 recommends supporting at least 8000).
    public var maxRequestLine: Int
    /// A method longer than any a server implements → 501 (RFC 9112 §3). The longest registered
    /// methods have 17 characters.
    public var maxMethod: Int
    /// One field line (name, colon, value) before CRLF; over it → 431.
    public var maxFieldLine: Int
    /// The header section, every field line with its CRLF plus the final CRLF; over it → 431.
    public var maxHeaderSection: Int
    /// Field lines in the header section (and, separately, in the trailer section); over it → 431.
    public var maxFieldCount: Int
    /// De-chunked body bytes or the Content-Length value; over it → 413.
    public var maxBody: Int
    /// All chunk-extension bytes of one message together; over it → 400 (RFC 9112 §7.1.1 "ought to limit").
    public var maxChunkExtensions: Int
    /// The trailer section, like the header section; over it → 431.
    public var maxTrailerSection: Int
    /// Empty lines tolerated before a request-line (RFC 9112 §2.2 asks to ignore at least one).
    public var maxLeadingEmptyLines: Int

    public init(
        maxRequestLine: Int = 8 * 1024,
        maxMethod: Int = 32,
        maxFieldLine: Int = 8 * 1024,
        maxHeaderSection: Int = 64 * 1024,
        maxFieldCount: Int = 100,
        maxBody: Int = 1024 * 1024,
        maxChunkExtensions: Int = 4 * 1024,
        maxTrailerSection: Int = 8 * 1024,
        maxLeadingEmptyLines: Int = 4
    ) {
        self.maxRequestLine = maxRequestLine
        self.maxMethod = maxMethod
        self.maxFieldLine = maxFieldLine
        self.maxHeaderSection = maxHeaderSection
        self.maxFieldCount = maxFieldCount
        self.maxBody = maxBody
        self.maxChunkExtensions = maxChunkExtensions
        self.maxTrailerSection = maxTrailerSection
        self.maxLeadingEmptyLines = maxLeadingEmptyLines
    }

    public static let defaults = ParserLimits()
}
