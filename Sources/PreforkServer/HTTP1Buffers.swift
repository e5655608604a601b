import Glibc
import HTTPWire

/// The large, request-scoped parts of an HTTP/1.1 session: the strict parser with its field
/// storage, the input buffer, the copied head, body and trailers, the output. A session holds one
/// only while a request is in progress; an idle connection gives it back to the worker's pool, so a
/// keep-alive connection waiting for its next request costs a few hundred bytes, not kilobytes.
final class HTTP1Buffers {
    static let inputCapacity = 16 * 1024

    var parser: RequestParser
    private(set) var input: UnsafeMutableRawPointer
    private(set) var inputCapacity: Int
    /// Bytes of `input` ever written since it was scrubbed: what `scrub` must clear.
    var inputHighWater = 0
    /// The head of the request being handled, copied out of `input` so the buffer can move on.
    var headBytes: [UInt8] = []
    var body: [UInt8] = []
    var trailerBytes: [UInt8] = []
    var trailers: [FieldLine] = []
    var output: [UInt8] = []

    init(limits: ParserLimits) {
        parser = RequestParser(limits: limits)
        inputCapacity = Self.inputCapacity
        input = UnsafeMutableRawPointer.allocate(byteCount: inputCapacity, alignment: 16)
        input.initializeMemory(as: UInt8.self, repeating: 0, count: inputCapacity)
        headBytes.reserveCapacity(1024)
        output.reserveCapacity(4096)
    }

    deinit { input.deallocate() }

    /// Grows the input buffer up to `limit`, keeping its first `keeping` bytes; false at the limit.
    func growInput(keeping: Int, limit: Int) -> Bool {
        guard inputCapacity < limit else { return false }
        let grown = min(inputCapacity * 2, limit)
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
        bigger.initializeMemory(as: UInt8.self, repeating: 0, count: grown)
        bigger.copyMemory(from: input, byteCount: keeping)
        input.deallocate()
        input = bigger
        inputCapacity = grown
        return true
    }

    /// Makes the buffers hold nothing of the connection that used them: no byte of one client may
    /// ever be readable by the session of another.
    func scrub() {
        if inputCapacity > Self.inputCapacity {
            input.deallocate()
            inputCapacity = Self.inputCapacity
            input = UnsafeMutableRawPointer.allocate(byteCount: inputCapacity, alignment: 16)
            input.initializeMemory(as: UInt8.self, repeating: 0, count: inputCapacity)
        } else if inputHighWater > 0 {
            memset(input, 0, inputHighWater)
        }
        inputHighWater = 0
        // removeAll(keepingCapacity:) costs tens of instructions even on an empty array, and most
        // of these are empty after a typical request (callgrind, `make bench-cpu`).
        if !headBytes.isEmpty { headBytes.removeAll(keepingCapacity: true) }
        if !body.isEmpty { body.removeAll(keepingCapacity: true) }
        if !trailerBytes.isEmpty { trailerBytes.removeAll(keepingCapacity: true) }
        if !trailers.isEmpty { trailers.removeAll(keepingCapacity: true) }
        if !output.isEmpty { output.removeAll(keepingCapacity: true) }
        parser.startStream(at: 0)
    }
}

/// A worker's spare `HTTP1Buffers`: taken when a connection's request starts, given back when it
/// goes idle. Taking from a warm pool allocates nothing; the pool keeps at most `limit` spares, so
/// a burst of busy connections does not pin its memory for ever.
final class HTTP1BufferPool {
    private var spares: [HTTP1Buffers] = []
    let limit: Int
    private let parserLimits: ParserLimits

    init(parserLimits: ParserLimits, limit: Int = 32) {
        self.parserLimits = parserLimits
        self.limit = limit
        spares.reserveCapacity(limit)
    }

    var spareCount: Int { spares.count }

    /// Buffers for a stream whose first `streamOffset` bytes were parsed with earlier buffers.
    func take(streamOffset: Int) -> HTTP1Buffers {
        let buffers = spares.popLast() ?? HTTP1Buffers(limits: parserLimits)
        if streamOffset != 0 { buffers.parser.startStream(at: streamOffset) }
        return buffers
    }

    func give(_ buffers: HTTP1Buffers) {
        guard spares.count < limit else { return }
        buffers.scrub()
        spares.append(buffers)
    }
}
