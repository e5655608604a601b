/// The RFC sentence a fuzz finding's case rests on, so a written finding passes `corpus lint`
/// (level MUST needs a quoted MUST sentence) and its FAIL explains itself like any corpus case.
enum FindingQuote {
    /// A MUST sentence for the rejection's section; framing findings default to the persistence rule
    /// (a desync is bytes of one request read as another).
    static func must(forSection section: String) -> String {
        for (prefix, quote) in table where section.hasPrefix(prefix) { return quote }
        return readBody
    }

    static let readBody = "A server MUST read the entire request message body or close the connection after sending its response, since otherwise the remaining data on a persistent connection would be misinterpreted as the next request. (RFC 9112 §9.3)"

    static let table: [(String, String)] = [
        ("RFC 9112 §6.3", "If a Transfer-Encoding header field is present in a request and the chunked transfer coding is not the final encoding, the message body length cannot be determined reliably; the server MUST respond with the 400 (Bad Request) status code and then close the connection. (RFC 9112 §6.3)"),
        ("RFC 9110 §8.6", "If a message is received without Transfer-Encoding and with an invalid Content-Length header field, then the message framing is invalid and the recipient MUST treat it as an unrecoverable error [...]. If the unrecoverable error is in a request message, the server MUST respond with a 400 (Bad Request) status code and then close the connection. (RFC 9112 §6.3)"),
        ("RFC 9112 §5.1", "A server MUST reject, with a response status code of 400 (Bad Request), any received request message that contains whitespace between a header field name and colon. (RFC 9112 §5.1)"),
        ("RFC 9112 §5.2", "A server that receives an obs-fold in a request message that is not within a \"message/http\" container MUST either reject the message by sending a 400 (Bad Request), preferably with a representation explaining that obsolete line folding is unacceptable, or replace each received obs-fold with one or more SP octets prior to interpreting the field value or forwarding the message downstream. (RFC 9112 §5.2)"),
        ("RFC 9112 §3.2", "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field and to any request message that contains more than one Host header field line or a Host header field with an invalid field value. (RFC 9112 §3.2)"),
        ("RFC 9112 §7.1", "A recipient MUST be able to parse the chunked transfer coding (Section 7.1) because it plays a crucial role in framing messages when the content size is not known in advance. (RFC 9112 §6.1)"),
        ("RFC 9112 §2.2", "A recipient of such a bare CR MUST consider that element to be invalid or replace each bare CR with SP before processing the element or forwarding the message. (RFC 9112 §2.2)"),
        ("RFC 9110 §5.5", "Field values containing CR, LF, or NUL characters are invalid and dangerous, due to the varying ways that implementations might parse and interpret those characters; a recipient of CR, LF, or NUL within a field value MUST either reject the message or replace each of those characters with SP before further processing or forwarding of that message. (RFC 9110 §5.5)"),
    ]
}
