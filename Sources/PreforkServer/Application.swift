@preconcurrency import Glibc
import HTTP2Wire
import HTTPWire

/// Field lines as views into the bytes that hold them.
struct FieldList {
    let bytes: UnsafeRawBufferPointer
    let lines: ArraySlice<FieldLine>

    init(bytes: UnsafeRawBufferPointer, lines: ArraySlice<FieldLine>) {
        self.bytes = bytes
        self.lines = lines
    }

    init(bytes: UnsafeRawBufferPointer, lines: [FieldLine]) { self.init(bytes: bytes, lines: lines[...]) }

    static var empty: FieldList { FieldList(bytes: UnsafeRawBufferPointer(start: nil, count: 0), lines: []) }

    var count: Int { lines.count }
    func name(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[lines[lines.startIndex + index].name])
    }
    func value(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[lines[lines.startIndex + index].value])
    }

    /// The first value of a field, name compared case-insensitively (RFC 9110 §5.1), as text.
    func firstValue(named lowercaseName: StaticString) -> String? {
        for index in 0..<count where ASCII.equalsLowercase(name(index), lowercaseName) {
            return String(decoding: value(index), as: UTF8.self)
        }
        return nil
    }
}

/// Which scheme the request arrived under: the transport's, not a field the client chose. A
/// listener's scheme too (`--http`, `--https`).
public enum RequestScheme: String, Sendable, Equatable {
    case http, https
}

/// A complete request as an application sees it, whatever the HTTP version it came in: views into
/// the session's buffers, valid only during `Application.handle`. Copy what must outlive the call.
struct RequestView {
    let method: UnsafeRawBufferPointer
    let knownMethod: HTTPMethod
    let scheme: RequestScheme
    /// The request-target as sent (HTTP/1.1), or `:path` (HTTP/2).
    let target: UnsafeRawBufferPointer
    let targetForm: TargetForm
    /// The path; an absolute-form target without one (`http://host`) means "/" (RFC 9110 §4.2.3).
    let path: UnsafeRawBufferPointer
    let query: UnsafeRawBufferPointer?
    /// From an absolute-form target or `:authority`; Host is among `fields`.
    let authority: UnsafeRawBufferPointer?
    let version: HTTPVersion
    /// The regular fields in the order received.
    let fields: FieldList
    /// HTTP/2's pseudo-header fields in the order received; empty for HTTP/1.1.
    var pseudoHeaders = FieldList.empty
    let framing: BodyFraming
    /// Whether the client allows another request on the connection after this one.
    let keepAlive: Bool
    /// The de-chunked body.
    let body: UnsafeRawBufferPointer
    let trailers: FieldList

    /// "/" with a lifetime of the process, for the path of an absolute-form target that has none.
    nonisolated(unsafe) static let rootPath: UnsafeRawBufferPointer = {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 1, alignment: 1)
        storage[0] = 0x2F
        return UnsafeRawBufferPointer(storage)
    }()

    /// Compares the path with a literal without allocating.
    func pathEquals(_ literal: StaticString) -> Bool {
        let path = self.path
        guard path.count == literal.utf8CodeUnitCount else { return false }
        guard let start = path.baseAddress else { return true }
        return memcmp(start, literal.utf8Start, path.count) == 0
    }

    func pathHasPrefix(_ literal: StaticString) -> Bool {
        let path = self.path
        guard path.count >= literal.utf8CodeUnitCount else { return false }
        guard let start = path.baseAddress else { return literal.utf8CodeUnitCount == 0 }
        return memcmp(start, literal.utf8Start, literal.utf8CodeUnitCount) == 0
    }

    /// The value of a query parameter, e.g. `ms` in `/sleep?ms=50`.
    func queryValue(_ name: String) -> Substring? {
        guard let query else { return nil }
        let text = String(decoding: query, as: UTF8.self)
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name { return parts.count > 1 ? parts[1] : "" }
        }
        return nil
    }
}

extension RequestView {
    /// The view of an HTTP/1.1 request: `head`'s ranges index into `headBytes`, the trailers' into
    /// `trailerBytes`.
    init(http1 head: RequestHead, headBytes: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer,
         trailers: [FieldLine], trailerBytes: UnsafeRawBufferPointer, scheme: RequestScheme) {
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: headBytes[range]) }
        method = bytes(head.method)
        knownMethod = head.knownMethod
        self.scheme = scheme
        target = bytes(head.target)
        targetForm = head.targetForm
        path = head.path.isEmpty && head.targetForm == .absolute ? RequestView.rootPath : bytes(head.path)
        query = head.query.map(bytes)
        authority = head.authority.map(bytes)
        version = head.version
        fields = FieldList(bytes: headBytes, lines: head.fields)
        framing = head.framing
        keepAlive = head.keepAlive
        self.body = body
        self.trailers = FieldList(bytes: trailerBytes, lines: trailers)
    }
}

extension RequestView {
    /// The view of an HTTP/2 request: `head`'s ranges index into `fieldBytes`, the decoded field
    /// section of `list`; `endStream` tells whether the HEADERS frame ended the request.
    init(http2 head: H2RequestHead, list: DecodedFieldList, fieldBytes: UnsafeRawBufferPointer, endStream: Bool,
         body: UnsafeRawBufferPointer, trailers: DecodedFieldList, trailerBytes: UnsafeRawBufferPointer,
         scheme: RequestScheme) {
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: fieldBytes[range]) }
        method = bytes(head.method)
        knownMethod = head.knownMethod
        self.scheme = scheme
        target = bytes(head.target)
        targetForm = head.targetForm
        path = bytes(head.path)
        query = head.query.map(bytes)
        authority = head.authority.map(bytes)
        version = .http2
        fields = FieldList(bytes: fieldBytes, lines: list.fields[head.regularFields])
        pseudoHeaders = FieldList(bytes: fieldBytes, lines: list.fields[0..<head.regularFields.lowerBound])
        framing = head.framing(endStream: endStream)
        // A stream ends on its own; the connection stays for the next one.
        keepAlive = true
        self.body = body
        self.trailers = FieldList(bytes: trailerBytes, lines: trailers.fields)
    }
}

/// A response built by an application.
struct Response {
    var status: Int
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    /// HEAD: the head says what GET would, no body bytes follow (RFC 9110 §9.3.2).
    var omitBody = false
    /// A body sent from a file with sendfile(2) instead of `body`.
    var file: FileBody?

    init(status: Int, contentType: String? = nil, body: [UInt8] = [], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.body = body
        self.headers = headers
        if let contentType { self.headers.insert(("Content-Type", contentType), at: 0) }
    }

    static func text(_ status: Int, _ text: String) -> Response {
        Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }
}

/// An open file to send as a response body; closed when the response is done with it.
final class FileBody {
    let fd: Int32
    let length: Int
    var offset = 0

    init(fd: Int32, length: Int) {
        self.fd = fd
        self.length = length
    }

    deinit { close(fd) }
}

/// Where a late answer goes: the session that handed the request to the application (HTTP/1.1 or
/// HTTP/2). `sequence` names the request within it (a request number, or an HTTP/2 stream id).
protocol ResponseSink: AnyObject {
    func deliver(_ response: Response, sequence: UInt64)
    /// Runs `fire` on the session's event loop after `milliseconds`.
    func scheduleCallback(after milliseconds: Int, _ fire: @escaping () -> Void)
}

/// Lets an application answer after `handle` returned (a timer, for /sleep). Answering twice, or
/// after the connection closed, does nothing.
struct PendingResponse {
    private(set) weak var sink: ResponseSink?
    let sequence: UInt64

    init(sink: ResponseSink, sequence: UInt64) {
        self.sink = sink
        self.sequence = sequence
    }

    func send(_ response: Response) { sink?.deliver(response, sequence: sequence) }

    /// Schedules `fire` on the worker's event loop after `milliseconds`.
    func after(milliseconds: Int, _ fire: @escaping () -> Void) {
        sink?.scheduleCallback(after: milliseconds, fire)
    }
}

/// A response whose parts exist already (a static page, a cached document): the connection encodes
/// it straight into its output buffer, so a keep-alive GET costs no allocation.
struct PrebuiltResponse {
    var status: Int
    var contentType: StaticString
    var body: [UInt8]
}

/// What a worker serves. `handle` either returns a response or returns nil and answers later
/// through `pending` (responses still go out in request order: the connection waits).
protocol Application: AnyObject {
    func handle(_ request: RequestView, pending: PendingResponse) -> Response?
    /// The fast path, tried first: a prebuilt answer, or nil to go through `handle`.
    func prebuiltResponse(for request: RequestView) -> PrebuiltResponse?
}

extension Application {
    func prebuiltResponse(for request: RequestView) -> PrebuiltResponse? { nil }
}
