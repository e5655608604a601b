/// A valid HTTP/2 response head (RFC 9113 §8.3.2): the status and where the regular fields start in
/// the `DecodedFieldList` it was validated from.
public struct H2ResponseHead: Sendable, Equatable {
    public var streamID: UInt32
    public var status: Int = 0
    /// Indexes into `DecodedFieldList.fields` of the regular fields: `:status` comes first (§8.3).
    public var regularFields: Range<Int> = 0..<0
    public var contentLength: Int?

    public init(streamID: UInt32) { self.streamID = streamID }

    /// 1xx: more heads follow before the final one (RFC 9110 §15.2, RFC 9113 §8.1).
    public var isInformational: Bool { status >= 100 && status < 200 }
}
