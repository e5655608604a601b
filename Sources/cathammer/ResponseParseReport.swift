import HTTPWire

/// What `cathammer parse --response` prints: every response in the stream, with how it was framed.
struct ResponseParseReport: ParseReport {
    struct Entry: Encodable {
        var index: Int
        var offset: Int
        var bytesConsumed: Int
        var version: String
        var status: Int
        var reason: String
        var interim: Bool
        var complete: Bool
        var framing: String
        var bodyLength: Int
        var fields: [ParsedField]
        var trailers: [ParsedField]
        var anomalies: [String]
    }

    var inputBytes: Int
    /// valid (every response complete, no anomaly), anomalous, or incomplete
    var outcome: String
    var responses: [Entry]
    var unparsedBytes: Int

    init(bytes: [UInt8], requestMethods: [String]) {
        var stream = ResponseStreamParser(requestMethods: requestMethods)
        stream.feed(bytes)
        stream.finish()
        inputBytes = bytes.count
        unparsedBytes = stream.pendingBytes
        responses = stream.responses.enumerated().map { index, response in
            Entry(
                index: index, offset: response.byteRange.lowerBound, bytesConsumed: response.byteRange.count,
                version: response.version, status: response.status, reason: ByteEscapes.encode(response.reason),
                interim: response.isInterim, complete: response.complete, framing: "\(response.framing)",
                bodyLength: response.body.count,
                fields: ParsedField.list(response.fields),
                trailers: ParsedField.list(response.trailers),
                anomalies: response.anomalies.map(\.rawValue))
        }
        if responses.contains(where: { !$0.complete }) {
            outcome = "incomplete"
        } else if unparsedBytes > 0 || responses.contains(where: { !$0.anomalies.isEmpty }) {
            outcome = "anomalous"
        } else {
            outcome = "valid"
        }
    }

    var humanText: String {
        var out = ""
        for entry in responses {
            out += "#\(entry.index) \(entry.version) \(entry.status) \(entry.reason)"
            out += entry.interim ? " (interim)" : ""
            out += " → framing \(entry.framing), body \(entry.bodyLength) bytes,"
            out += " bytes \(entry.offset)..<\(entry.offset + entry.bytesConsumed)"
            out += entry.complete ? "" : ", truncated"
            out += entry.anomalies.isEmpty ? "\n" : ", anomalies: \(entry.anomalies.joined(separator: ", "))\n"
        }
        out += "\(outcome): \(responses.count) response(s) in \(inputBytes) bytes"
        out += unparsedBytes > 0 ? ", \(unparsedBytes) bytes unparsed\n" : "\n"
        return out
    }
}
