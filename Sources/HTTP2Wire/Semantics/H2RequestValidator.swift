import HTTPWire

/// Checks a decoded request field section against RFC 9113 §8 and locates its parts.
public enum H2RequestValidator {
    /// The first HEADERS block of a request. A malformed request is a stream error (§8.1.1).
    public static func validateRequest(_ list: DecodedFieldList, streamID: UInt32) throws(HTTP2Violation) -> H2RequestHead {
        var head = H2RequestHead(streamID: streamID)
        let violation: HTTP2Violation? = list.bytes.withUnsafeBytes { all in
            checkRequest(list, all, &head)
        }
        if let violation { throw violation }
        return head
    }

    /// A trailer section: the second HEADERS block, with END_STREAM (§8.1).
    public static func validateTrailers(_ list: DecodedFieldList, streamID: UInt32) throws(HTTP2Violation) {
        let violation: HTTP2Violation? = list.bytes.withUnsafeBytes { all in
            checkTrailers(list, all, streamID)
        }
        if let violation { throw violation }
    }

    private static func checkRequest(_ list: DecodedFieldList, _ all: UnsafeRawBufferPointer,
                                     _ head: inout H2RequestHead) -> HTTP2Violation? {
        let stream = head.streamID
        var pseudo = RequestPseudoHeaders()
        var contentLength = H2ContentLength()
        var firstRegular: Int?
        for index in 0..<list.fields.count {
            let line = list.fields[index]
            let name = UnsafeRawBufferPointer(rebasing: all[line.name])
            let value = UnsafeRawBufferPointer(rebasing: all[line.value])
            if name.first == ASCII.colon {
                if firstRegular != nil { return H2RequestViolation.make(stream, "pseudo-header-after-field", "§8.3") }
                if let broken = pseudo.record(PseudoHeader.classify(name), at: index, stream: stream) { return broken }
                if let broken = H2FieldRules.checkPseudoValue(value, stream: stream) { return broken }
                continue
            }
            if firstRegular == nil { firstRegular = index }
            if let broken = checkRegularField(name, value, line.known, stream: stream) { return broken }
            switch H2FieldRules.classify(name, known: line.known) {
            case .host:
                if head.hostField != nil { return H2RequestViolation.make(stream, "host-duplicate", "§8.3.1") }
                head.hostField = index
            case .contentLength: contentLength.read(value, stream: stream)
            case .cookie: head.cookieFields += 1
            default: break
            }
        }
        head.regularFields = (firstRegular ?? list.fields.count)..<list.fields.count
        if let broken = contentLength.violation { return broken }
        head.contentLength = contentLength.value

        guard let method = pseudo.method else { return H2RequestViolation.make(stream, "pseudo-header-missing", "§8.3.1") }
        head.method = list.fields[method].value
        let methodBytes = UnsafeRawBufferPointer(rebasing: all[head.method])
        let table = ByteClass.table
        guard !methodBytes.isEmpty, methodBytes.allSatisfy({ table[Int($0)].contains(.token) }) else {
            return H2RequestViolation.make(stream, "method-invalid", "§8.3.1")
        }
        head.knownMethod = HTTPMethod.classify(methodBytes)

        if let authority = pseudo.authority {
            let range = list.fields[authority].value
            if let broken = checkAuthority(UnsafeRawBufferPointer(rebasing: all[range]), portRequired: head.isConnect,
                                           reasonPrefix: "authority", stream: stream) {
                return broken
            }
            head.authority = range
        }
        if let host = head.hostField {
            let range = list.fields[host].value
            let hostBytes = UnsafeRawBufferPointer(rebasing: all[range])
            if let broken = checkAuthority(hostBytes, portRequired: false, reasonPrefix: "host", stream: stream) { return broken }
            if let authority = head.authority {
                // Host names are case-insensitive (RFC 3986 §3.2.2); anything else must match exactly.
                guard equalIgnoringASCIICase(hostBytes, UnsafeRawBufferPointer(rebasing: all[authority])) else {
                    return H2RequestViolation.make(stream, "host-authority-mismatch", "§8.3.1")
                }
            } else {
                head.authority = range
            }
        }

        if head.isConnect {
            if pseudo.scheme != nil || pseudo.path != nil {
                return H2RequestViolation.make(stream, "connect-with-scheme-or-path", "§8.5")
            }
            guard let authority = pseudo.authority else {
                return H2RequestViolation.make(stream, "connect-without-authority", "§8.5")
            }
            head.target = list.fields[authority].value
            head.targetForm = .authority
            head.path = head.target.upperBound..<head.target.upperBound
            return nil
        }

        guard let scheme = pseudo.scheme, let path = pseudo.path else {
            return H2RequestViolation.make(stream, "pseudo-header-missing", "§8.3.1")
        }
        head.scheme = list.fields[scheme].value
        if !isScheme(UnsafeRawBufferPointer(rebasing: all[head.scheme!])) {
            return H2RequestViolation.make(stream, "scheme-invalid", "§8.3.1")
        }
        let target = list.fields[path].value
        head.target = target
        let targetBytes = UnsafeRawBufferPointer(rebasing: all[target])
        guard let first = targetBytes.first else { return H2RequestViolation.make(stream, "path-empty", "§8.3.1") }
        if targetBytes.count == 1 && first == ASCII.asterisk {
            guard head.knownMethod == .options else {
                return H2RequestViolation.make(stream, "path-asterisk-not-options", "§8.3.1")
            }
            head.targetForm = .asterisk
            head.path = target.lowerBound..<target.lowerBound
            return nil
        }
        // An absolute path and query only: no authority, no fragment, no space or control byte
        // that an HTTP/1.1 request line would split on (HAProxy CVE-2021-39240).
        let (valid, queryStart) = URISyntax.checkPathAndQuery(targetBytes, from: 0)
        guard first == ASCII.slash, valid else { return H2RequestViolation.make(stream, "path-invalid", "§8.3.1") }
        head.targetForm = .origin
        if let queryStart {
            head.path = target.lowerBound..<(target.lowerBound + queryStart - 1)
            head.query = (target.lowerBound + queryStart)..<target.upperBound
        } else {
            head.path = target
        }
        return nil
    }

    private static func checkTrailers(_ list: DecodedFieldList, _ all: UnsafeRawBufferPointer, _ stream: UInt32) -> HTTP2Violation? {
        for line in list.fields {
            let name = UnsafeRawBufferPointer(rebasing: all[line.name])
            let value = UnsafeRawBufferPointer(rebasing: all[line.value])
            if name.first == ASCII.colon { return H2RequestViolation.make(stream, "pseudo-header-in-trailers", "§8.1") }
            if let broken = checkRegularField(name, value, line.known, stream: stream) { return broken }
            switch H2FieldRules.classify(name, known: line.known) {
            case .contentLength, .host:
                // Framing and routing fields cannot be changed after the fact (RFC 9110 §6.5.1).
                return .stream(stream, "trailer-field-prohibited", .protocolError, "RFC 9110 §6.5.1")
            default: break
            }
        }
        return nil
    }

    /// The rules every regular field obeys: §8.2, §8.2.1 and §8.2.2.
    @inline(__always)
    private static func checkRegularField(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer,
                                          _ known: KnownField, stream: UInt32) -> HTTP2Violation? {
        if let broken = H2FieldRules.checkName(name, stream: stream) { return broken }
        if let broken = H2FieldRules.checkValue(value, stream: stream) { return broken }
        switch H2FieldRules.classify(name, known: known) {
        case .connectionSpecific: return H2RequestViolation.make(stream, "connection-specific-field", "§8.2.2")
        case .te:
            if !H2FieldRules.isTrailersOnly(value) { return H2RequestViolation.make(stream, "te-not-trailers", "§8.2.2") }
        default: break
        }
        return nil
    }

    private static func checkAuthority(_ bytes: UnsafeRawBufferPointer, portRequired: Bool, reasonPrefix: StaticString,
                                       stream: UInt32) -> HTTP2Violation? {
        let isHost = reasonPrefix.utf8CodeUnitCount == 4
        switch URISyntax.checkAuthority(bytes, portRequired: portRequired) {
        case .valid: return nil
        // §8.3.1: no userinfo in http and https authorities.
        case .userinfo: return H2RequestViolation.make(stream, isHost ? "host-userinfo" : "authority-userinfo", "§8.3.1")
        // An empty host is an invalid http URI (RFC 9110 §4.2.1).
        case .empty, .invalid: return H2RequestViolation.make(stream, isHost ? "host-invalid" : "authority-invalid", "§8.3.1")
        }
    }

    /// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1): no URL smuggled in `:scheme`.
    private static func isScheme(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first, (first | 0x20) &- 0x61 < 26 else { return false }
        for byte in bytes.dropFirst() {
            let isAlpha = (byte | 0x20) &- 0x61 < 26
            let isDigit = byte &- 0x30 < 10
            guard isAlpha || isDigit || byte == 0x2b || byte == ASCII.hyphen || byte == 0x2e else { return false }
        }
        return true
    }

    private static func equalIgnoringASCIICase(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count {
            let x = a[index] &- 0x41 < 26 ? a[index] | 0x20 : a[index]
            let y = b[index] &- 0x41 < 26 ? b[index] | 0x20 : b[index]
            if x != y { return false }
        }
        return true
    }
}
