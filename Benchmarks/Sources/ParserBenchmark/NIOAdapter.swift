import NIOCore
import NIOEmbedded
import NIOHTTP1

/// SwiftNIO's HTTPRequestDecoder (llhttp inside) as NIO users pay for it: an EmbeddedChannel per run with
/// ByteToMessageHandler(HTTPRequestDecoder()), each buffer written inbound as a ByteBuffer and every
/// HTTPServerRequestPart read back out; `.end` parts are counted, header fields and body bytes summed.
final class NIOAdapter: ParserAdapter {
    static let name = "NIO"
    private let buffer: ByteBuffer

    init(_ input: Input) {
        buffer = ByteBuffer(bytes: input.bytes)
    }

    func run(iterations: Int) throws -> Counts {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        defer { _ = try? channel.finish() }
        var counts = Counts()
        for _ in 0..<iterations {
            try channel.writeInbound(buffer)
            while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
                switch part {
                case .head(let head): counts.headerFields += head.headers.count
                case .body(let body): counts.bodyBytes += body.readableBytes
                case .end: counts.requests += 1
                }
            }
        }
        return counts
    }
}
