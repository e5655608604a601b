// How a response's end is found (RFC 9112 §6.3): from its status, the request method and the
// Transfer-Encoding and Content-Length fields.

extension ResponseMessage {
    /// Applies the §6.3 rules in order. Anomalies about the framing fields are noted even when an
    /// earlier rule decides, because the harness reports what the server sent.
    mutating func applyFramingRules(requestMethod: String) {
        let transferEncodingFields = fields.filter { $0.hasName("transfer-encoding") }
        let contentLengthFields = fields.filter { $0.hasName("content-length") }
        let hasTransferEncoding = !transferEncodingFields.isEmpty
        let hasContentLength = !contentLengthFields.isEmpty
        let isConnectSuccess = requestMethod == "CONNECT" && (200...299).contains(status)

        if hasTransferEncoding && hasContentLength {
            record(.contentLengthWithTransferEncoding)
        }
        if (100...199).contains(status) || status == 204 || isConnectSuccess {
            if hasTransferEncoding { record(.forbiddenTransferEncoding) }
            if hasContentLength { record(.forbiddenContentLength) }
        }
        if hasTransferEncoding && version == "HTTP/1.0" {
            record(.transferEncodingInHTTP10)
        }
        let codings = Self.transferCodings(transferEncodingFields, anomalies: &anomalies)
        let contentLength = Self.contentLength(contentLengthFields, anomalies: &anomalies)

        if status == 101 {
            framing = .tunnel
        } else if requestMethod == "HEAD" || (100...199).contains(status) || status == 204 || status == 304 {
            framing = .none
        } else if isConnectSuccess {
            framing = .tunnel
        } else if hasTransferEncoding {
            if codings.last == "chunked" {
                framing = .chunked
            } else {
                record(.transferEncodingNotChunked)
                framing = .closeDelimited
            }
        } else if let contentLength {
            framing = .contentLength(contentLength)
        } else {
            framing = .closeDelimited  // no Content-Length, or an invalid one (rule 5)
        }
    }

    /// The lowercased coding names of all Transfer-Encoding fields, in order.
    private static func transferCodings(_ fields: [HeaderField], anomalies: inout [ResponseAnomaly]) -> [String] {
        let registered: Set<String> = ["chunked", "gzip", "x-gzip", "deflate", "compress", "x-compress"]
        let codings = fields
            .flatMap { ResponseHeadSyntax.listElements($0.value) }
            .filter { !$0.isEmpty }  // RFC 9110 §5.6.1: empty list elements are ignored
            .map { element in
                let name = ResponseHeadSyntax.trimmingWhitespace(element.prefix { $0 != ASCII.semicolon })
                return String(decoding: name.map(ASCII.lowercased), as: UTF8.self)
            }
        if codings.contains(where: { !registered.contains($0) }) {
            anomalies.record(.unknownTransferCoding)
        }
        if codings.filter({ $0 == "chunked" }).count > 1 {
            anomalies.record(.repeatedChunked)
        }
        return codings
    }

    /// The Content-Length value, or nil when absent or invalid. Identical repeats, in separate
    /// fields or as a list, are accepted as RFC 9110 §8.6 allows.
    private static func contentLength(_ fields: [HeaderField], anomalies: inout [ResponseAnomaly]) -> Int? {
        let elements = fields.flatMap { ResponseHeadSyntax.listElements($0.value) }
        guard !elements.isEmpty else { return nil }
        var length: Int?
        for element in elements {
            let significant = element.drop { $0 == UInt8(ascii: "0") }
            guard !element.isEmpty, significant.count <= 18, element.allSatisfy(ASCII.isDigit) else {
                anomalies.record(.invalidContentLength)
                return nil
            }
            let value = significant.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            if let length, length != value {
                anomalies.record(.invalidContentLength)
                return nil
            }
            length = value
        }
        if elements.count > 1 {
            anomalies.record(.duplicateContentLength)
        }
        return length
    }
}
