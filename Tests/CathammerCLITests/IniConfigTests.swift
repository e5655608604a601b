import Foundation
import XCTest

final class IniConfigTests: XCTestCase {
    private func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cathammer-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).ini")
        try Data(text.utf8).write(to: url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testCheckConfigPrintsTheEffectiveConfigurationAndFlagsWin() throws {
        let path = try write("[cathammer]\nhttp = 127.0.0.1:0\nprocesses = 3\nheader-timeout = 2.5\nstatic-map = /s=/tmp\n"
                             + "http2-max-streams-per-connection = 500\n")
        let fromFile = try CathammerBinary.run(["serve", "--ini", path, "--check-config"])
        XCTAssertEqual(fromFile.status, 0, fromFile.stderr)
        XCTAssertTrue(fromFile.stdout.contains("processes = 3"))
        XCTAssertTrue(fromFile.stdout.contains("http2-max-streams-per-connection = 500"), fromFile.stdout)
        XCTAssertTrue(fromFile.stdout.contains("header-timeout = 2.5"))
        XCTAssertTrue(fromFile.stdout.contains("static-map = /s=/tmp"))
        let overridden = try CathammerBinary.run(["serve", "--ini", path, "-p", "5", "--check-config"])
        XCTAssertTrue(overridden.stdout.contains("processes = 5"), "flags override the file")
    }

    func testErrorsNameFileLineAndKeyAndExitTwo() throws {
        let cases: [(String, String)] = [
            ("[cathammer]\nhttp = :8000\nprocesss = 3\n", ":3: unknown key 'processs'"),
            ("[cathammer]\nprocesses = many\n", ":2: bad value for 'processes'"),
            ("[cathammer]\n\n\nprocesses = 0\n", ":4: bad value for 'processes'"),
            ("[cathammer]\nheader-timeout = -1\n", ":2: bad value for 'header-timeout'"),
            ("[cathammer]\nstatic-map = /x=/nonexistent/cathammer\n", ":2: bad value for 'static-map'"),
            ("[cathammer]\naccept = stampede\n", ":2: bad value for 'accept': The value 'stampede' is invalid for '--accept <accept>'. Please provide one of 'exclusive', 'plain', 'lock' or 'reuseport'."),
            ("[cathammer]\napp = dogserve\n", ":2: bad value for 'app'"),
            ("[cathammer]\nhttp2-max-streams-per-connection = 0\n", ":2: bad value for 'http2-max-streams-per-connection'"),
            ("[cathammer]\nini = other.ini\n", ":2: key 'ini' is not allowed"),
            ("[cathammer]\nprocesses\n", ":2: expected 'key = value'"),
            ("[nothing]\n", ":1: no [cathammer] section"),
        ]
        for (text, expected) in cases {
            let path = try write(text)
            let result = try CathammerBinary.run(["serve", "--ini", path, "--check-config"])
            XCTAssertEqual(result.status, 2, text)
            XCTAssertTrue(result.stderr.contains(path + expected), "\(text): \(result.stderr)")
        }
        let missing = try CathammerBinary.run(["serve", "--ini", "/nonexistent/cathammer.ini"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/cathammer.ini"))
    }

    func testTheServerRunsFromAnIniFile() throws {
        let path = try write("[cathammer]\nprocesses = 3\nkeepalive-timeout = 1\n")
        let server = try ServerProcess(["--ini", path])
        XCTAssertTrue(ServerProcess.eventually { server.workerPIDs().count == 3 }, "processes from the file")
        XCTAssertEqual(try RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").statuses, [200])
    }
}
