/// Writes a parsed request back to the wire in canonical form: single spaces, `name: value` lines,
/// the body framed as the original was (chunked bodies as one chunk and the trailers).
public enum RequestSerializer {
    public static func serialize(_ request: ParsedRequest) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(request.headLength + request.body.count + 32)
        out += request.method
        out.append(ASCII.space)
        out += request.target
        out.append(ASCII.space)
        out += Array(request.version.description.utf8)
        out += [ASCII.cr, ASCII.lf]
        appendFields(request.fields, to: &out)
        out += [ASCII.cr, ASCII.lf]
        switch request.framing {
        case .none:
            break
        case .contentLength:
            out += request.body
        case .chunked:
            if !request.body.isEmpty {
                out += Array(String(request.body.count, radix: 16).utf8)
                out += [ASCII.cr, ASCII.lf]
                out += request.body
                out += [ASCII.cr, ASCII.lf]
            }
            out += Array("0\r\n".utf8)
            appendFields(request.trailers, to: &out)
            out += [ASCII.cr, ASCII.lf]
        }
        return out
    }

    private static func appendFields(_ fields: [HeaderField], to out: inout [UInt8]) {
        for field in fields {
            out += field.name
            out += [ASCII.colon, ASCII.space]
            out += field.value
            out += [ASCII.cr, ASCII.lf]
        }
    }
}
