import HTTPWire

/// What `cathammer parse` prints for a request stream: every request found, accepted or refused.
struct RequestParseReport: ParseReport {
    struct Entry: Encodable {
        var index: Int
        var accepted: Bool
        var offset: Int
        var bytesConsumed: Int?
        var status: Int?
        var reason: String?
        var rfcSection: String?
        var level: String?
        var closesConnection: Bool?
        var method: String?
        var target: String?
        var targetForm: String?
        var authority: String?
        var version: String?
        var fields: [ParsedField]?
        var framing: String?
        var contentLength: Int?
        var bodyLength: Int?
        var trailers: [ParsedField]?
        var keepAlive: Bool?
        var expectsContinue: Bool?
    }

    var inputBytes: Int
    var consumed: Int
    /// valid, rejected or incomplete
    var outcome: String
    var requests: [Entry]
    /// Offset where the unfinished request starts, when the stream ends inside one.
    var incompleteAt: Int?

    init(bytes: [UInt8]) {
        var stream = RequestStreamParser()
        stream.feed(bytes)
        inputBytes = bytes.count
        consumed = stream.consumed
        requests = stream.requests.enumerated().map { index, request in
            var contentLength: Int?
            if case .contentLength(let length) = request.framing { contentLength = length }
            return Entry(
                index: index, accepted: true, offset: request.streamRange.lowerBound,
                bytesConsumed: request.streamRange.count,
                method: ByteEscapes.encode(request.method), target: ByteEscapes.encode(request.target),
                targetForm: request.targetForm.rawValue, authority: request.authority.map(ByteEscapes.encode),
                version: request.version.description, fields: ParsedField.list(request.fields),
                framing: contentLength == nil ? request.framing.description : "content-length",
                contentLength: contentLength, bodyLength: request.body.count,
                trailers: ParsedField.list(request.trailers),
                keepAlive: request.keepAlive, expectsContinue: request.expectsContinue)
        }
        if let violation = stream.violation {
            outcome = "rejected"
            requests.append(Entry(
                index: requests.count, accepted: false, offset: violation.streamOffset, status: violation.status,
                reason: violation.reason.rawValue, rfcSection: violation.rfcSection, level: violation.reason.level,
                closesConnection: violation.closesConnection))
        } else if stream.isInsideRequest {
            outcome = "incomplete"
            incompleteAt = stream.consumed
        } else {
            outcome = "valid"
        }
    }

    var humanText: String {
        var out = ""
        for entry in requests {
            if entry.accepted {
                out += "#\(entry.index) \(entry.method ?? "") \(entry.target ?? "") \(entry.version ?? "")"
                out += " → accepted, framing \(entry.framing ?? "none"), body \(entry.bodyLength ?? 0) bytes,"
                out += " bytes \(entry.offset)..<\(entry.offset + (entry.bytesConsumed ?? 0))"
                out += (entry.keepAlive ?? false) ? "\n" : ", then close\n"
            } else {
                out += "#\(entry.index) rejected: \(entry.status ?? 0) \(entry.reason ?? "")"
                out += " (\(entry.rfcSection ?? ""), \(entry.level ?? "")) at byte \(entry.offset), close\n"
            }
        }
        if let incompleteAt { out += "stream ends inside a request starting at byte \(incompleteAt)\n" }
        out += "\(outcome): \(requests.count) request(s), \(consumed) of \(inputBytes) bytes consumed\n"
        return out
    }
}
