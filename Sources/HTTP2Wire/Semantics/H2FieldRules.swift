import HTTPWire

/// The field rules of RFC 9113 §8.2 that every HTTP/2 field section obeys, requests and trailers.
enum H2FieldRules {
    /// §8.2 and §8.2.1: a regular field name is a non-empty lowercase token. The §8.2.1 MUSTs
    /// (no controls, SP, uppercase, DEL, non-ASCII, colon) get their own reasons; the rest of the
    /// token rule (RFC 9110 §5.1) is what keeps `"` `,` `;` `/` and friends out, which a downgrade
    /// to HTTP/1.1 would otherwise have to quote.
    @inline(__always)
    static func checkName(_ name: UnsafeRawBufferPointer, stream: UInt32) -> HTTP2Violation? {
        guard !name.isEmpty else { return H2RequestViolation.make(stream, "field-name-empty", "§8.2.1") }
        let table = ByteClass.table
        for byte in name where !table[Int(byte)].contains(.token) || byte &- 0x41 < 26 {
            if byte &- 0x41 < 26 { return H2RequestViolation.make(stream, "field-name-uppercase", "§8.2") }
            if byte <= 0x20 || byte >= 0x7f || byte == ASCII.colon {
                return H2RequestViolation.make(stream, "field-name-forbidden-character", "§8.2.1")
            }
            return H2RequestViolation.make(stream, "field-name-not-token", "§8.2.1")
        }
        return nil
    }

    /// §8.2.1: no NUL, CR or LF anywhere, no SP or HTAB at either end; and only field-vchar, SP
    /// and HTAB inside (RFC 9110 §5.5), so no other control byte reaches an HTTP/1.1 hop.
    @inline(__always)
    static func checkValue(_ value: UnsafeRawBufferPointer, stream: UInt32) -> HTTP2Violation? {
        let table = ByteClass.table
        for byte in value where !table[Int(byte)].contains(.fieldValue) {
            if byte == 0 || byte == ASCII.cr || byte == ASCII.lf {
                return H2RequestViolation.make(stream, "field-value-forbidden-character", "§8.2.1")
            }
            return H2RequestViolation.make(stream, "field-value-invalid", "§8.2.1")
        }
        if let first = value.first, let last = value.last, ASCII.isWhitespace(first) || ASCII.isWhitespace(last) {
            return H2RequestViolation.make(stream, "field-value-whitespace", "§8.2.1")
        }
        return nil
    }

    /// §8.2.1 for pseudo-header values, whose own syntax is checked later: NUL, CR and LF only.
    @inline(__always)
    static func checkPseudoValue(_ value: UnsafeRawBufferPointer, stream: UInt32) -> HTTP2Violation? {
        for byte in value where byte == 0 || byte == ASCII.cr || byte == ASCII.lf {
            return H2RequestViolation.make(stream, "field-value-forbidden-character", "§8.2.1")
        }
        return nil
    }

    /// The names this layer acts on. Names are already known to be lowercase.
    enum Name {
        case other, host, contentLength, te, cookie
        /// §8.2.2: meaningless in HTTP/2, where the framing layer does their job.
        case connectionSpecific
    }

    @inline(__always)
    static func classify(_ name: UnsafeRawBufferPointer, known: KnownField) -> Name {
        switch known {
        case .host: return .host
        case .contentLength: return .contentLength
        case .connection, .transferEncoding, .upgrade: return .connectionSpecific
        default: break
        }
        switch name.count {
        case 2: return HPACKIndexingPolicy.equals(name, "te") ? .te : .other
        case 6: return HPACKIndexingPolicy.equals(name, "cookie") ? .cookie : .other
        case 10: return HPACKIndexingPolicy.equals(name, "keep-alive") ? .connectionSpecific : .other
        case 16: return HPACKIndexingPolicy.equals(name, "proxy-connection") ? .connectionSpecific : .other
        default: return .other
        }
    }

    /// §8.2.2: `te` may only say `trailers`.
    @inline(__always)
    static func isTrailersOnly(_ value: UnsafeRawBufferPointer) -> Bool {
        ASCII.equalsLowercase(value, "trailers")
    }
}
