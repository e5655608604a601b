import HTTPWire

/// The version-independent request model HTTP/1.1 applications use, filled from an HTTP/2 request.
extension H2RequestHead {
    /// How the body is delimited: the declared content-length, nothing when the HEADERS carried
    /// END_STREAM, otherwise END_STREAM itself, which an HTTP/1.1 hop can only express as chunked.
    public func framing(endStream: Bool) -> BodyFraming {
        if let contentLength { return .contentLength(contentLength) }
        return endStream ? .none : .chunked
    }

    /// The head as HTTPWire's `RequestHead`, ranges into `list.bytes`; fields are the regular ones.
    public func requestHead(in list: DecodedFieldList, endStream: Bool) -> RequestHead {
        var head = RequestHead()
        head.method = method
        head.knownMethod = knownMethod
        head.target = target
        head.targetForm = targetForm
        head.path = path
        head.query = query
        head.authority = authority
        head.version = .http2
        head.fields = Array(list.fields[regularFields])
        head.framing = framing(endStream: endStream)
        // HTTP/2 streams end on their own; the connection stays for the next request.
        head.keepAlive = true
        head.expectsContinue = list.bytes.withUnsafeBytes { all in
            head.fields.contains { $0.known == .expect && ASCII.equalsLowercase(UnsafeRawBufferPointer(rebasing: all[$0.value]), "100-continue") }
        }
        return head
    }

    /// A copy as HTTPWire's `ParsedRequest`, shaped as an HTTP/1.1 gateway forwards it: `host`
    /// first, made from `:authority` when the client sent none (RFC 9113 §8.3.1); `cookie` fields
    /// joined with "; " into one (§8.2.3); `transfer-encoding: chunked` when the body runs to
    /// END_STREAM without a content-length. The body is left for the caller to append.
    public func parsedRequest(in list: DecodedFieldList, endStream: Bool) -> ParsedRequest {
        let head = requestHead(in: list, endStream: endStream)
        var request = list.bytes.withUnsafeBytes { ParsedRequest(head: head, in: $0, streamOffset: 0) }
        if cookieFields > 1 {
            let cookie = Array("cookie".utf8)
            var joined: [UInt8] = []
            var first: Int?
            for (position, field) in request.fields.enumerated() where field.name == cookie {
                if first == nil { first = position } else { joined += [ASCII.semicolon, ASCII.space] }
                joined += field.value
            }
            if let first {
                request.fields[first].value = joined
                var seen = false
                request.fields.removeAll { field in
                    guard field.name == cookie else { return false }
                    defer { seen = true }
                    return seen
                }
            }
        }
        if hostField == nil, let authority {
            request.fields.insert(HeaderField(name: Array("host".utf8), value: Array(list.bytes[authority])), at: 0)
        }
        if case .chunked = head.framing {
            request.fields.append(HeaderField(name: Array("transfer-encoding".utf8), value: Array("chunked".utf8)))
        }
        return request
    }
}
