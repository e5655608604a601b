import CathammerContract
import Foundation
import HTTP2Wire
import HTTPWire

/// What an HTTP/2 case asks of the front, stream by stream: the fields of its field blocks written
/// as field lists (an HPACK block written byte by byte is not decoded: its stream is not compared
/// field by field) and its DATA.
public struct H2ClientRequests: Sendable {
    public struct Stream: Sendable {
        public var id: UInt32
        public var pseudo: [H2Field] = []
        public var fields: [H2Field] = []
        public var data: [UInt8] = []
        /// Every field block and DATA frame of the stream was written declaratively.
        public var interpretable = true

        func pseudoValue(_ name: String) -> [UInt8]? { pseudo.first { $0.name == Array(name.utf8) }?.value }
        func fieldValue(_ name: String) -> [UInt8]? { fields.first { $0.name.lowercasedASCII == Array(name.utf8) }?.value }
    }

    public var streams: [Stream]

    public init(script: H2Script, authority: String) {
        var streams: [UInt32: Stream] = [:]
        var order: [UInt32] = []
        func touch(_ id: UInt32) {
            if streams[id] == nil {
                streams[id] = Stream(id: id)
                order.append(id)
            }
        }
        for step in script.steps {
            guard case .write(let write) = step else { continue }
            for repetition in 0..<min(write.repeatCount, 64) {
                for part in write.parts {
                    guard case .frame(let frame) = part, frame.streamID != 0 else { continue }
                    let id = frame.streamID &+ UInt32(repetition) &* write.streamStep
                    switch frame.type {
                    case HTTP2FrameType.headers.rawValue, HTTP2FrameType.continuation.rawValue:
                        touch(id)
                        guard frame.payload == nil, case .headerBlock(let block) = frame.body, case .fields(let fields) = block else {
                            streams[id]?.interpretable = false
                            continue
                        }
                        for field in fields {
                            let value = CorpusCase.fillHost(field.value, host: authority)
                            if field.name.first == 0x3A {
                                streams[id]?.pseudo.append(H2Field(name: field.name, value: value))
                            } else {
                                streams[id]?.fields.append(H2Field(name: field.name, value: value))
                            }
                        }
                    case HTTP2FrameType.data.rawValue:
                        touch(id)
                        guard frame.payload == nil, case .data(let bytes, let fill) = frame.body, fill == nil else {
                            streams[id]?.interpretable = false
                            continue
                        }
                        streams[id]?.data += bytes
                    default:
                        continue
                    }
                }
            }
        }
        self.streams = order.compactMap { streams[$0] }.filter { !$0.pseudo.isEmpty || !$0.fields.isEmpty || !$0.interpretable }
    }
}

extension [UInt8] {
    var lowercasedASCII: [UInt8] { map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 } }
}

extension ChainJudge {
    /// An HTTP/2 case through a front that speaks HTTP/1.1 to the origin (the downgrade).
    public static func judgeH2(client: H2ClientRequests, origin: OriginWindow) -> [Discrepancy] {
        var found = hopChecks(origin: origin, mostForwardable: client.streams.count, clientUnfinished: false,
                              describeClient: "\(client.streams.count) HTTP/2 stream(s)")
        // Pseudo-header leakage: a pseudo-header value with bytes HTTP/1.1 reads as delimiters (space,
        // CR, LF, controls) found, as sent, in what the origin received (framed or refused).
        for stream in client.streams {
            for name in [":method", ":path", ":authority", ":scheme"] {
                guard let value = stream.pseudoValue(name), value.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
                      let connection = origin.connections.first(where: { OriginWindow.firstIndex(of: value, in: $0.bytes) != nil })
                else { continue }
                let at = OriginWindow.firstIndex(of: value, in: connection.bytes) ?? 0
                found.append(Discrepancy(.pseudoHeaderLeakage,
                    "stream \(stream.id): \(name) «\(ByteEscapes.encode(value))» holds bytes that delimit HTTP/1.1, and reached origin connection #\(connection.id) as they were: «\(excerptAround(at, in: connection.bytes))»",
                    basis: "RFC 9113 §8.3.1", key: name))
            }
        }
        let pairs = Self.pair(origin.requests, with: client.streams)
        // An absolute URI in :path (it holds an absolute-path, or "*") copied into the request line
        // is absolute-form there, whose host the origin must prefer over Host (RFC 9112 §3.2.2).
        for (request, stream) in pairs {
            guard let path = stream.pseudoValue(":path"), path.first != 0x2F, path != Array("*".utf8),
                  Array(request.view.target.utf8) == path else { continue }
            found.append(Discrepancy(.pseudoHeaderLeakage,
                "stream \(stream.id): :path «\(ByteEscapes.encode(path))» is not an absolute-path, and reached the origin as an absolute-form request target, whose authority the origin prefers over Host",
                basis: "RFC 9113 §8.3.1", key: ":path absolute-form"))
        }
        // A front that writes its own chunked framing of the DATA (the origin read exactly the
        // client's body) re-framed the message: the client's transfer-encoding had no effect there.
        let rechunked = Set(pairs.filter { request, stream in
            stream.interpretable && stream.fieldValue("transfer-encoding") != nil && request.view.framing == "chunked"
                && request.view.bodyLength == stream.data.count && request.view.bodySHA256 == SHA256Hex.of(stream.data)
        }.map(\.1.id))
        for id in rechunked.sorted() {
            found.append(Discrepancy(.normalization,
                "stream \(id): the front wrote a chunked framing of the DATA to the origin, which read the client's body exactly",
                basis: "RFC 9112 §7.1"))
        }
        // What the origin's bytes show even when it framed no request (it may still be waiting for
        // the chunked body an HTTP/2 transfer-encoding announced): field lines copied as they were.
        func originConnection(containing needle: [UInt8]) -> OriginWindow.Connection? {
            let lowered = needle.lowercasedASCII
            return origin.connections.first { OriginWindow.firstIndex(of: lowered, in: $0.bytes.lowercasedASCII) != nil }
        }
        var reported: Set<String> = []
        for stream in client.streams {
            if !rechunked.contains(stream.id), let coding = stream.fieldValue("transfer-encoding"), let connection = originConnection(containing: Array("\r\ntransfer-encoding: ".utf8) + coding) {
                reported.insert("\(stream.id) h2-te")
                found.append(Discrepancy(.h2TransferEncodingOrLength,
                    "stream \(stream.id): the client's HTTP/2 transfer-encoding «\(ByteEscapes.encode(coding))» reached origin connection #\(connection.id) as an HTTP/1.1 Transfer-Encoding line (H2.TE)",
                    basis: "RFC 9113 §8.2.2", key: "h2-te"))
            }
            if stream.interpretable, let length = stream.fieldValue("content-length"),
               String(decoding: length, as: UTF8.self).trimmingCharacters(in: .whitespaces) != String(stream.data.count),
               let connection = originConnection(containing: Array("\r\ncontent-length: ".utf8) + length) {
                reported.insert("\(stream.id) h2-cl")
                found.append(Discrepancy(.h2TransferEncodingOrLength,
                    "stream \(stream.id): content-length «\(ByteEscapes.encode(length))» with \(stream.data.count) DATA byte(s), a malformed HTTP/2 request, reached origin connection #\(connection.id) as an HTTP/1.1 Content-Length (H2.CL)",
                    basis: "RFC 9113 §8.1.1", key: "h2-cl"))
            }
            // CR or LF inside a name or value, found as it was at the origin: a new line there.
            for field in stream.fields where (field.name + field.value).contains(where: { $0 == 0x0D || $0 == 0x0A }) {
                let line = field.name + Array(": ".utf8) + field.value
                let needle = field.value.contains(where: { $0 == 0x0D || $0 == 0x0A }) ? field.value : field.name
                guard let connection = originConnection(containing: needle) else { continue }
                reported.insert("\(stream.id) injected")
                found.append(Discrepancy(.injectedField,
                    "stream \(stream.id): the field «\(ByteEscapes.encode(line))» reached origin connection #\(connection.id) with its CR/LF as they were: a field line no client field produced",
                    basis: "RFC 9113 §8.2.1", key: "crlf"))
            }
        }
        for (index, (request, stream)) in pairs.enumerated() {
            let view = request.view
            let number = index + 1
            let label = "request \(number) (stream \(stream.id), \(view.method) \(view.target))"
            // TE and CL from HTTP/2 (H2.TE, H2.CL).
            if !reported.contains("\(stream.id) h2-te"), !rechunked.contains(stream.id), let coding = stream.fieldValue("transfer-encoding"), view.headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
                found.append(Discrepancy(.h2TransferEncodingOrLength,
                    "\(label): the client's HTTP/2 transfer-encoding «\(ByteEscapes.encode(coding))» reached the origin as an HTTP/1.1 Transfer-Encoding (H2.TE)",
                    basis: "RFC 9113 §8.2.2", key: "h2-te"))
            }
            let originLength = view.headers.first { $0.name.lowercased() == "content-length" }?.value
            if !reported.contains("\(stream.id) h2-cl"), stream.interpretable, let length = stream.fieldValue("content-length"),
               String(decoding: length, as: UTF8.self).trimmingCharacters(in: .whitespaces) != String(stream.data.count),
               // Forwarded as it was, or framed into another body; a front that wrote the DATA's true
               // length repaired it (normalization).
               originLength.map({ Array($0.utf8) == length }) == true || view.bodyLength != stream.data.count {
                found.append(Discrepancy(.h2TransferEncodingOrLength,
                    "\(label): content-length «\(ByteEscapes.encode(length))» with \(stream.data.count) DATA byte(s), which makes the HTTP/2 request malformed, was forwarded; the origin read a body of \(view.bodyLength) (H2.CL)",
                    basis: "RFC 9113 §8.1.1", key: "h2-cl"))
            }
            // The body the origin got against the DATA the client sent.
            if stream.interpretable && (view.bodyLength != stream.data.count || view.bodySHA256 != SHA256Hex.of(stream.data)) {
                found.append(Discrepancy(.framing,
                    "\(label): the client's DATA is \(stream.data.count) byte(s); the origin received \(view.bodyLength)",
                    basis: "desync", key: "body"))
            }
            if stream.interpretable {
                let names = Set(stream.fields.map { String(decoding: $0.name.lowercasedASCII, as: UTF8.self) })
                found += injectedFields(view, clientNames: names, number: number)
                var changes: [String] = []
                let originNames = Set(view.headers.map { $0.name.lowercased() })
                let added = originNames.subtracting(names).sorted()
                let removed = names.subtracting(originNames).sorted()
                if !added.isEmpty { changes.append("added \(added.joined(separator: ", "))") }
                if !removed.isEmpty { changes.append("removed \(removed.joined(separator: ", "))") }
                if let authority = stream.pseudoValue(":authority"),
                   let host = view.headers.first(where: { $0.name.lowercased() == "host" })?.value, Array(host.utf8) != authority {
                    changes.append("Host «\(host)» where :authority was «\(ByteEscapes.encode(authority))»")
                }
                if !changes.isEmpty {
                    found.append(Discrepancy(.normalization, "\(label): " + changes.joined(separator: "; "), basis: "RFC 9113 §8.3.1"))
                }
            }
        }
        return found
    }

    /// Which client stream each origin request came from: the first unpaired stream with the same
    /// method and path, else (a front that rewrote them) the first unpaired one. A front that
    /// refuses one stream and forwards the next must not have the next judged against the first.
    static func pair(_ requests: [OriginConnection.Request], with streams: [H2ClientRequests.Stream])
        -> [(OriginConnection.Request, H2ClientRequests.Stream)] {
        var unpaired = streams
        var pairs: [(OriginConnection.Request, H2ClientRequests.Stream)] = []
        for request in requests {
            guard !unpaired.isEmpty else { break }
            let matching = unpaired.firstIndex {
                $0.pseudoValue(":method") == Array(request.view.method.utf8) && $0.pseudoValue(":path") == Array(request.view.target.utf8)
            }
            pairs.append((request, unpaired.remove(at: matching ?? 0)))
        }
        return pairs
    }
}
