import Foundation
import Glibc
import XCTest

final class StaticFilesTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-static-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let site = root.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("hello, cats\n".utf8).write(to: site.appendingPathComponent("hello.txt"))
        try Data("secret\n".utf8).write(to: root.appendingPathComponent("secret.txt"))
        var big = [UInt8](repeating: 0, count: 1_500_000)
        for index in big.indices { big[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8) }
        try Data(big).write(to: site.appendingPathComponent("big.bin"))
        try FileManager.default.createSymbolicLink(atPath: site.appendingPathComponent("escape.txt").path,
                                                   withDestinationPath: root.appendingPathComponent("secret.txt").path)
        try FileManager.default.createSymbolicLink(atPath: site.appendingPathComponent("inside.txt").path,
                                                   withDestinationPath: "hello.txt")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func get(_ server: ServerProcess, _ target: String, method: String = "GET", extra: String = "") throws -> RawClient.Reply {
        try RawClient.exchange(port: server.port, "\(method) \(target) HTTP/1.1\r\nHost: a\r\n\(extra)Connection: close\r\n\r\n")
    }

    func testFilesAreServedAndTraversalIsRefused() throws {
        let server = try ServerProcess(["-p", "1", "--static-map", "/static=\(root.appendingPathComponent("site").path)"])
        let hello = try get(server, "/static/hello.txt")
        XCTAssertEqual(hello.statuses, [200])
        XCTAssertTrue(hello.text.hasSuffix("\r\n\r\nhello, cats\n"), hello.text)
        XCTAssertTrue(hello.text.contains("Content-Type: text/plain; charset=utf-8"))
        XCTAssertTrue(hello.text.contains("Content-Length: 12"))
        let lastModified = try XCTUnwrap(hello.text.components(separatedBy: "\r\n").first { $0.hasPrefix("Last-Modified: ") })

        let head = try get(server, "/static/hello.txt", method: "HEAD")
        XCTAssertEqual(head.statuses, [200])
        XCTAssertTrue(head.text.hasSuffix("\r\n\r\n"), "HEAD carries no body")
        XCTAssertTrue(head.text.contains("Content-Length: 12"))

        let since = lastModified.replacingOccurrences(of: "Last-Modified", with: "If-Modified-Since")
        XCTAssertEqual(try get(server, "/static/hello.txt", extra: since + "\r\n").statuses, [304])
        XCTAssertEqual(try get(server, "/static/hello.txt", extra: "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT\r\n").statuses, [200])
        XCTAssertEqual(try get(server, "/static/inside.txt").statuses, [200], "a symlink within the directory is fine")

        for attempt in ["/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/sub/%2E%2e/%2e%2e/secret.txt",
                        "/static/sub%2f..%2f..%2fsecret.txt", "/static/%00", "/static/escape.txt", "/static/./hello.txt"] {
            let reply = try get(server, attempt)
            XCTAssertEqual(reply.statuses, [403], attempt)
            XCTAssertFalse(reply.text.contains("secret"), attempt)
        }
        XCTAssertEqual(try get(server, "/static/missing.txt").statuses, [404])
        XCTAssertEqual(try get(server, "/static/sub").statuses, [404], "directories are not listed")
        XCTAssertEqual(try get(server, "/static/hello.txt", method: "POST", extra: "Content-Length: 0\r\n").statuses, [405])
    }

    func testLargeFilesArriveIntactOverSendfile() throws {
        let server = try ServerProcess(["-p", "1", "--static-map", "/files=\(root.appendingPathComponent("site").path)"])
        let client = try RawClient(port: server.port)
        defer { client.close() }
        client.send("GET /files/big.bin HTTP/1.1\r\nHost: a\r\n\r\nGET /files/hello.txt HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        let reply = client.readAll(timeout: 10)
        XCTAssertEqual(reply.statuses.first, 200)
        let expected = try Data(contentsOf: root.appendingPathComponent("site/big.bin"))
        let headEnd = try XCTUnwrap(reply.bytes.firstRange(of: Array("\r\n\r\n".utf8))).upperBound
        XCTAssertEqual(Data(reply.bytes[headEnd..<(headEnd + expected.count)]), expected)
        XCTAssertTrue(reply.text.hasSuffix("hello, cats\n"), "the pipelined request after the file is answered")
    }

    func testABadStaticMapIsAUsageError() throws {
        let missing = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--static-map", "/x=/nonexistent/dir"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("--static-map"), missing.stderr)
        let malformed = try CathammerBinary.run(["serve", "--http", "127.0.0.1:0", "--static-map", "nodir"])
        XCTAssertEqual(malformed.status, 2)
    }
}
