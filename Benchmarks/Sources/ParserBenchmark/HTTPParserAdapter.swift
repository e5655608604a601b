import CHTTPParserDriver

/// nodejs/http-parser (Debian's libhttp-parser-dev) through the C target CHTTPParserDriver: each buffer is
/// one http_parser_execute call on a freshly initialised parser, with callbacks that count
/// on_message_complete and on_header_field, sum on_body lengths and otherwise return 0.
final class HTTPParserAdapter: ParserAdapter {
    static let name = "http-parser"
    private let buffer: UnsafeMutableRawBufferPointer

    init(_ input: Input) {
        buffer = .allocate(byteCount: input.bytes.count, alignment: 16)
        input.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
    }

    deinit { buffer.deallocate() }

    func run(iterations: Int) throws -> Counts {
        var counts = chp_counts()
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        for _ in 0..<iterations {
            let error = chp_parse_requests(base, buffer.count, &counts)
            guard error == 0 else { throw BenchmarkError("http-parser failed with http_errno \(error)") }
        }
        return Counts(requests: counts.requests, headerFields: counts.header_fields, bodyBytes: counts.body_bytes)
    }

    static var version: String {
        let v = chp_version()
        return "\(v >> 16).\((v >> 8) & 0xFF).\(v & 0xFF)"
    }
}
