import Foundation
import HTTPWire

/// Framing field lines as request-smuggling scanners send them (PortSwigger DesyncBox, defparam
/// smuggler, smugglex; see shared/notes/conformance.md §1.1). Each is a whole field line with CRLF,
/// or several lines; `{n}` in a Content-Length template is replaced by a length.
enum FramingObfuscations {
    static let transferEncoding: [String] = [
        "Transfer-Encoding: chunked", "Transfer_Encoding: chunked", "Transfer Encoding: chunked",
        "Transfer-Encoding : chunked", "Transfer-Encoding:chunked", "Transfer-Encoding\n : chunked",
        "Transfer-Encoding x: chunked", "Transfer\\Encoding: chunked", "Transfer-Encoding\u{85}: chunked",
        "Transfer-Encoding\u{A0}: chunked", "TRANSFER-ENCODING: CHUNKED", "tRANSFER-ENCODING: chunked",
        "Transfer-Encoding\t: chunked", "Transfer-Encoding\u{0B}: chunked", "Transfer-Encoding\u{0C}: chunked",
        " Transfer-Encoding: chunked", "\tTransfer-Encoding: chunked", "Transfer-Encoding:\n chunked",
        "Transfer-Encoding:\r\n \r\n chunked", "Foo: bar\rTransfer-Encoding: chunked", "Foo: bar\nTransfer-Encoding: chunked",
        "Foo: bar\r\n\rTransfer-Encoding: chunked", "Tra\rnsfer-Encoding: chunked", "Transfer-Encoding: \r\n\tchunked",
        "Transfer-Encoding: \n\u{0B}chunked", "Transfer-Encoding:  chunked", "Transfer-Encoding:\tchunked",
        "Transfer-Encoding: \u{0B}chunked", "Transfer-Encoding: chunked\r", "Transfer-Encoding: chunked\t",
        "Transfer-Encoding: chunked\u{0B}", "Transfer-Encoding:\u{FF}chunked", "Transfer-Encoding: chunked, identity",
        "Transfer-Encoding: identity, chunked", "Transfer-Encoding: identity, chunked, identity",
        "Transfer-Encoding: \"chunked\"", "Transfer-Encoding: 'chunked'", "Transfer-Encoding: chunk",
        "Transfer-Encoding: ch\u{96}nked", "Transfer-Encoding: =?UTF-8?B?Y2h1bmtlZA==?=", "Content-Encoding: chunked",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity", "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked",
        "Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
        "Transfer-Encoding: chunked, chunked", "Transfer-Encoding: chunked;q=1", "Transfer-Encoding: ,chunked",
        "Transfer-Encoding: chunked,", "Transfer-Encoding: cow chunked bar", "X: X\rTransfer-Encoding: chunked",
        "X: X\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nX: X",
    ]

    static let contentLength: [String] = [
        "Content-Length: {n}", "Content-Length: +{n}", "Content-Length: -{n}", "Content-Length: 0{n}", "Content-Length: 00000000000{n}",
        "Content-Length: 0 {n}", "Content-Length: {n}e0", "Content-Length: {n}.0", "Content-Length: 0, {n}", "Content-Length: {n}, 0",
        "Content-Length: {n}, {n}", "Content-Length: 0x0{n}", "Content-Length: {n}\u{0}", "Content-Length: {n} ", "Content-Length : {n}",
        "content-length: {n}", "Content_Length: {n}", "Content-Length:{n}", "Content-Length:\t{n}", "Content-Length:",
        "Content-Length: {n}\r\nContent-Length: 0", "Content-Length: 0\r\nContent-Length: {n}", "Content-Length: {n}\r\nContent-Length: {n}",
        "Content-Length:\r\n {n}", "Content-Length: 99999999999999999999", "Content-Length: 18446744073709551617",
        "X-Invalid Y: \r\nContent-Length: {n}", "Expect: 100-continue\r\nContent-Length: {n}", "Expect: x 100-continue\r\nContent-Length: {n}",
        "Content-Length: {n}_0", "Content-Length: \u{0B}{n}",
    ]

    /// Other fields that change how a request is read or answered.
    static let other: [String] = [
        "Connection: close", "Connection: keep-alive", "Connection: Content-Length", "Expect: 100-continue", "Upgrade: h2c",
        "Host: b", "Host: {host}", "Trailer: Content-Length", "TE: trailers", "X: y", ": empty-name", "X-No-Colon",
        "Range: bytes=0-0",
    ]

    static func line(_ template: String, length: Int) -> [UInt8] {
        // Scalars below 0x100 stand for one byte each (\u{85} is the byte 0x85, not UTF-8).
        let text = template.replacingOccurrences(of: "{n}", with: String(length))
        return text.unicodeScalars.compactMap { $0.value < 0x100 ? UInt8($0.value) : nil } + ASCII.crlf
    }
}
