import HTTP2Wire
import HTTPWire

/// Encodes a response's field section as HEADERS (and CONTINUATION) frames: `:status`, the fields
/// every response of this server carries, the application's fields with lowercase names (RFC 9113
/// §8.2.2), then content-length. Connection-specific fields an application might set are dropped
/// (§8.2.2 forbids them in HTTP/2).
struct HTTP2ResponseHead {
    var status: Int
    var fields: [(name: String, value: String)] = []
    /// nil: no content-length (1xx, 204, 304).
    var contentLength: Int?

    /// The values this worker puts in every response.
    struct CommonFields {
        var date: [UInt8]
        var server: [UInt8]
        var worker: [UInt8]
    }

    private static let connectionSpecific: Set<String> = ["connection", "keep-alive", "proxy-connection",
                                                          "transfer-encoding", "upgrade"]

    func append(streamID: UInt32, endStream: Bool, common: CommonFields, encoder: inout HPACKEncoder,
                maxFrameSize: Int, block: inout [UInt8], into out: inout [UInt8]) {
        block.removeAll(keepingCapacity: true)
        encoder.beginBlock(into: &block)
        Self.appendStatus(status, encoder: &encoder, into: &block)
        if status >= 200 {
            Self.append(name: "date", value: common.date, encoder: &encoder, into: &block)
            Self.append(name: "server", value: common.server, encoder: &encoder, into: &block)
            Self.append(name: "x-worker", value: common.worker, encoder: &encoder, into: &block)
        }
        for (name, value) in fields {
            let lowercase = name.lowercased()
            guard !Self.connectionSpecific.contains(lowercase) else { continue }
            encoder.append(name: lowercase, value: value, into: &block)
        }
        if let contentLength {
            var digits: [UInt8] = []
            ResponseEncoder.appendDecimal(contentLength, to: &digits)
            Self.append(name: "content-length", value: digits, encoder: &encoder, into: &block)
        }
        HTTP2FrameEncoder.appendHeaders(streamID: streamID, fieldBlock: block, endStream: endStream,
                                        maxFrameSize: maxFrameSize, into: &out)
    }

    private static func appendStatus(_ status: Int, encoder: inout HPACKEncoder, into block: inout [UInt8]) {
        var digits: [UInt8] = []
        ResponseEncoder.appendDecimal(status, to: &digits)
        append(name: ":status", value: digits, encoder: &encoder, into: &block)
    }

    private static func append(name: StaticString, value: [UInt8], encoder: inout HPACKEncoder,
                               into block: inout [UInt8]) {
        value.withUnsafeBytes { value in
            encoder.append(name: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount),
                           value: value, into: &block)
        }
    }
}
