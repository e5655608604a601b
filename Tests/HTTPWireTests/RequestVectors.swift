import HTTPWire

/// Byte-exact request vectors with the verdict a strict parser must reach. Every vector is also fed
/// at every split point and byte by byte (SplitInvarianceTests), so each rule is checked both ways.
struct RequestVector: CustomStringConvertible {
    enum Expectation: Equatable {
        /// The whole stream is valid and holds this many requests.
        case accept(Int)
        /// `before` requests are accepted, then the stream is refused for `reason`.
        case reject(ViolationReason, before: Int)
        /// `before` requests are accepted, then the stream ends inside a request.
        case incomplete(before: Int)
    }

    let name: String
    let bytes: [UInt8]
    let expectation: Expectation
    let limits: ParserLimits

    init(_ name: String, _ escaped: String, _ expectation: Expectation, limits: ParserLimits = .defaults) {
        self.name = name
        self.bytes = try! ByteEscapes.decode(escaped)
        self.expectation = expectation
        self.limits = limits
    }

    init(_ name: String, bytes: [UInt8], _ expectation: Expectation, limits: ParserLimits = .defaults) {
        self.name = name
        self.bytes = bytes
        self.expectation = expectation
        self.limits = limits
    }

    var description: String { "\(name): \(ByteEscapes.encode(bytes.prefix(120)))" }
}

private func reject(_ reason: ViolationReason, before: Int = 0) -> RequestVector.Expectation {
    .reject(reason, before: before)
}

private let ok = RequestVector.Expectation.accept(1)
/// Small limits keep the limit vectors short enough to be fed at every split point.
private let small = ParserLimits(
    maxRequestLine: 32, maxFieldLine: 28, maxHeaderSection: 64, maxFieldCount: 3, maxBody: 16,
    maxChunkExtensions: 8, maxTrailerSection: 20, maxLeadingEmptyLines: 2)

enum RequestVectors {
    static let valid: [RequestVector] = [
        .init("simple GET", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", ok),
        .init("HTTP/1.0 without Host", "GET / HTTP/1.0\r\n\r\n", ok),
        .init("POST with Content-Length", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", ok),
        .init("GET with a body is read, not left for the next request",
              "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: a\r\n\r\n", .accept(2)),
        .init("Content-Length zero", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", ok),
        .init("Content-Length with leading zeros is 1*DIGIT", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 005\r\n\r\nhello", ok),
        .init("chunked with extensions and trailers",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b;c\r\nhello\r\n6 ; q = \"x\\\\\"y\" \t;z\r\n world\r\n0\r\nX-Sum: 1\r\nY: 2\r\n\r\n", ok),
        .init("chunked, uppercase hex and coding name",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n", ok),
        .init("chunk size with leading zeros", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0005\r\nhello\r\n000\r\n\r\n", ok),
        .init("empty list elements in Transfer-Encoding are ignored (RFC 9110 §5.6.1.2)",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n", ok),
        .init("three pipelined requests",
              "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok", .accept(3)),
        .init("pipelined chunked then GET",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .accept(2)),
        .init("one empty line before the request-line is ignored", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", ok),
        .init("empty lines between pipelined requests", "GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", .accept(2)),
        .init("absolute-form", "GET http://example.com:8080/a/b?c=d HTTP/1.1\r\nHost: ignored.example\r\n\r\n", ok),
        .init("absolute-form https, no path", "GET https://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", ok),
        .init("absolute-form with an empty Host field", "GET http://example.com/ HTTP/1.1\r\nHost:\r\n\r\n", ok),
        .init("asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", ok),
        .init("authority-form with CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", ok),
        .init("IPv6 literal Host", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", ok),
        .init("IPv6 with IPv4 tail", "GET / HTTP/1.1\r\nHost: [::ffff:127.0.0.1]\r\n\r\n", ok),
        .init("IPvFuture Host", "GET / HTTP/1.1\r\nHost: [v1.fe80::a+en1]\r\n\r\n", ok),
        .init("Host with port and percent-escape", "GET / HTTP/1.1\r\nHost: ex%41mple.com:80\r\n\r\n", ok),
        .init("obs-text in a field value", "GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\\xc3\\xa9\r\n\r\n", ok),
        .init("OWS around values, tabs inside", "GET / HTTP/1.1\r\nHost:\t a \t\r\nX:  b\tc  \r\n\r\n", ok),
        .init("empty field value", "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n", ok),
        .init("token characters in names and methods", "M-!#$%&'*+.^_`|~1 / HTTP/1.1\r\nHost: a\r\nX!#$%&'*+.^_`|~: v\r\n\r\n", ok),
        .init("target with every pchar and a query",
              "GET /a-._~!$&'()*+,;=:@%2F/?q=/?x HTTP/1.1\r\nHost: a\r\n\r\n", ok),
        .init("Expect: 100-continue", "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\nx", ok),
        .init("Expect on HTTP/1.0 is ignored", "PUT / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx", ok),
        .init("Connection options with empty elements", "GET / HTTP/1.1\r\nHost: a\r\nConnection: , close, ,keep-alive, x-opt\r\n\r\n", ok),
        .init("Upgrade on HTTP/1.0 is ignored", "GET / HTTP/1.0\r\nUpgrade: websocket\r\n\r\n", ok),
        .init("lowercase method is another token", "get / HTTP/1.1\r\nHost: a\r\n\r\n", ok),
        .init("identical limits are inclusive",
              "GET /123456789012345 HTTP/1.1\r\nHost: a\r\nX: 12345678901234567890\r\n\r\n", ok,
              limits: ParserLimits(maxRequestLine: 32, maxFieldLine: 23, maxHeaderSection: 36)),
        .init("chunked body exactly at the limit",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n", ok,
              limits: small),
        .init("Content-Length exactly at the limit",
              "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 16\r\n\r\n1234567890123456", ok, limits: small),
        .init("two leading empty lines at a limit of two", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", ok, limits: small),
        .init("only empty lines: nothing to parse", "\r\n\r\n", .accept(0)),
    ]

    static let requestLine: [RequestVector] = [
        .init("two spaces after the method", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", reject(.requestLineWhitespace)),
        .init("tab after the method", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", reject(.requestLineWhitespace)),
        .init("two spaces before the version", "GET /  HTTP/1.1\r\nHost: a\r\n\r\n", reject(.requestLineWhitespace)),
        .init("leading space", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", reject(.requestLineWhitespace)),
        .init("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", reject(.requestLineWhitespace)),
        .init("four parts", "GET /a x HTTP/1.1\r\nHost: a\r\n\r\n", reject(.requestLineInvalid)),
        .init("method longer than any implemented", String(repeating: "M", count: 33) + " / HTTP/1.1\r\nHost: a\r\n\r\n",
              reject(.methodTooLong)),
        .init("32-character method", String(repeating: "M", count: 32) + " / HTTP/1.1\r\nHost: a\r\n\r\n", ok),
        .init("VT between parts", "GET\\x0b/ HTTP/1.1\r\nHost: a\r\n\r\n", reject(.methodInvalid)),
        .init("HTTP/0.9 request-line", "GET /\r\n\r\n", reject(.requestLineInvalid)),
        .init("method only", "GET\r\n\r\n", reject(.requestLineInvalid)),
        .init("bare LF after the request-line", "GET / HTTP/1.1\nHost: a\n\n", reject(.bareLF)),
        .init("bare CR after the request-line", "GET / HTTP/1.1\rHost: a\r\n\r\n", reject(.bareCR)),
        .init("bare LF as a leading empty line", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", reject(.bareLF)),
        .init("too many leading empty lines", "\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
              reject(.tooManyLeadingEmptyLines), limits: small),
        .init("non-token method", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", reject(.methodInvalid)),
        .init("NUL in method", "GE\\x00T / HTTP/1.1\r\nHost: a\r\n\r\n", reject(.methodInvalid)),
        .init("angle brackets in target", "GET /<x> HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalidCharacter)),
        .init("fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalidCharacter)),
        .init("non-ASCII in target", "GET /caf\\xc3\\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalidCharacter)),
        .init("backslash in target", "GET /a\\\\b HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalidCharacter)),
        .init("NUL in target", "GET /\\x00 HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalidCharacter)),
        .init("broken percent-escape", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalid)),
        .init("truncated percent-escape", "GET /%4 HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalid)),
        .init("brackets in a path", "GET /[x] HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalid)),
        .init("relative target", "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalid)),
        .init("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", reject(.versionInvalid)),
        .init("version with three digits", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", reject(.versionInvalid)),
        .init("version without minor", "GET / HTTP/1\r\nHost: a\r\n\r\n", reject(.versionInvalid)),
        .init("HTTP/2.0 over HTTP/1.1 framing", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", reject(.versionUnsupported)),
        .init("HTTP/1.2 is processed as HTTP/1.1 (RFC 9110 §2.5)", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", ok),
        .init("HTTP/1.9 is processed as HTTP/1.1 too", "GET / HTTP/1.9\r\nHost: a\r\n\r\n", ok),
        .init("HTTP/1.2 without Host is an HTTP/1.1 request without Host", "GET / HTTP/1.2\r\n\r\n", reject(.hostMissing)),
        .init("HTTP/3.0", "GET / HTTP/3.0\r\nHost: a\r\n\r\n", reject(.versionUnsupported)),
        .init("HTTP/0.9 with version", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", reject(.versionUnsupported)),
        .init("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", reject(.asteriskFormNotOptions)),
        .init("authority-form with GET", "GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", reject(.authorityFormNotConnect)),
        .init("CONNECT with origin-form", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", reject(.connectWithoutAuthorityForm)),
        .init("CONNECT without a port", "CONNECT example.com HTTP/1.1\r\nHost: a\r\n\r\n", reject(.connectWithoutAuthorityForm)),
        .init("absolute-form with another scheme", "GET ftp://example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", reject(.absoluteFormScheme)),
        .init("absolute-form with userinfo", "GET http://user:pw@example.com/ HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetUserinfo)),
        .init("absolute-form with an empty host", "GET http:///a HTTP/1.1\r\nHost: a\r\n\r\n", reject(.hostEmpty)),
        .init("absolute-form with a bad port", "GET http://a:99999/ HTTP/1.1\r\nHost: a\r\n\r\n", reject(.targetInvalid)),
        .init("request-line over the limit", "GET /1234567890123456789 HTTP/1.1\r\nHost: a\r\n\r\n",
              reject(.requestLineTooLong), limits: small),
        .init("method alone over the limit", "GETGETGETGETGETGETGETGETGETGETGETGET / HTTP/1.1\r\n\r\n",
              reject(.requestLineTooLong), limits: small),
    ]

    static let host: [RequestVector] = [
        .init("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\nX: a\r\n\r\n", reject(.hostMissing)),
        .init("two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", reject(.hostDuplicate)),
        .init("two Host lines, differently cased", "GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n", reject(.hostDuplicate)),
        .init("two Host lines on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", reject(.hostDuplicate)),
        .init("two Host lines with absolute-form", "GET http://a/ HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", reject(.hostDuplicate)),
        .init("empty Host with origin-form", "GET / HTTP/1.1\r\nHost:\r\n\r\n", reject(.hostEmpty)),
        .init("space inside Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", reject(.hostInvalid)),
        .init("userinfo in Host", "GET / HTTP/1.1\r\nHost: user@a\r\n\r\n", reject(.hostInvalid)),
        .init("port out of range", "GET / HTTP/1.1\r\nHost: a:65536\r\n\r\n", reject(.hostInvalid)),
        .init("empty port", "GET / HTTP/1.1\r\nHost: a:\r\n\r\n", reject(.hostInvalid)),
        .init("port with letters", "GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n", reject(.hostInvalid)),
        .init("two ports", "GET / HTTP/1.1\r\nHost: a:80:80\r\n\r\n", reject(.hostInvalid)),
        .init("unclosed IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", reject(.hostInvalid)),
        .init("invalid IPv6 literal", "GET / HTTP/1.1\r\nHost: [1:2:3:4:5:6:7:8:9]\r\n\r\n", reject(.hostInvalid)),
        .init("IPv6 zone id", "GET / HTTP/1.1\r\nHost: [fe80::1%25eth0]\r\n\r\n", reject(.hostInvalid)),
        .init("comma in Host", "GET / HTTP/1.1\r\nHost: a,b\r\n\r\n", reject(.hostInvalid)),
        .init("slash in Host", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", reject(.hostInvalid)),
        .init("port only", "GET / HTTP/1.1\r\nHost: :80\r\n\r\n", reject(.hostInvalid)),
        .init("invalid Host is refused with absolute-form too", "GET http://a/ HTTP/1.1\r\nHost: a b\r\n\r\n", reject(.hostInvalid)),
    ]

    static let fieldSyntax: [RequestVector] = [
        .init("whitespace before the first field", "GET / HTTP/1.1\r\n Host: a\r\n\r\n", reject(.whitespaceBeforeFirstField)),
        .init("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", reject(.obsFold)),
        .init("obs-fold with a tab", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", reject(.obsFold)),
        .init("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", reject(.whitespaceBeforeColon)),
        .init("tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 0\r\n\r\n", reject(.whitespaceBeforeColon)),
        .init("empty field name", "GET / HTTP/1.1\r\nHost: a\r\n: a\r\n\r\n", reject(.fieldNameEmpty)),
        .init("non-token field name", "GET / HTTP/1.1\r\nHost: a\r\nX(y): a\r\n\r\n", reject(.fieldNameInvalid)),
        .init("non-ASCII field name", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\\xa0: chunked\r\n\r\n", reject(.fieldNameInvalid)),
        .init("field line without colon", "GET / HTTP/1.1\r\nHost: a\r\nXa\r\n\r\n", reject(.fieldMissingColon)),
        .init("two words and no colon", "GET / HTTP/1.1\r\nHost: a\r\nX-Cat tom\r\n\r\n", reject(.fieldMissingColon)),
        .init("control character in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\\x01b\r\n\r\n", reject(.fieldValueInvalid)),
        .init("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\\x00\r\n\r\n", reject(.fieldValueNUL)),
        .init("DEL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\\x7f\r\n\r\n", reject(.fieldValueInvalid)),
        .init("VT before a value", "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \\x0bchunked\r\n\r\n", reject(.fieldValueInvalid)),
        .init("bare CR inside a value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\rTransfer-Encoding: chunked\r\n\r\n", reject(.bareCR)),
        .init("bare LF between fields", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", reject(.bareLF)),
        .init("CR CR LF", "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", reject(.bareCR)),
        .init("\\r\\n\\rX ends no header block (Node HackerOne 2054283)", "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n", reject(.bareCR)),
        .init("bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", reject(.bareLF)),
        .init("Content_Length spelled with an underscore", "POST / HTTP/1.1\r\nHost: a\r\nContent_Length: 5\r\n\r\nhello",
              reject(.fieldNameUnderscoreFraming)),
        .init("Transfer_Encoding spelled with an underscore", "POST / HTTP/1.1\r\nHost: a\r\nTransfer_Encoding: chunked\r\n\r\n",
              reject(.fieldNameUnderscoreFraming)),
        .init("field line over the limit", "GET / HTTP/1.1\r\nHost: a\r\nX: 12345678901234567890123456\r\n\r\n",
              reject(.fieldTooLarge), limits: small),
        .init("field name over the limit", "GET / HTTP/1.1\r\nHost: a\r\nX123456789012345678901234567890: 1\r\n\r\n",
              reject(.fieldTooLarge), limits: small),
        .init("too many fields", "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", reject(.tooManyFields), limits: small),
        .init("header section over the limit", "GET / HTTP/1.1\r\nHost: a\r\nA: 123456789012345678901234\r\nB: 123456789012345678901234\r\n\r\n",
              reject(.headerSectionTooLarge), limits: small),
        .init("Connection names a framing field", "GET / HTTP/1.1\r\nHost: a\r\nConnection: Transfer-Encoding\r\n\r\n",
              reject(.connectionNamesFramingField)),
        .init("Connection names Content-Length", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close, content-length\r\n\r\n",
              reject(.connectionNamesFramingField)),
        .init("Connection with a non-token", "GET / HTTP/1.1\r\nHost: a\r\nConnection: keep alive\r\n\r\n", reject(.connectionInvalid)),
        .init("Expect with another expectation", "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
              reject(.expectationUnsupported)),
        .init("obfuscated Expect (GitLab 0.CL)", "POST / HTTP/1.1\r\nHost: a\r\nExpect: y 100-continue\r\nContent-Length: 1\r\n\r\nx",
              reject(.expectationUnsupported)),
    ]

    static let contentLength: [RequestVector] = [
        .init("plus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("minus sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("decimal point", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5.0\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("exponent", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5e0\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("empty", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", reject(.contentLengthInvalid)),
        .init("internal space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n0123456789", reject(.contentLengthInvalid)),
        .init("trailing junk", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("trailing comma", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\nhello", reject(.contentLengthInvalid)),
        .init("different values in a list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", reject(.contentLengthConflict)),
        .init("different values on two lines (CL.CL)", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello",
              reject(.contentLengthConflict)),
        .init("same value in a list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", reject(.contentLengthRepeated)),
        .init("same value on two lines", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
              reject(.contentLengthRepeated)),
        .init("overflow", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", reject(.contentLengthOverflow)),
        .init("over the body limit", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 17\r\n\r\n", reject(.bodyTooLarge), limits: small),
        .init("body shorter than Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc", .incomplete(before: 0)),
    ]

    static let transferEncoding: [RequestVector] = [
        .init("Content-Length and Transfer-Encoding (CL.TE)",
              "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX",
              reject(.transferEncodingWithContentLength)),
        .init("Transfer-Encoding then Content-Length (TE.CL)",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n",
              reject(.transferEncodingWithContentLength)),
        .init("Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", reject(.transferEncodingHTTP10)),
        .init("unknown coding only", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", reject(.transferEncodingNotFinalChunked)),
        .init("identity", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", reject(.transferEncodingNotFinalChunked)),
        .init("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
              reject(.transferEncodingNotFinalChunked)),
        .init("chunked then identity on two lines (dualchunk)",
              "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n",
              reject(.transferEncodingNotFinalChunked)),
        .init("chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
              reject(.transferEncodingChunkedRepeated)),
        .init("chunked on two lines", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
              reject(.transferEncodingChunkedRepeated)),
        .init("gzip then chunked: not implemented", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
              reject(.transferEncodingUnknownCoding)),
        .init("parameters on chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
              reject(.transferEncodingChunkedParameters)),
        .init("quoted chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n", reject(.transferEncodingInvalid)),
        .init("chunked with a trailing word", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked x\r\n\r\n0\r\n\r\n",
              reject(.transferEncodingInvalid)),
        .init("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", reject(.transferEncodingInvalid)),
        .init("only commas", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,,\r\n\r\n", reject(.transferEncodingInvalid)),
        .init("truncated name (lazygrep)", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunk\r\n\r\n", reject(.transferEncodingNotFinalChunked)),
        .init("chunked body", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", ok),
    ]

    private static let chunkedHead = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"

    static let chunked: [RequestVector] = [
        .init("0x prefix", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", reject(.chunkSizeInvalid)),
        .init("plus sign", chunkedHead + "+5\r\nhello\r\n0\r\n\r\n", reject(.chunkSizeInvalid)),
        .init("leading space", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n", reject(.chunkSizeInvalid)),
        .init("empty size", chunkedHead + "\r\nhello\r\n0\r\n\r\n", reject(.chunkSizeInvalid)),
        .init("non-hex", chunkedHead + "g\r\nhello\r\n0\r\n\r\n", reject(.chunkSizeInvalid)),
        .init("underscore (aiohttp CVE-2023-47627)", chunkedHead + "0_2e\r\n\r\n", reject(.chunkSizeInvalid)),
        .init("trailing space without extension", chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", reject(.chunkExtensionInvalid)),
        .init("overflowing size", chunkedHead + "fffffffffffffffff\r\n", reject(.chunkSizeOverflow)),
        .init("bare LF after size (Go CVE-2025-22871)", chunkedHead + "5\nhello\r\n0\r\n\r\n", reject(.chunkLineBareLF)),
        .init("bare CR after size", chunkedHead + "5\rhello\r\n0\r\n\r\n", reject(.bareCR)),
        .init("LF in extension (TERM.EXT, Kestrel CVE-2025-55315)", chunkedHead + "2;\nXX\r\n10\r\n1f\r\n0\r\n\r\n", reject(.chunkLineBareLF)),
        .init("LF alone for an empty chunk size", chunkedHead + "\nhello\r\n0\r\n\r\n", reject(.chunkLineBareLF)),
        .init("CR in extension", chunkedHead + "2;a\rXX\r\n0\r\n\r\n", reject(.bareCR)),
        .init("double CR (Node 5\\r\\r;ABCD)", chunkedHead + "5\r\r;ABCD\r\n", reject(.bareCR)),
        .init("extension without a name", chunkedHead + "5;=b\r\nhello\r\n0\r\n\r\n", reject(.chunkExtensionInvalid)),
        .init("extension value missing", chunkedHead + "5;a=\r\nhello\r\n0\r\n\r\n", reject(.chunkExtensionInvalid)),
        .init("unterminated quoted extension", chunkedHead + "5;a=\"b\r\nhello\r\n0\r\n\r\n", reject(.chunkExtensionInvalid)),
        .init("non-token extension", chunkedHead + "5;a@b\r\nhello\r\n0\r\n\r\n", reject(.chunkExtensionInvalid)),
        .init("two bytes in place of CRLF after data (h11 CVE-2025-43859)", chunkedHead + "5\r\nhelloXX0\r\n\r\n",
              reject(.chunkDataMissingCRLF)),
        .init("LF alone after data (TERM.SPILL)", chunkedHead + "5\r\nhello\n0\r\n\r\n", reject(.chunkDataMissingCRLF)),
        .init("data longer than its size", chunkedHead + "5\r\nAAAAAA\r\n0\r\n\r\n", reject(.chunkDataMissingCRLF)),
        .init("chunked body over the limit", chunkedHead + "8\r\n12345678\r\n9\r\n123456789\r\n0\r\n\r\n",
              reject(.bodyTooLarge), limits: small),
        .init("chunk extensions over the limit", chunkedHead + "1;abcd\r\nx\r\n1;efgh\r\nx\r\n0\r\n\r\n",
              reject(.chunkExtensionsTooLarge), limits: small),
        .init("trailer field", chunkedHead + "0\r\nX: y\r\n\r\n", ok),
        .init("Content-Length in trailers", chunkedHead + "0\r\nContent-Length: 5\r\n\r\n", reject(.trailerFieldProhibited)),
        .init("Transfer-Encoding in trailers", chunkedHead + "0\r\nTransfer-Encoding: chunked\r\n\r\n", reject(.trailerFieldProhibited)),
        .init("Host in trailers", chunkedHead + "0\r\nHost: b\r\n\r\n", reject(.trailerFieldProhibited)),
        .init("obs-fold in trailers", chunkedHead + "0\r\nX: y\r\n z\r\n\r\n", reject(.obsFold)),
        .init("bare LF in trailers", chunkedHead + "0\r\nX: y\n\r\n", reject(.bareLF)),
        .init("trailer section over the limit", chunkedHead + "0\r\nX: 123456789\r\nY: 1234567\r\n\r\n",
              reject(.trailerSectionTooLarge), limits: small),
        .init("stream ends before the last chunk", chunkedHead + "5\r\nhello\r\n", .incomplete(before: 0)),
        .init("stream ends inside the trailers", chunkedHead + "0\r\nX: y\r\n", .incomplete(before: 0)),
    ]

    static let streams: [RequestVector] = [
        .init("valid request then a refused one", "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n", reject(.hostMissing, before: 1)),
        .init("valid request then a partial one", "GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HT", .incomplete(before: 1)),
        .init("head without its final CRLF", "GET / HTTP/1.1\r\nHost: a\r\n", .incomplete(before: 0)),
        .init("smuggled request in a CL body is body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 29\r\n\r\nGET /admin HTTP/1.1\r\nX: y\r\n\r\n",
              ok),
        .init("lone CR at the end", "GET / HTTP/1.1\r\nHost: a\r\n\r\n\r", .incomplete(before: 1)),
    ]

    static var all: [RequestVector] {
        valid + requestLine + host + fieldSyntax + contentLength + transferEncoding + chunked + streams
    }
}
