import HTTP2Wire
import HTTPWire

/// What `cathammer parse --protocol h2` prints: every frame (a field block as one entry with the
/// fields HPACK decoded from it), the requests or responses the streams form, and every violation,
/// the first of which decides the outcome.
struct HTTP2ParseReport: ParseReport {
    struct Frame: Encodable {
        var index: Int
        var type: String
        var stream: UInt32
        var flags: String?
        var length: Int?
        /// Where the frame (or the field block's last frame) ends in the input.
        var endOffset: Int
        var endStream: Bool?
        var ack: Bool?
        var dataLength: Int?
        var errorCode: String?
        var lastStreamID: UInt32?
        var increment: UInt32?
        var opaqueData: String?
        var settings: [String]?
        var priority: String?
        var promisedStream: UInt32?
        var continuationFrames: Int?
        var blockLength: Int?
        var fields: [ParsedField]?
        var headerListTooLarge: Int?
    }

    struct Message: Encodable {
        var stream: UInt32
        var endOffset: Int
        var method: String?
        var target: String?
        var authority: String?
        var status: Int?
        var informational: [Int]?
        /// Requests: the fields as an HTTP/1.1 hop gets them (host from :authority, cookies joined);
        /// responses: the regular fields as received.
        var fields: [ParsedField]
        var contentLength: Int?
        var bodyLength: Int
        var trailers: [ParsedField]
    }

    struct Violation: Encodable {
        /// connection or stream
        var scope: String
        var stream: UInt32?
        var code: String
        var reason: String
        var rfcSection: String
        var offset: Int
    }

    var `protocol` = "h2"
    /// requests (a client's bytes) or responses (a server's)
    var direction: String
    var inputBytes: Int
    var consumed: Int
    /// valid, rejected (a violation) or incomplete (the input ends inside a frame or a message)
    var outcome: String
    var frames: [Frame] = []
    var requests: [Message]?
    var responses: [Message]?
    /// The first violation: connection errors end the reading, stream errors only their stream.
    var violation: Violation?
    var violations: [Violation] = []
    var incompleteStreams: [UInt32]
    var endsInsideFrame: Bool

    init(bytes: [UInt8], response: Bool, requestMethods: [String]) {
        var reader = HTTP2ConnectionReader(mode: response ? .responses : .requests)
        // The requests a client sent, in order, went out on streams 1, 3, 5, ... (RFC 9113 §5.1.1).
        for (index, method) in requestMethods.enumerated() where method.uppercased() == "HEAD" {
            reader.headRequestStreams.insert(UInt32(2 * index + 1))
        }
        reader.feed(bytes)
        direction = response ? "responses" : "requests"
        inputBytes = bytes.count
        consumed = reader.offset
        incompleteStreams = reader.incompleteStreams
        endsInsideFrame = reader.endsInsideFrame
        var messages: [Message] = []
        for event in reader.events {
            switch event {
            case .frame(let record): frames.append(Self.frame(record, index: frames.count))
            case .fieldBlock(let block): frames.append(Self.frame(block, index: frames.count))
            case .message(let message): messages.append(Self.message(message))
            case .streamError(let violation, let offset): violations.append(Self.violation(violation, offset: offset))
            case .connectionError(let violation, let offset): violations.append(Self.violation(violation, offset: offset))
            }
        }
        if response { responses = messages } else { requests = messages }
        violation = violations.first
        if violation != nil {
            outcome = "rejected"
        } else if endsInsideFrame || !incompleteStreams.isEmpty {
            outcome = "incomplete"
        } else {
            outcome = "valid"
        }
    }

    // MARK: - Conversion

    private static func text(_ bytes: [UInt8]) -> String { ByteEscapes.encode(bytes) }

    private static func fields(_ fields: [HeaderField], _ representations: [HPACKRepresentation]? = nil) -> [ParsedField] {
        fields.enumerated().map { index, field in
            ParsedField(field, representation: representations.map { Self.name(of: $0[index]) })
        }
    }

    private static func name(of representation: HPACKRepresentation) -> String {
        switch representation {
        case .indexed: return "indexed"
        case .incrementalIndexing: return "incremental-indexing"
        case .withoutIndexing: return "without-indexing"
        case .neverIndexed: return "never-indexed"
        }
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let raw = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - raw.count)) + raw
    }

    private static func priority(_ p: HTTP2Priority) -> String {
        "depends on \(p.dependency)\(p.exclusive ? " exclusively" : ""), weight \(Int(p.weight) + 1)"
    }

    private static func frame(_ record: HTTP2FrameRecord, index: Int) -> Frame {
        let header = record.header
        var frame = Frame(index: index, type: header.type.description, stream: header.streamID,
                          flags: "0x" + hex(UInt64(header.flags.rawValue), digits: 2), length: Int(header.length),
                          endOffset: record.endOffset)
        switch record.detail {
        case .data(let data, let endStream):
            frame.dataLength = data.count
            frame.endStream = endStream
        case .priority(let p): frame.priority = priority(p)
        case .rstStream(let code): frame.errorCode = code.name
        case .settings(let settings): frame.settings = settings.map { "\($0.parameter)=\($0.value)" }
        case .settingsAck: frame.ack = true
        case .ping(let opaque, let ack):
            frame.opaqueData = hex(opaque, digits: 16)
            frame.ack = ack
        case .goAway(let last, let code, _):
            frame.lastStreamID = last
            frame.errorCode = code.name
        case .windowUpdate(let increment): frame.increment = increment
        case .unknown: break
        }
        return frame
    }

    private static func frame(_ block: HTTP2FieldBlockRecord, index: Int) -> Frame {
        var frame = Frame(index: index, type: block.kind == .headers ? "HEADERS" : "PUSH_PROMISE", stream: block.streamID,
                          endOffset: block.endOffset)
        if block.kind == .headers { frame.endStream = block.endStream }
        frame.priority = block.priority.map(priority)
        if block.kind == .pushPromise { frame.promisedStream = block.promisedStreamID }
        frame.continuationFrames = block.continuationFrames
        frame.blockLength = block.blockLength
        frame.fields = fields(block.fields, block.representations)
        frame.headerListTooLarge = block.headerListTooLarge
        return frame
    }

    private static func message(_ message: HTTP2Message) -> Message {
        if let request = message.request {
            return Message(stream: message.streamID, endOffset: message.endOffset, method: text(request.method),
                           target: text(request.target), authority: request.authority.map(text),
                           fields: fields(request.fields), contentLength: message.contentLength,
                           bodyLength: message.body.count, trailers: fields(message.trailers))
        }
        let informational = message.informational.compactMap { head in
            head.first { $0.name == Array(":status".utf8) }.flatMap { Int(String(decoding: $0.value, as: UTF8.self)) }
        }
        return Message(stream: message.streamID, endOffset: message.endOffset, status: message.status,
                       informational: informational.isEmpty ? nil : informational,
                       fields: fields(message.head.filter { $0.name.first != UInt8(ascii: ":") }),
                       contentLength: message.contentLength, bodyLength: message.body.count,
                       trailers: fields(message.trailers))
    }

    private static func violation(_ violation: HTTP2Violation, offset: Int) -> Violation {
        var stream: UInt32?
        if case .stream(let id) = violation.scope { stream = id }
        return Violation(scope: stream == nil ? "connection" : "stream", stream: stream, code: violation.code.name,
                         reason: violation.reason, rfcSection: violation.rfcSection, offset: offset)
    }

    // MARK: - Text

    var humanText: String {
        var out = ""
        for frame in frames {
            out += "#\(frame.index) \(frame.type) stream \(frame.stream)"
            if let length = frame.length { out += " length \(length)" }
            if let flags = frame.flags, flags != "0x00" { out += " flags \(flags)" }
            if frame.endStream == true { out += " END_STREAM" }
            if frame.ack == true { out += " ACK" }
            if let dataLength = frame.dataLength, dataLength != frame.length { out += " data \(dataLength)" }
            if let code = frame.errorCode { out += " \(code)" }
            if let last = frame.lastStreamID { out += " last-stream \(last)" }
            if let increment = frame.increment { out += " +\(increment)" }
            if let opaque = frame.opaqueData { out += " \(opaque)" }
            if let settings = frame.settings, !settings.isEmpty { out += " " + settings.joined(separator: " ") }
            if let priority = frame.priority { out += " (\(priority))" }
            if let promised = frame.promisedStream { out += " promises \(promised)" }
            if let count = frame.continuationFrames, count > 0 { out += " + \(count) CONTINUATION" }
            if let blockLength = frame.blockLength { out += ", block \(blockLength) bytes" }
            out += "\n"
            for field in frame.fields ?? [] {
                out += "    \(field.name): \(field.value)\(field.representation.map { "  [\($0)]" } ?? "")\n"
            }
            if let size = frame.headerListTooLarge { out += "    (header list of \(size) bytes over the limit: fields dropped)\n" }
        }
        for message in requests ?? [] {
            out += "request on stream \(message.stream): \(message.method ?? "") \(message.target ?? "")"
            out += ", body \(message.bodyLength) bytes\(message.trailers.isEmpty ? "" : ", \(message.trailers.count) trailer(s)")\n"
        }
        for message in responses ?? [] {
            out += "response on stream \(message.stream): \(message.status ?? 0)"
            if let informational = message.informational { out += " after " + informational.map(String.init).joined(separator: ", ") }
            out += ", body \(message.bodyLength) bytes\(message.trailers.isEmpty ? "" : ", \(message.trailers.count) trailer(s)")\n"
        }
        for violation in violations {
            out += violation.scope == "connection" ? "connection error" : "stream \(violation.stream ?? 0) error"
            out += " \(violation.code): \(violation.reason) (\(violation.rfcSection)) at byte \(violation.offset)\n"
        }
        if endsInsideFrame { out += "input ends inside a frame or field block at byte \(consumed)\n" }
        if !incompleteStreams.isEmpty {
            out += "streams without END_STREAM: " + incompleteStreams.map(String.init).joined(separator: ", ") + "\n"
        }
        let count = (requests ?? responses ?? []).count
        out += "\(outcome): \(frames.count) frame(s), \(count) \(direction.dropLast())(s), \(consumed) of \(inputBytes) bytes read\n"
        return out
    }
}
