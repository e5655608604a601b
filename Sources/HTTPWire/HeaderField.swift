/// One field line of a header or trailer section, copied out of the wire buffer: the fields of a
/// `ParsedRequest`, of a `ResponseMessage` and of an HPACK block are the same thing, so they share one type.
///
/// Kept as received bytes: the harness must report exactly what a peer sent, so decoding into
/// `String` only happens in the conveniences.
public struct HeaderField: Sendable, Hashable {
    public var name: [UInt8]
    public var value: [UInt8]

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }

    public init(_ name: String, _ value: String) {
        self.init(name: Array(name.utf8), value: Array(value.utf8))
    }

    public var nameString: String { String(decoding: name, as: UTF8.self) }
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// Field names are case-insensitive (RFC 9110 §5.1); only ASCII letters fold.
    public func hasName(_ candidate: some StringProtocol) -> Bool {
        ASCII.caseInsensitiveEquals(name, candidate.utf8)
    }
}
