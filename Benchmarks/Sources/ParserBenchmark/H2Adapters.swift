import CAllocationCounter
import CNGHTTP2Driver
import HTTP2Wire

/// What an HTTP/2 reader found; checked against the input.
struct H2Counts: Equatable {
    var requests = 0
    var headerFields = 0
}

protocol H2ReaderAdapter: AnyObject {
    static var name: String { get }
    init(_ input: H2Input)
    /// Reads the input as `iterations` connections, each from a fresh reader.
    func run(iterations: Int) throws -> H2Counts
    /// Reads one connection, counting heap allocations only after `input.warmOffset` (the first fifty
    /// requests warm the reader up); returns them.
    func allocationsOnceWarm() throws -> Int
}

/// HTTP2Wire as the reference server uses it: the frame parser hands each complete field block to
/// the HPACK decoder, which decodes it into a field list the connection keeps.
final class HTTP2WireAdapter: H2ReaderAdapter {
    static let name = "cathammer"
    private let buffer: UnsafeMutableRawBufferPointer
    private let warmOffset: Int

    init(_ input: H2Input) {
        warmOffset = input.warmOffset
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: input.bytes.count, alignment: 16)
        input.bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        self.buffer = buffer
    }

    deinit { buffer.deallocate() }

    private struct Connection {
        var parser = HTTP2FrameParser(role: .server)
        var decoder = HPACKDecoder(maxHeaderListSize: 64 * 1024)
        var list = DecodedFieldList()

        mutating func feed(_ chunk: UnsafeRawBufferPointer, _ counts: inout H2Counts) throws {
            var offset = 0
            while true {
                switch parser.next(chunk, at: &offset) {
                case .needMore:
                    return
                case .headerBlock(let block):
                    do throws(HTTP2Violation) {
                        _ = try decoder.decode(block.fieldBlock, into: &list)
                    } catch {
                        throw BenchmarkError("cathammer refused a field block: \(error)")
                    }
                    counts.headerFields += list.count
                    if block.endStream { counts.requests += 1 }
                case .frame:
                    break
                case .streamError(let violation, _), .connectionError(let violation):
                    throw BenchmarkError("cathammer refused the input: \(violation)")
                }
            }
        }
    }

    func run(iterations: Int) throws -> H2Counts {
        var counts = H2Counts()
        for _ in 0..<iterations {
            var connection = Connection()
            try connection.feed(UnsafeRawBufferPointer(buffer), &counts)
        }
        return counts
    }

    func allocationsOnceWarm() throws -> Int {
        var counts = H2Counts()
        var connection = Connection()
        let all = UnsafeRawBufferPointer(buffer)
        try connection.feed(UnsafeRawBufferPointer(rebasing: all[..<warmOffset]), &counts)
        allocation_counter_start()
        try connection.feed(UnsafeRawBufferPointer(rebasing: all[warmOffset...]), &counts)
        return allocation_counter_stop()
    }
}

/// libnghttp2's server session with HTTP messaging checks off: frames and HPACK, the same work.
final class NGHTTP2Adapter: H2ReaderAdapter {
    static let name = "nghttp2"
    static var version: String { String(cString: cnh_version()) }
    private let bytes: [UInt8]
    private let warmOffset: Int

    init(_ input: H2Input) {
        bytes = input.bytes
        warmOffset = input.warmOffset
    }

    func run(iterations: Int) throws -> H2Counts {
        var counts = cnh_counts()
        try bytes.withUnsafeBufferPointer { all in
            for _ in 0..<iterations {
                guard let connection = cnh_connection_new(&counts) else { throw BenchmarkError("nghttp2: no session") }
                let status = cnh_connection_feed(connection, all.baseAddress, all.count)
                cnh_connection_free(connection)
                guard status == 0 else { throw BenchmarkError("nghttp2 refused the input: \(status)") }
            }
        }
        return H2Counts(requests: counts.requests, headerFields: counts.header_fields)
    }

    func allocationsOnceWarm() throws -> Int {
        var counts = cnh_counts()
        return try bytes.withUnsafeBufferPointer { all in
            guard let connection = cnh_connection_new(&counts) else { throw BenchmarkError("nghttp2: no session") }
            defer { cnh_connection_free(connection) }
            guard cnh_connection_feed(connection, all.baseAddress, warmOffset) == 0 else { throw BenchmarkError("nghttp2 refused") }
            allocation_counter_start()
            let status = cnh_connection_feed(connection, all.baseAddress! + warmOffset, all.count - warmOffset)
            let allocations = allocation_counter_stop()
            guard status == 0 else { throw BenchmarkError("nghttp2 refused the input: \(status)") }
            return allocations
        }
    }
}
