/// Drives a `RequestParser` over a connection's byte stream the way a server does: bytes arrive in
/// any chunking, are appended to one buffer, and complete requests come out as copies.
/// This is the oracle the harness, the fuzzer and `cathammer parse` share.
public struct RequestStreamParser: Sendable {
    public private(set) var parser: RequestParser
    public private(set) var requests: [ParsedRequest] = []
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte the parser has not consumed.
    private var start = 0
    private var current: ParsedRequest?
    /// Where the head of `current` sits in `buffer`, kept until the message ends.
    private var messageStart = 0

    public init(limits: ParserLimits = .defaults) {
        parser = RequestParser(limits: limits)
    }

    public var violation: HTTPViolation? { parser.violation }
    /// Bytes of the stream taken by complete requests: where the next request starts (or the refused one).
    public private(set) var consumed = 0
    /// A request has started but not ended (RFC 9112 §8: incomplete if the stream ends now).
    public var isInsideRequest: Bool { violation == nil && (current != nil || !parser.isBetweenMessages) }

    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        guard violation == nil else { return }
        buffer.append(contentsOf: bytes)
        // Moved out while the parser (another part of self) is mutated; moved back at the end.
        var input: [UInt8] = []
        swap(&input, &buffer)
        defer { swap(&input, &buffer) }
        input.withUnsafeBytes { all in
            loop: while true {
                let pending = UnsafeRawBufferPointer(rebasing: all[start...])
                switch parser.next(pending) {
                case .needMore(let consumed):
                    start += consumed
                    break loop
                case .head(let consumed):
                    current = ParsedRequest(head: parser.head, in: pending, streamOffset: parser.streamOffset - consumed)
                    start += consumed
                case .body(let range, let consumed):
                    current?.body.append(contentsOf: pending[range])
                    start += consumed
                case .end(let consumed):
                    guard var request = current else { preconditionFailure("end without head") }
                    request.trailers = parser.trailers.map {
                        HeaderField(name: Array(pending[$0.name]), value: Array(pending[$0.value]))
                    }
                    request.streamRange = request.streamRange.lowerBound..<parser.streamOffset
                    requests.append(request)
                    self.consumed = parser.streamOffset
                    current = nil
                    start += consumed
                case .rejected:
                    break loop
                }
            }
        }
        // Drop what is consumed so a long-lived stream does not grow without bound.
        if start > 64 * 1024 && start > input.count / 2 {
            input.removeFirst(start)
            start = 0
        }
    }
}
