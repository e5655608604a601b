import HTTP2Wire
import HTTPWire

/// One HTTP/2 benchmark input: a client's bytes on one connection (preface, SETTINGS, then one
/// HEADERS frame with END_STREAM per request), and what a correct read finds.
struct H2Input {
    let name: String
    let bytes: [UInt8]
    let requests: Int
    /// Fields (pseudo-headers included) over all requests.
    let headerFields: Int
    /// Where the 50th request ends: allocations are counted after it, once the connection and its
    /// dynamic table are warm (the table grows its storage as it fills, RFC 7541 §4 sizes bound it).
    let warmOffset: Int
}

/// A browser's navigation request: 4 pseudo-headers and 15 fields, three of them cookie crumbs
/// (RFC 9113 §8.2.3), as Firefox sends them.
private func browserRequest(_ number: Int) -> [(String, String)] {
    [(":method", "GET"), (":scheme", "https"), (":authority", "www.cathammer.example"),
     (":path", "/cats/\(number)/photos?size=large&sort=newest&page=2"),
     ("user-agent", "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
     ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
     ("accept-language", "en-US,en;q=0.5"),
     ("accept-encoding", "gzip, deflate, br, zstd"),
     ("referer", "https://www.cathammer.example/cats/\(number)"),
     ("upgrade-insecure-requests", "1"),
     ("sec-fetch-dest", "document"),
     ("sec-fetch-mode", "navigate"),
     ("sec-fetch-site", "same-origin"),
     ("sec-fetch-user", "?1"),
     ("priority", "u=0, i"),
     ("te", "trailers"),
     ("cookie", "session=6f1c2e9a4b7d4c0e8f3a2b1c0d9e8f7a"),
     ("cookie", "theme=dark; lang=en"),
     ("cookie", "_ga=GA1.2.1234567890.1700000000; _gid=GA1.2.987654321.1700000000")]
}

private let requestsPerConnection = 100

/// Encodes one request as a browser does: every field indexed (RFC 7541 §6.2.1) except `:path`,
/// which changes from request to request, Huffman where shorter.
private func encode(_ fields: [(String, String)], with encoder: inout HPACKEncoder, into block: inout [UInt8]) {
    encoder.beginBlock(into: &block)
    for (name, value) in fields {
        encoder.append(name: name, value: value, indexing: name == ":path" ? .withoutIndexing : .incremental, into: &block)
    }
}

private func connection(_ name: String, emptyTableEachRequest: Bool) -> H2Input {
    var bytes = HTTP2ConnectionPreface.bytes
    HTTP2FrameEncoder.appendSettings([], into: &bytes)
    var shared = HPACKEncoder(policy: .indexEverything, huffman: .whenShorter)
    var warmOffset = 0
    var fields = 0
    for index in 0..<requestsPerConnection {
        let request = browserRequest(index + 1)
        fields += request.count
        var block: [UInt8] = []
        if emptyTableEachRequest {
            // Size updates to 0 and back at the start of the block empty the decoder's table (RFC 7541
            // §4.2, §6.3): every request is decoded as the first of a connection would be.
            block += [0x20, 0x3f, 0xe1, 0x1f]  // 001 00000: size 0; 001 11111 + 4065 (RFC 7541 §5.1): 4096
            var fresh = HPACKEncoder(policy: .indexEverything, huffman: .whenShorter)
            encode(request, with: &fresh, into: &block)
        } else {
            encode(request, with: &shared, into: &block)
        }
        HTTP2FrameEncoder.appendHeaders(streamID: UInt32(2 * index + 1), fieldBlock: block, endStream: true, into: &bytes)
        if index == 49 { warmOffset = bytes.count }
    }
    return H2Input(name: name, bytes: bytes, requests: requestsPerConnection, headerFields: fields, warmOffset: warmOffset)
}

/// `--h2-input empty|indexing` keeps one input, e.g. to count instructions under callgrind.
let h2Inputs: [H2Input] = {
    let all = [
        ("empty", connection("browser request, empty table", emptyTableEachRequest: true)),
        ("indexing", connection("100 requests, indexing", emptyTableEachRequest: false)),
    ]
    let arguments = CommandLine.arguments
    guard let flag = arguments.firstIndex(of: "--h2-input"), flag + 1 < arguments.count else { return all.map(\.1) }
    return all.filter { $0.0 == arguments[flag + 1] }.map(\.1)
}()
