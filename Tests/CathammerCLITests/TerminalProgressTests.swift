import Foundation
import XCTest

/// The live progress line end to end, under a pseudo-terminal (python3's pty module): one redrawn
/// line, per-case lines only for FAIL/WARN/FLAKY, colors unless NO_COLOR; --quiet draws nothing.
final class TerminalProgressTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-pty-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        addTeardownBlock { [root] in try? FileManager.default.removeItem(at: root!) }
        let cases = [("host", "T-PASSES-ONE", "400 close", "GET / HTTP/1.1\\r\\nHost: {host}\\r\\nHost: b\\r\\n\\r\\n", nil as String?),
                     ("positive", "T-PASSES-TWO", "200", "GET /cats/1 HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n", nil),
                     ("limits", "T-WARNS", "200", "GET /missing HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n", "404"),
                     ("limits", "T-FAILS", "200", "GET /missing HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n", nil)]
        for (category, id, pass, send, warn) in cases {
            let folder = root.appendingPathComponent("corpus/\(category)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("""
                id: \(id)
                title: \(id)
                category: \(category)
                level: MUST
                rfc: RFC 9112 §3.2
                quote: 'A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field.'
                why: A case of the terminal test.
                steps:
                  - send: '\(send)'
                expect:
                  pass: ["\(pass)"]
                \(warn.map { "  warn: [\"\($0)\"]" } ?? "")

                """.utf8).write(to: folder.appendingPathComponent("\(id).yaml"))
        }
    }

    /// Runs the binary with a pseudo-terminal as its standard output; returns its exit status and
    /// the bytes it wrote (with the terminal's \r\n for \n).
    func underTerminal(_ arguments: [String], noColor: Bool) throws -> (status: Int32, output: String) {
        let script = """
            import base64, json, os, pty, sys
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            chunks = []
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            _, status = os.waitpid(pid, 0)
            print(json.dumps({"status": os.waitstatus_to_exitcode(status), "output": base64.b64encode(b"".join(chunks)).decode()}))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, CathammerBinary.url.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm"
        environment["NO_COLOR"] = noColor ? "1" : nil
        process.environment = environment
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], String(decoding: data, as: UTF8.self))
        let output = try XCTUnwrap(Data(base64Encoded: result["output"] as? String ?? ""))
        return (Int32(result["status"] as? Int ?? -1), String(decoding: output, as: UTF8.self))
    }

    func corpus(_ extra: [String]) -> [String] {
        ["run", "corpus", "--corpus", "corpus", "--no-libcurl", "--format", "json", "--out", "out", "--jobs", "1"] + extra
    }

    func testALiveLineAndOnlyTheCasesThatDidNotPass() throws {
        let (status, output) = try underTerminal(corpus([]), noColor: false)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("\r\u{1B}[K[1/4 cases] · "), "the live line, redrawn in place: \(output.debugDescription)")
        XCTAssertTrue(output.contains("\u{1B}[31mFAIL\u{1B}[0m T-FAILS (404)"), output.debugDescription)
        XCTAssertTrue(output.contains("\u{1B}[33mWARN\u{1B}[0m T-WARNS (404)"), output.debugDescription)
        XCTAssertFalse(output.contains("T-PASSES"), "no line for a passing case: \(output.debugDescription)")
        XCTAssertTrue(output.contains("4 cases against cathammer serve (reference server): 2 passed, 1 warned, 1 failed"), output)
    }

    func testNoColorAndQuiet() throws {
        let (status, output) = try underTerminal(corpus([]), noColor: true)
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("\r\u{1B}[K"), "still a live line: \(output.debugDescription)")
        XCTAssertTrue(output.contains("] FAIL T-FAILS (404)"), output.debugDescription)
        XCTAssertFalse(output.contains("\u{1B}[3"), "NO_COLOR: no color: \(output.debugDescription)")

        let (quietStatus, quiet) = try underTerminal(corpus(["--quiet"]), noColor: false)
        XCTAssertEqual(quietStatus, 1, quiet)
        XCTAssertFalse(quiet.contains("\r\u{1B}[K") || quiet.contains("T-WARNS ("), "--quiet: no progress at all: \(quiet.debugDescription)")
        XCTAssertTrue(quiet.contains("FAIL T-FAILS: expected 200, observed 404"), "the summary stays: \(quiet)")
    }
}
