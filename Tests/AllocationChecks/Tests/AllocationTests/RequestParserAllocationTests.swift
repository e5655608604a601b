import CMallocCounter
import Foundation
import XCTest
@testable import HTTPWire

final class RequestParserAllocationTests: XCTestCase {
    /// The counter behind the zero-allocation tests counts what the watched thread allocates, and
    /// only that: an allocation on another thread during the measurement is not the hot path's.
    func testTheMallocCounterCountsTheWatchedThreadOnly() {
        let go = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            go.wait()
            let other = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
            other.deallocate()
            done.signal()
        }.start()
        malloc_counter_start()
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 16)
        buffer.deallocate()
        go.signal()
        done.wait()
        XCTAssertEqual(malloc_counter_stop(), 1, "this thread's allocation counts, the other thread's does not")
    }

    /// The hot path must not touch the heap: a warmed parser over pipelined requests with bodies.
    /// Unoptimized code boxes generics and closures, so the count means something only in release
    /// builds, which is how this package is built by `make test`.
    func testParsingTypicalRequestsAllocatesNothing() throws {
        let requests = Array("""
            GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n\
            Accept-Encoding: gzip, br\r\nConnection: keep-alive\r\nCookie: a=b; c=d\r\n\r\n\
            POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world\
            PUT /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n
            """.utf8)
        var parser = RequestParser()
        func parseAll(_ parser: inout RequestParser) -> Int {
            var completed = 0
            requests.withUnsafeBytes { all in
                var start = 0
                while start < all.count {
                    switch parser.next(UnsafeRawBufferPointer(rebasing: all[start...])) {
                    case .needMore(let consumed), .head(let consumed), .body(_, let consumed): start += consumed
                    case .end(let consumed):
                        start += consumed
                        completed += 1
                    case .rejected: return
                    }
                }
                if case .end = parser.next(UnsafeRawBufferPointer(rebasing: all[start...])) { completed += 1 }
            }
            return completed
        }
        XCTAssertEqual(parseAll(&parser), 3)
        malloc_counter_start()
        var completed = 0
        for _ in 0..<1000 { completed += parseAll(&parser) }
        let allocations = malloc_counter_stop()
        XCTAssertEqual(completed, 3000)
        XCTAssertEqual(allocations, 0, "heap allocations while parsing 3000 requests")
    }
}
