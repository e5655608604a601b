/// Writes response heads into a connection's reusable output buffer: status lines are prebuilt,
/// numbers are written digit by digit, so a small response costs no allocation.
enum ResponseEncoder {
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 417: return "Expectation Failed"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }

    /// "HTTP/1.1 200 OK\r\n" for the common codes, built once, indexed by the code: a dictionary
    /// cost a hash per response (callgrind: ~200 instructions, `make bench-cpu`).
    private static let statusLines: [[UInt8]?] = {
        var lines = [[UInt8]?](repeating: nil, count: 600)
        for status in [100, 200, 204, 206, 301, 304, 400, 403, 404, 405, 408, 411, 413, 414, 417, 431, 500, 501, 503, 505] {
            lines[status] = Array("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n".utf8)
        }
        return lines
    }()

    static func appendStatusLine(_ status: Int, to out: inout [UInt8]) {
        if status >= 0 && status < statusLines.count, let line = statusLines[status] {
            out.append(contentsOf: line)
        } else {
            out.append(contentsOf: Array("HTTP/1.1 \(status) \(reasonPhrase(status))\r\n".utf8))
        }
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value == 0 {
            out.append(0x30)
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value.magnitude
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[count] = UInt8(0x30 + rest % 10)
                rest /= 10
                count += 1
            }
            if value < 0 { out.append(UInt8(ascii: "-")) }
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    static func appendHeader(_ name: StaticString, _ value: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(0x3A)
        out.append(0x20)
        out.append(contentsOf: UnsafeBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        out.append(0x0D)
        out.append(0x0A)
    }

    /// A field an application put in its response (names and values of its own making, never
    /// copied from a request, so no CR or LF can reach the wire through them).
    static func appendHeader(_ name: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        out.append(0x3A)
        out.append(0x20)
        out.append(contentsOf: value.utf8)
        out.append(0x0D)
        out.append(0x0A)
    }

    static func appendContentLength(_ length: Int, to out: inout [UInt8]) {
        let name: StaticString = "Content-Length: "
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        appendDecimal(length, to: &out)
        out.append(0x0D)
        out.append(0x0A)
    }
}
