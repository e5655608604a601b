import HTTPWire

/// A valid HTTP/2 request head: ranges into the `DecodedFieldList.bytes` it was validated from, and
/// the positions of its regular fields in that list.
public struct H2RequestHead: Sendable, Equatable {
    public var streamID: UInt32
    public var method: Range<Int> = 0..<0
    public var knownMethod: HTTPMethod = .other
    /// nil for CONNECT (§8.5).
    public var scheme: Range<Int>?
    /// From `:authority`, else from `host` (§8.3.1).
    public var authority: Range<Int>?
    /// The `:path` value; for CONNECT, the `:authority` (as HTTP/1.1's authority-form).
    public var target: Range<Int> = 0..<0
    public var targetForm: TargetForm = .origin
    /// The part of `:path` before "?"; empty for the asterisk and authority forms.
    public var path: Range<Int> = 0..<0
    public var query: Range<Int>?
    /// Indexes into `DecodedFieldList.fields` of the regular fields: all pseudo-headers come first (§8.3).
    public var regularFields: Range<Int> = 0..<0
    /// Index of the `host` field, if any.
    public var hostField: Int?
    public var contentLength: Int?
    /// Number of `cookie` fields; §8.2.3 allows several, joined with "; " for HTTP/1.1.
    public var cookieFields = 0

    public init(streamID: UInt32) { self.streamID = streamID }

    public var isConnect: Bool { knownMethod == .connect }
}
