// Value types produced by `ResponseStreamParser`.
//
// Everything is kept as received bytes: the conformance harness must be able to report exactly
// what a server sent, so decoding into `String` only happens in the conveniences.

/// How the end of a response was determined (RFC 9112 §6.3).
public enum ResponseFraming: Sendable, Hashable {
    /// No content: response to HEAD, 1xx, 204, 304.
    case none
    case contentLength(Int)
    case chunked
    /// The body runs until the connection closes; also used once framing became unrecoverable.
    case closeDelimited
    /// 101 Switching Protocols or a 2xx to CONNECT: the rest of the stream is not HTTP/1.1.
    case tunnel
}

/// Protocol deviations noticed while parsing. Raw values are stable identifiers for reports.
public enum ResponseAnomaly: String, Sendable, CaseIterable {
    /// A line ended with LF alone instead of CRLF.
    case bareLF = "bare-lf"
    /// A CR not followed by LF inside a status line, field line or chunk line.
    case bareCR = "bare-cr"
    /// Empty lines preceded the status line.
    case leadingEmptyLines = "leading-empty-lines"
    /// The status line is missing or unparseable; the rest of the stream became one blob.
    case invalidStatusLine = "invalid-status-line"
    /// The status code is not three digits, or lies outside 100...599.
    case invalidStatusCode = "invalid-status-code"
    /// Something other than exactly one SP separates the status line parts.
    case statusLineWhitespace = "status-line-whitespace"
    /// The version is not HTTP/1.0 or HTTP/1.1.
    case unknownVersion = "unknown-version"
    /// A whitespace-preceded line directly after the status line (RFC 9112 §2.2); dropped.
    case whitespaceAfterStatusLine = "whitespace-after-status-line"
    /// Line folding (RFC 9112 §5.2); the value was unfolded.
    case obsFold = "obs-fold"
    /// Whitespace between field name and colon (RFC 9112 §5.1); removed from the name.
    case whitespaceBeforeColon = "whitespace-before-colon"
    /// A field line without a colon; dropped.
    case missingColon = "missing-colon"
    /// A field name that is empty or contains non-token characters.
    case invalidFieldName = "invalid-field-name"
    /// A field value containing control characters other than HTAB.
    case invalidFieldValue = "invalid-field-value"
    /// The head exceeded `maxHeadBytes`; the rest of the stream became one blob.
    case headTooLarge = "head-too-large"
    /// The trailer section exceeded `maxHeadBytes`; the rest of the stream is body.
    case trailerSectionTooLarge = "trailer-section-too-large"
    /// Both Content-Length and Transfer-Encoding; Transfer-Encoding wins (RFC 9112 §6.3 rule 3).
    case contentLengthWithTransferEncoding = "content-length-with-transfer-encoding"
    /// The final transfer coding is not chunked; the body is close-delimited (RFC 9112 §6.3 rule 4).
    case transferEncodingNotChunked = "transfer-encoding-not-chunked"
    /// chunked was applied more than once (RFC 9112 §6.1).
    case repeatedChunked = "repeated-chunked"
    /// A transfer coding that is not registered (chunked, gzip, deflate, compress and x- aliases).
    case unknownTransferCoding = "unknown-transfer-coding"
    /// Transfer-Encoding in an HTTP/1.0 response (RFC 9112 §6.1).
    case transferEncodingInHTTP10 = "transfer-encoding-in-http10"
    /// Transfer-Encoding on 1xx, 204 or a 2xx to CONNECT (RFC 9112 §6.1).
    case forbiddenTransferEncoding = "forbidden-transfer-encoding"
    /// Content-Length on 1xx, 204 or a 2xx to CONNECT (RFC 9110 §8.6).
    case forbiddenContentLength = "forbidden-content-length"
    /// Content-Length is not a number or has conflicting values; the body is close-delimited.
    case invalidContentLength = "invalid-content-length"
    /// Content-Length repeated with identical values; the value is used.
    case duplicateContentLength = "duplicate-content-length"
    /// Malformed chunk size line or missing CRLF after chunk data; the rest is close-delimited.
    case invalidChunk = "invalid-chunk"
    /// Whitespace after a chunk size without a chunk extension; accepted.
    case chunkSizeWhitespace = "chunk-size-whitespace"
    /// EOF arrived before the framing said the message ended.
    case truncated = "truncated"
    /// Bytes after the last response that do not start a response.
    case trailingGarbage = "trailing-garbage"
    /// A final response beyond the number of requests sent.
    case unsolicitedResponse = "unsolicited-response"
    /// Another response followed a final response that carried `Connection: close`.
    case responseAfterConnectionClose = "response-after-connection-close"
}

/// One response split out of a connection's byte stream.
public struct ResponseMessage: Sendable, Equatable {
    /// As received, e.g. "HTTP/1.1"; empty when the status line was unparseable.
    public var version: String
    /// -1 when the status line was unparseable.
    public var status: Int
    public var reason: [UInt8]
    public var fields: [HeaderField]
    public var framing: ResponseFraming
    /// The content with chunked framing removed (other codings are left applied).
    public var body: [UInt8]
    public var trailers: [HeaderField]
    /// A 1xx other than 101: another response follows for the same request.
    public var isInterim: Bool
    /// False when EOF arrived before the framing said the message ended.
    public var complete: Bool
    /// Offsets in the whole stream, including any empty lines before the status line.
    public var byteRange: Range<Int>
    /// In order of first occurrence, each at most once.
    public var anomalies: [ResponseAnomaly]

    public init(
        version: String = "",
        status: Int = -1,
        reason: [UInt8] = [],
        fields: [HeaderField] = [],
        framing: ResponseFraming = .closeDelimited,
        body: [UInt8] = [],
        trailers: [HeaderField] = [],
        isInterim: Bool = false,
        complete: Bool = false,
        byteRange: Range<Int> = 0..<0,
        anomalies: [ResponseAnomaly] = []
    ) {
        self.version = version
        self.status = status
        self.reason = reason
        self.fields = fields
        self.framing = framing
        self.body = body
        self.trailers = trailers
        self.isInterim = isInterim
        self.complete = complete
        self.byteRange = byteRange
        self.anomalies = anomalies
    }

    /// False for the blob that stands in for an unparseable status line.
    public var hasStatusLine: Bool { status >= 0 }

    public var reasonString: String { String(decoding: reason, as: UTF8.self) }

    /// The first value of the named field, compared case-insensitively.
    public func headerBytes(named name: some StringProtocol) -> [UInt8]? {
        fields.first { $0.hasName(name) }?.value
    }

    /// The first value of the named field, compared case-insensitively.
    public func header(named name: some StringProtocol) -> String? {
        headerBytes(named: name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every value of the named field, in order.
    public func headers(named name: some StringProtocol) -> [[UInt8]] {
        fields.filter { $0.hasName(name) }.map(\.value)
    }

    /// Whether a Connection field lists the "close" option (RFC 9112 §9.6).
    public var connectionClose: Bool {
        headers(named: "connection").contains { value in
            ResponseHeadSyntax.listElements(value).contains {
                ASCII.caseInsensitiveEquals($0, "close".utf8)
            }
        }
    }

    public func has(_ anomaly: ResponseAnomaly) -> Bool { anomalies.contains(anomaly) }

    mutating func record(_ anomaly: ResponseAnomaly) {
        if !anomalies.contains(anomaly) { anomalies.append(anomaly) }
    }
}
