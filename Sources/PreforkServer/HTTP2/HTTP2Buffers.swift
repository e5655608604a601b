import Glibc
import HTTP2Wire

/// The large, activity-scoped parts of an HTTP/2 session: the read buffer, the output, the decoded
/// field list and the scratch space a header block is encoded in. A session holds them only while
/// it has streams or output in progress; an idle connection gives them back to the worker's pool
/// and keeps only its protocol state (HPACK tables, windows, the frame parser).
final class HTTP2Buffers {
    static let inputCapacity = 16 * 1024

    let input: UnsafeMutableRawPointer
    /// Bytes of `input` ever written since it was scrubbed: what `scrub` must clear.
    var inputHighWater = 0
    var output: [UInt8] = []
    var fields = DecodedFieldList()
    var headerBlock: [UInt8] = []

    init() {
        input = UnsafeMutableRawPointer.allocate(byteCount: Self.inputCapacity, alignment: 16)
        input.initializeMemory(as: UInt8.self, repeating: 0, count: Self.inputCapacity)
        output.reserveCapacity(16 * 1024)
        headerBlock.reserveCapacity(1024)
    }

    deinit { input.deallocate() }

    /// No byte of one client may ever be readable by the session of another.
    func scrub() {
        if inputHighWater > 0 { memset(input, 0, inputHighWater) }
        inputHighWater = 0
        output.removeAll(keepingCapacity: true)
        fields.removeAll()
        headerBlock.removeAll(keepingCapacity: true)
    }
}

/// A worker's spare `HTTP2Buffers`, like `HTTP1BufferPool`: taken when a connection has work,
/// given back when it goes idle; at most `limit` spares are kept.
final class HTTP2BufferPool {
    private var spares: [HTTP2Buffers] = []
    let limit: Int

    init(limit: Int = 16) { self.limit = limit }

    var spareCount: Int { spares.count }

    func take() -> HTTP2Buffers { spares.popLast() ?? HTTP2Buffers() }

    func give(_ buffers: HTTP2Buffers) {
        guard spares.count < limit else { return }
        buffers.scrub()
        spares.append(buffers)
    }
}
